// The Request page in Chromium against the real server (issue 10): a request id in the
// logs links to /dashboard/requests/ID, which shows the request's lines as a tree (the
// root action first, chained calls indented under their caller: a real a → b → c chain),
// refreshes on demand, and shows another user nothing of it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkEnvironment, env, launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'correct horse battery';
let server;
let browser;
let alice; // { context, page, problems, token }
let firstId = '';

async function newUser() {
  const context = await browser.newContext({ baseURL: server.dashboardUrl, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (4|5)\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(env.artifacts, `request-${name}.png`), fullPage: true });
}

async function register(user, username) {
  const { page } = user;
  await page.goto('/dashboard/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Actions', level: 1 }).waitFor();
  user.token = await page.evaluate(() => JSON.parse(localStorage.getItem('wa.session')).token);
}

async function deploy(token, name, route, guest, settings) {
  const form = new FormData();
  form.append('name', name);
  form.append('route', route);
  if (settings) form.append('settings', JSON.stringify(settings));
  form.append('module', new Blob([readFileSync(path.join(env.guests, `${guest}.wasm`))]), `${guest}.wasm`);
  const response = await fetch(`${server.url}/api/v1/actions`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  assert.equal(response.status, 201, await response.text());
}

// Calls the action until it is compiled; returns the request id the server gave the call.
async function call(target) {
  const deadline = Date.now() + 60000;
  for (;;) {
    const response = await fetch(`${server.url}${target}`);
    await response.text();
    if (response.status === 200) return response.headers.get('x-request-id');
    if (Date.now() > deadline) throw new Error(`${target} answered ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the request page in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    checkEnvironment();
    server = await startServer();
    browser = await launchBrowser();
    alice = await newUser();
    await register(alice, 'alice');
    await deploy(alice.token, 'front', '/front', 'log_lines');
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('links a request id in the logs to the request page, which shows its lines', async () => {
    const { page } = alice;
    firstId = await call('/front?first');
    assert.match(firstId, /^[0-9a-f]{16}$/);
    await page.goto('/dashboard/actions/front/logs');
    const link = page.getByRole('link', { name: `Request ${firstId}` }).first();
    await link.waitFor();
    await link.click();
    await page.waitForURL(`**/dashboard/requests/${firstId}`);
    await page.getByRole('heading', { name: `Request ${firstId}` }).waitFor();
    const root = page.locator(`.chain-node[data-request-id="${firstId}"]`);
    await root.waitFor();
    assert.equal(await root.getAttribute('data-depth'), '0');
    assert.match(await root.locator('.chain-head').innerText(), /front/);
    const lines = root.locator('.chain-line');
    assert.equal(await lines.count(), 2);
    assert.match(await lines.nth(0).innerText(), /first line for first/);
    assert.match(await lines.nth(1).innerText(), /second line for first/);
    assert.equal(await lines.nth(0).getAttribute('data-outcome'), 'ok');
    // The action's name leads to its logs.
    assert.equal(await root.getByRole('link', { name: 'front', exact: true }).getAttribute('href'), '/dashboard/actions/front/logs');
    await shot(page, '01-root');
  });

  it('refreshes on demand, and the filter in the logs still narrows to one request', async () => {
    const { page } = alice;
    const refresh = page.getByRole('button', { name: 'Refresh', exact: true });
    await refresh.click();
    await refresh.waitFor();
    assert.equal(await page.locator('.chain-line').count(), 2, 'a refresh shows the same lines once');
    const updated = page.getByText(/^Updated /);
    const before = await updated.innerText();
    await page.getByRole('button', { name: 'Live refresh' }).click();
    await page.getByRole('button', { name: 'Stop live refresh', pressed: true }).waitFor();
    // A live reload has happened once the "Updated" time moves on.
    await page.waitForFunction((text) => [...document.querySelectorAll('[role=status]')].some((el) => /^Updated /.test(el.textContent) && el.textContent !== text), before);
    assert.equal(await page.locator('.chain-line').count(), 2, 'live reloads replace, never duplicate');
    await page.getByRole('button', { name: 'Stop live refresh' }).click();
    const second = await call('/front?second');
    await page.goto('/dashboard/actions/front/logs');
    await page.locator('.log-line').filter({ hasText: 'for second' }).first().waitFor();
    await page.getByRole('button', { name: `Show only request ${firstId} in this list` }).first().click();
    await page.waitForFunction(() => ![...document.querySelectorAll('.log-line')].some((l) => l.innerText.includes('for second')));
    assert.equal(await page.locator('.log-line').count(), 2);
    await page.goto(`/dashboard/requests/${second}`);
    await page.locator('.chain-line').filter({ hasText: 'second line for second' }).waitFor();
    assert.equal(await page.locator('.chain-line').filter({ hasText: 'for first' }).count(), 0);
  });

  it('says so for an id without lines and for something that is not an id', async () => {
    const { page } = alice;
    await page.goto('/dashboard/requests/0123456789abcdef');
    await page.getByTestId('request-empty').waitFor();
    await page.goto('/dashboard/requests/NOT-AN-ID');
    await page.getByText('Not a request id').waitFor();
    assert.deepEqual(alice.problems, []);
  });

  it('shows a chain of actions as a tree, and the callee counts its chained calls', async () => {
    const { page } = alice;
    const relay = (name, next) => ({ env: next ? { NAME: name, NEXT: next } : { NAME: name }, ...(next ? { capabilities: { actions: [next] } } : {}) });
    await deploy(alice.token, 'a', '/a', 'chain_relay', relay('a', 'b'));
    await deploy(alice.token, 'b', '/b', 'chain_relay', relay('b', 'c'));
    await deploy(alice.token, 'c', '/c', 'chain_relay', relay('c', ''));
    await call('/b'); // every link compiled before the chain runs (b's own call is no chained call)
    await call('/c');
    let id;
    for (let tries = 0; tries < 100; tries++) {
      const response = await fetch(`${server.url}/a`);
      const body = await response.text();
      if (response.status === 200 && body.startsWith('a -> 0 200\nb -> 0 200')) {
        id = response.headers.get('x-request-id');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(id, 'the chain a → b → c answered');
    await page.goto(`/dashboard/requests/${id}`);
    const b = page.locator(`.chain-node[data-request-id="${id}"] > .chain-children > .chain-node[data-request-id="${id}.1"]`);
    // The tree renders once the lines have arrived (before that the root has no name yet).
    await b.waitFor();
    // a logged nothing itself; its callee's "called by" line names it.
    assert.match(await page.locator(`.chain-node[data-request-id="${id}"] > .chain-head`).innerText(), /^a\b[\s\S]*named by its calls/);
    assert.equal(await b.getAttribute('data-depth'), '1');
    assert.match(await b.locator(':scope > .chain-head').innerText(), /\bb\b/);
    assert.match(await b.locator(':scope > .chain-body').innerText(), /called by "a"/);
    const c = b.locator(`:scope > .chain-children > .chain-node[data-request-id="${id}.1.1"]`);
    await c.waitFor();
    assert.equal(await c.getAttribute('data-depth'), '2');
    assert.match(await c.locator(':scope > .chain-body').innerText(), /called by "b"/);
    // The indentation is visible: each level sits further right.
    const [x0, x1, x2] = await Promise.all(
      [id, `${id}.1`, `${id}.1.1`].map((rid) => page.locator(`.chain-node[data-request-id="${rid}"] > .chain-head`).evaluate((el) => el.getBoundingClientRect().left)),
    );
    assert.ok(x0 < x1 && x1 < x2, `indented: ${x0} < ${x1} < ${x2}`);
    await shot(page, '03-chain');
    // A chained call's own page names its parent.
    await page.goto(`/dashboard/requests/${id}.1.1`);
    await page.getByRole('link', { name: `${id}.1`, exact: true }).waitFor();
    // b's stats count the chained call.
    await page.goto('/dashboard/actions/b');
    await page.getByText('Chained calls (total)').waitFor();
    await page.goto('/dashboard/actions/a');
    await page.getByText('Requests (1 h)').waitFor();
    assert.equal(await page.getByText('Chained calls (total)').count(), 0, 'shown only when non-zero');
  });

  it('shows another user nothing of it', async () => {
    const bob = await newUser();
    await register(bob, 'bob');
    await bob.page.goto(`/dashboard/requests/${firstId}`);
    await bob.page.getByTestId('request-empty').waitFor();
    assert.equal(await bob.page.locator('.chain-line').count(), 0);
    await shot(bob.page, '02-other-user');
    await bob.context.close();
  });
});
