// The dashboard end to end in Chromium against the real server: register, deploy hello,
// watch it become ready, call it from the tester, see it counted and logged, edit its
// timeout, deploy a second version and roll back, admin invites, a second user's view,
// closed registration, session expiry, delete, sign-out. The dashboard has its own origin
// (server.dashboardUrl); actions answer on server.url.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkEnvironment, env, launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'correct horse battery';
let server;
let browser;
let alice; // { context, page }
let inviteCode;

async function newUser(options = {}) {
  const context = await browser.newContext({ baseURL: server.dashboardUrl, viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (4|5)\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

async function shot(page, name, { fullPage = true } = {}) {
  await page.waitForTimeout(150); // let charts and transitions settle
  await page.screenshot({ path: path.join(env.artifacts, `${name}.png`), fullPage });
}

// The API with the page's own session, as the dashboard would call it.
async function apiFromPage(page, method, url, body) {
  return page.evaluate(
    async ([m, u, b]) => {
      const session = JSON.parse(localStorage.getItem('wa.session') || 'null');
      const headers = session ? { Authorization: `Bearer ${session.token}` } : {};
      const init = { method: m, headers };
      if (b !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(b);
      }
      const response = await fetch(u, init);
      return { status: response.status, body: await response.text() };
    },
    [method, url, body],
  );
}

// The top navigation (the breadcrumb has an "Actions" link too).
async function nav(page, name) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

async function register(page, username, { invite } = {}) {
  await page.goto(invite ? `/dashboard/register?invite=${encodeURIComponent(invite)}` : '/dashboard/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Actions', level: 1 }).waitFor();
}

async function fieldError(page, label) {
  // The error paragraph is tied to its control through aria-describedby.
  const control = page.getByLabel(label, { exact: true });
  await control.and(page.locator('[aria-invalid="true"]')).waitFor();
  const ids = (await control.getAttribute('aria-describedby')).split(' ');
  return page.locator(`#${ids[ids.length - 1]}`).innerText();
}

async function sendFromTester(page, requestPath) {
  await page.getByLabel('Path and query').fill(requestPath);
  await page.getByRole('button', { name: 'Send request' }).click();
  const status = page.getByTestId('response-status');
  await status.waitFor();
  // The stderr lookup finishes after the response is shown.
  await page.locator('[data-testid=response-stderr], [data-testid=stderr-empty]').first().waitFor();
  return (await status.innerText()).trim();
}

describe('dashboard in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    checkEnvironment();
    server = await startServer();
    browser = await launchBrowser();
    alice = await newUser();
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('sends a signed-out visitor to sign-in and registers the first user', async () => {
    const { page } = alice;
    // The main origin's "/" leads to the dashboard's own origin.
    await page.goto(`${server.url}/`);
    await page.waitForURL(`${server.dashboardUrl}/dashboard/signin`);
    const headers = await (await page.request.get('/dashboard/signin')).headers();
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    await page.getByRole('heading', { name: 'Sign in to WASM Actions' }).waitFor();
    // A wrong password is answered next to the form, not with a crash.
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('invalid username or password').waitFor();
    await shot(page, '01-sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await shot(page, '02-register');
    await register(page, 'alice');
    await page.getByRole('heading', { name: 'Deploy your first action' }).waitFor();
    assert.match(await page.locator('.empty-state').innerText(), /wasm-actions deploy hello\.wasm --name hello --route \/hello/);
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem('wa.session')));
    assert.ok(session.token.length > 20, 'the JWT is kept in localStorage');
    assert.equal(session.user.username, 'alice');
    await shot(page, '03-actions-empty');
  });

  it('shows deploy errors next to the field they concern', async () => {
    const { page } = alice;
    await nav(page, 'Deploy');
    await page.getByRole('heading', { name: 'Deploy an action' }).waitFor();
    await page.locator('input[type=file]').setInputFiles({ name: 'notes.wasm', mimeType: 'application/wasm', buffer: Buffer.from('this is not WebAssembly') });
    await page.getByLabel('Name', { exact: true }).fill('broken');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const moduleError = await fieldError(page, 'Module (.wasm)');
    assert.match(moduleError, /wasm|magic|module/i);

    await page.locator('input[type=file]').setInputFiles(path.join(env.guests, 'hello.wasm'));
    await page.getByLabel('Route').fill('/api/v1/mine');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    assert.match(await fieldError(page, 'Route'), /reserved/i);
    await shot(page, '04-deploy-errors');
    const listed = JSON.parse((await apiFromPage(page, 'GET', '/api/v1/actions')).body);
    assert.equal(listed.actions.length, 0, 'rejected deploys store nothing');
  });

  it('deploys the hello example and sees it become ready', async () => {
    const { page } = alice;
    await page.getByLabel('Name', { exact: true }).fill('hello');
    await page.getByLabel('Route').fill('/hello');
    await page.getByRole('button', { name: '+ Add variable' }).click();
    await page.getByLabel('Variable 1 name').fill('GREETING');
    await page.getByLabel('Variable 1 value').fill('hi');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('hello is live').waitFor({ timeout: 30000 });
    await shot(page, '05-deploy-ready');
    const action = JSON.parse((await apiFromPage(page, 'GET', '/api/v1/actions/hello')).body);
    assert.ok(['ready', 'optimized'].includes(action.status), `status ${action.status}`);
    assert.deepEqual(action.settings.env, { GREETING: 'hi' });
  });

  it('calls the action from the request tester', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'Send a test request' }).click();
    await page.getByRole('heading', { name: 'Request', exact: true }).waitFor();
    const status = await sendFromTester(page, '/hello?name=world');
    assert.match(status, /^200/);
    assert.match(await page.getByTestId('response-body').innerText(), /Hello from WebAssembly! query=name=world/);
    await page.getByTestId('stderr-empty').waitFor();
    await page.getByRole('button', { name: 'Re-send GET /hello?name=world' }).waitFor();
    await shot(page, '06-tester');
  });

  it('counts the request in the actions list', async () => {
    const { page } = alice;
    await nav(page, 'Actions');
    const row = page.locator('tr[data-action=hello]');
    await row.waitFor();
    assert.equal((await row.locator('[data-col=requests]').innerText()).trim(), '1');
    assert.match(await row.innerText(), /Ready/);
    assert.match(await row.innerText(), /v1/);
    assert.equal(await row.getByRole('link', { name: '/hello' }).getAttribute('href'), `${server.url}/hello`);
    await shot(page, '07-actions-list');
  });

  it('deploys a second version whose stderr shows in the tester and the live logs', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'hello', exact: true }).click();
    await page.getByRole('heading', { name: 'Deploy a new version' }).waitFor();
    await page.locator('form[aria-labelledby=newversion-title] input[type=file]').setInputFiles(path.join(env.guests, 'echo_io.wasm'));
    await page.getByRole('button', { name: 'Deploy version' }).click();
    await page.getByText('Version 2 is live.').waitFor({ timeout: 30000 });

    await page.getByRole('link', { name: 'Request tester' }).click();
    const status = await sendFromTester(page, '/hello');
    assert.match(status, /^502/, 'echo_io does not print a CGI response');
    assert.match(await page.getByTestId('response-stderr').innerText(), /to stderr/);
    await shot(page, '08-tester-stderr');

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByText('Live', { exact: true }).waitFor();
    const lines = page.locator('.log-line');
    await lines.filter({ hasText: 'to stderr' }).first().waitFor();
    await lines.filter({ hasText: 'bad_gateway' }).first().waitFor();
    const before = await lines.count();
    // A request made elsewhere arrives through the live tail.
    await page.evaluate((url) => fetch(`${url}/hello?live=1`), server.url);
    await page.waitForFunction((n) => document.querySelectorAll('.log-line').length > n, before);
    await page.getByLabel('Level').selectOption('error');
    await page.waitForFunction(() => [...document.querySelectorAll('.log-line')].every((l) => l.dataset.level === 'error'));
    assert.ok((await lines.count()) > 0);
    assert.equal(await lines.filter({ hasText: 'to stderr' }).count(), 0, 'info lines are filtered out');
    await page.getByLabel('Level').selectOption('all');
    await page.getByLabel('Outcome').selectOption('bad_gateway');
    await shot(page, '09-logs');
    await page.getByLabel('Outcome').selectOption('all');
  });

  it('draws the analytics charts', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Requests per minute' }).waitFor();
    await page.locator('.uplot').nth(2).waitFor();
    assert.equal(await page.locator('.uplot').count(), 3, 'requests, errors by kind and latency charts');
    assert.match(await page.locator('[aria-label^="Errors by kind"]').getAttribute('aria-label'), /bad_gateway 2/);
    await shot(page, '10-analytics');
  });

  it('edits the timeout in place and rejects an out-of-range one next to the field', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'Overview' }).click();
    const timeout = page.getByLabel('Timeout (ms)');
    await timeout.fill('999999');
    await page.getByRole('button', { name: 'Save changes' }).click();
    assert.match(await fieldError(page, 'Timeout (ms)'), /timeout_ms must be between/);
    await timeout.fill('1234');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    await page.reload();
    await page.getByLabel('Timeout (ms)').waitFor();
    assert.equal(await page.getByLabel('Timeout (ms)').inputValue(), '1234');
    const action = JSON.parse((await apiFromPage(page, 'GET', '/api/v1/actions/hello')).body);
    assert.equal(action.settings.timeout_ms, 1234);
    await shot(page, '11-action-overview');
  });

  it('rolls back to version 1 with one click', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await page.locator('[data-version="1"]').getByText('current').waitFor();
    assert.match(await page.locator('.page-head').innerText(), /version 1/);
    await page.getByRole('link', { name: 'Request tester' }).click();
    assert.match(await sendFromTester(page, '/hello'), /^200/);
  });

  it('lets the admin switch to invite-only and create an invite', async () => {
    const { page } = alice;
    await nav(page, 'Admin');
    await page.getByRole('heading', { name: 'Registration' }).waitFor();
    await page.getByLabel(/Invite only/).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Registration is now: invite only.').waitFor();
    await page.getByRole('button', { name: 'Create invite' }).click();
    inviteCode = (await page.locator('.invite-code').first().innerText()).trim();
    assert.ok(inviteCode.length >= 8, `invite code ${inviteCode}`);
    await shot(page, '12-admin');
  });

  it('registers a second user with the invite, who cannot see the first user\'s actions', async () => {
    const bob = await newUser();
    try {
      const { page } = bob;
      // Without the code the form asks for one.
      await page.goto('/dashboard/register');
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      assert.match(await fieldError(page, 'Invite code'), /invite/i);
      await shot(page, '13-register-invite');
      await register(page, 'bob', { invite: inviteCode });
      await page.getByRole('heading', { name: 'Deploy your first action' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'bob is no admin');
      await page.goto('/dashboard/actions/hello');
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      await shot(page, '14-other-user-not-found');
      assert.equal((await apiFromPage(page, 'GET', '/api/v1/actions/hello')).status, 404);
      assert.deepEqual(bob.problems, []);
    } finally {
      await bob.context.close();
    }
  });

  it('tells visitors clearly when registration is closed', async () => {
    const { page } = alice;
    await nav(page, 'Admin');
    await page.getByLabel(/Closed/).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Registration is now: closed.').waitFor();
    const visitor = await newUser({ colorScheme: 'dark' });
    try {
      // The page asks GET /auth/registration first: the notice replaces the form before
      // anyone types anything.
      await visitor.page.goto('/dashboard/register');
      await visitor.page.getByText('Registration is closed', { exact: true }).waitFor();
      assert.equal(await visitor.page.getByRole('button', { name: 'Create account' }).count(), 0);
      // And the server refuses regardless of what the page shows.
      const refused = await apiFromPage(visitor.page, 'POST', '/api/v1/auth/register',
                                        { username: 'carol', password: PASSWORD });
      assert.equal(refused.status, 403);
      await shot(visitor.page, '15-register-closed-dark');
    } finally {
      await visitor.context.close();
    }
  });

  it('works on a phone-sized screen and in dark mode', async () => {
    const phone = await newUser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    try {
      const token = await alice.page.evaluate(() => localStorage.getItem('wa.session'));
      await phone.page.goto('/dashboard/signin');
      await phone.page.evaluate((t) => localStorage.setItem('wa.session', t), token);
      await phone.page.goto('/dashboard/actions');
      await phone.page.locator('tr[data-action=hello]').waitFor();
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no horizontal scrolling on a phone (page is ${width}px wide)`);
      await shot(phone.page, '16-phone-actions-dark');
      await phone.page.goto('/dashboard/actions/hello/tester');
      await phone.page.getByRole('button', { name: 'Send request' }).waitFor();
      await shot(phone.page, '17-phone-tester-dark');
      await phone.page.goto('/dashboard/actions/hello/analytics');
      await phone.page.locator('.uplot').first().waitFor();
      await shot(phone.page, '18-phone-analytics-dark');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });

  it('deletes the action after confirmation', async () => {
    const { page } = alice;
    await page.goto('/dashboard/actions/hello');
    await page.getByRole('button', { name: 'Delete action…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete forever' });
    assert.equal(await confirm.isDisabled(), true, 'needs the name typed first');
    await dialog.getByLabel('Type hello to confirm').fill('hello');
    await shot(page, '19-delete-confirm', { fullPage: false });
    await confirm.click();
    await page.getByRole('heading', { name: 'Deploy your first action' }).waitFor();
    const called = await page.evaluate(async (url) => (await fetch(`${url}/hello`)).status, server.url);
    assert.equal(called, 404);
  });

  it('returns to sign-in with a message when the session is no longer valid', async () => {
    const { page } = alice;
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('wa.session'));
      session.token = 'not-a-valid-token';
      localStorage.setItem('wa.session', JSON.stringify(session));
    });
    await page.goto('/dashboard/actions');
    await page.getByText('Your session has expired. Please sign in again.').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('wa.session')), null);
    await shot(page, '20-session-expired');
    // And signing in again works.
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Actions', level: 1 }).waitFor();
    assert.deepEqual(alice.problems, []);
  });

  it('creates an API token with only the scopes chosen', async () => {
    const { page } = alice;
    await nav(page, 'Account');
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByLabel('Token name').fill('reader');
    await page.getByRole('checkbox', { name: /^deploy/ }).uncheck();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.locator('.notice .code-block code').first().innerText()).trim();
    const row = page.locator('tr', { hasText: 'reader' });
    await row.waitFor();
    assert.match(await row.innerText(), /\bread\b/);
    assert.doesNotMatch(await row.innerText(), /deploy/);
    const headers = { Authorization: `Bearer ${token}` };
    assert.equal((await fetch(`${server.url}/api/v1/actions`, { headers })).status, 200);
    const deploy = await fetch(`${server.url}/api/v1/actions/x`, { method: 'DELETE', headers });
    assert.equal(deploy.status, 403, 'a read-only token cannot change actions');
    await shot(page, '21-token-scopes');
  });

  it('signs out by revoking the session on the server', async () => {
    const { page } = alice;
    const { token } = await page.evaluate(() => JSON.parse(localStorage.getItem('wa.session')));
    const me = () => fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await me()).status, 200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('wa.session')), null);
    // A copy of the token (say, one a hostile page had read) is worthless now.
    const after = await me();
    assert.equal(after.status, 401);
    assert.match((await after.json()).message, /signed out/);
    await shot(page, '22-signed-out');
    assert.deepEqual(alice.problems, []);
  });
});
