// Issue 8, item 8 in Chromium: a user's action page, opened by a signed-in admin, tries to
// take over the admin's dashboard session the ways a page can: read the stored token,
// call the API as the admin, frame the dashboard, open it in a window. On the old layout
// (actions on the dashboard's origin) the first step alone minted an API token as the
// admin; now the action runs on another origin and gets nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { checkEnvironment, env, launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'correct horse battery';
let server;
let browser;

// Everything the hostile page tries, reported as JSON in #result.
const ATTACK = `<!doctype html><title>totally harmless</title><pre id=result>running</pre><script>
(async () => {
  const dash = new URLSearchParams(location.search).get('dash');
  const out = {};
  try { out.localToken = localStorage.getItem('wa.session'); } catch (e) { out.localToken = 'error: ' + e.name; }
  // What worked on the old layout: the stored session mints a token for the attacker.
  const stolen = out.localToken && JSON.parse(out.localToken).token;
  if (stolen) {
    const r = await fetch('/api/v1/tokens', { method: 'POST', headers: { Authorization: 'Bearer ' + stolen, 'Content-Type': 'application/json' }, body: '{"name":"stolen"}' });
    out.stolenMint = r.status;
  }
  const minted = async (base) => {
    try {
      const r = await fetch(base + '/api/v1/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"stolen"}' });
      return r.status + ' ' + (await r.text());
    } catch (e) { return 'blocked: ' + e.name; }
  };
  out.mintHere = await minted('');
  out.mintDashboard = await minted(dash);
  out.frame = await new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.src = dash + '/dashboard/account';
    frame.onload = () => {
      try { resolve('read: ' + frame.contentWindow.localStorage.getItem('wa.session')); } catch (e) { resolve('blocked: ' + e.name); }
    };
    setTimeout(() => resolve('no load'), 3000);
    document.body.appendChild(frame);
  });
  const opened = window.open(dash + '/dashboard/account', 'dash');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  try { out.window = 'read: ' + opened.localStorage.getItem('wa.session'); } catch (e) { out.window = 'blocked: ' + e.name; }
  try { opened && opened.close(); } catch (e) {}
  document.getElementById('result').textContent = JSON.stringify(out);
})();
</script>`;

async function apiCall(base, method, url, { token, json, form } = {}) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) body = form;
  const response = await fetch(base + url, { method, headers, body });
  return { status: response.status, body: await response.text() };
}

describe('an action page cannot take over the dashboard session', { concurrency: 1 }, () => {
  before(async () => {
    checkEnvironment();
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('gets neither the token nor an API call as the admin', async () => {
    const context = await browser.newContext({ baseURL: server.dashboardUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    // The admin signs up on the dashboard (the first user is admin).
    await page.goto('/dashboard/register');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Actions', level: 1 }).waitFor();
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('wa.session')));
    assert.ok(session && session.token, 'the dashboard keeps its token on its own origin');

    // Mallory deploys a page (the API answers on the actions origin too).
    const registered = await apiCall(server.url, 'POST', '/api/v1/auth/register', { json: { username: 'mallory', password: PASSWORD } });
    assert.equal(registered.status, 201, registered.body);
    const mallory = JSON.parse(registered.body).token;
    const form = new FormData();
    form.append('name', 'evil');
    form.append('route', '/evil');
    form.append('settings', JSON.stringify({ env: { PAGE: ATTACK } }));
    form.append('module', new Blob([readFileSync(path.join(env.guests, 'html_page.wasm'))], { type: 'application/wasm' }), 'html_page.wasm');
    const deployed = await apiCall(server.url, 'POST', '/api/v1/actions', { token: mallory, form });
    assert.equal(deployed.status, 201, deployed.body);
    // A call answers 503 "compiling" until the first tier is built: wait for the page.
    for (let attempt = 0; attempt < 600; attempt++) {
      const page = await fetch(`${server.url}/evil`);
      await page.arrayBuffer();
      if (page.status !== 503) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // The admin follows a link to it, in the same browser.
    const victim = await context.newPage();
    victim.setDefaultTimeout(20000);
    await victim.goto(`${server.url}/evil?dash=${encodeURIComponent(server.dashboardUrl)}`);
    assert.notEqual(new URL(victim.url()).origin, new URL(server.dashboardUrl).origin);
    await victim.waitForFunction(() => document.getElementById('result').textContent !== 'running');
    const result = JSON.parse(await victim.locator('#result').innerText());
    assert.equal(result.localToken, null, 'the action origin has no stored token');
    assert.match(result.mintHere, /^401 /, `no credentials on the actions origin: ${result.mintHere}`);
    assert.match(result.mintDashboard, /^blocked: /, `the dashboard API is not readable cross-origin: ${result.mintDashboard}`);
    assert.match(result.frame, /^(blocked: |no load)/, `the dashboard cannot be framed and read: ${result.frame}`);
    assert.match(result.window, /^blocked: /, `an opened dashboard window is not readable: ${result.window}`);

    // And on the server: the admin still has no API token.
    const tokens = await apiCall(server.url, 'GET', '/api/v1/tokens', { token: session.token });
    assert.equal(tokens.status, 200, tokens.body);
    assert.deepEqual(JSON.parse(tokens.body).tokens, []);
    await context.close();
  });
});
