// Storage and capability grants in Chromium against the real server: key-value stores (create,
// add a key, list, paging, edit, binary keys, delete), volumes (create, upload, browse
// folders, download, delete), and an action's grants (store read-write + volume read-only,
// saved and kept across a reload; an invalid grant answered with the server's message; a
// granted store or volume cannot be deleted). Another user sees none of it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkEnvironment, env, launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'correct horse battery';
let server;
let browser;
let alice; // { context, page, problems }

async function newUser(options = {}) {
  const context = await browser.newContext({ baseURL: server.dashboardUrl, viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
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
  await page.screenshot({ path: path.join(env.artifacts, `storage-${name}.png`), fullPage: true });
}

// The API with the page's own session. `body` is JSON unless `raw` (an array of byte values).
async function apiFromPage(page, method, url, { body, raw } = {}) {
  return page.evaluate(
    async ([m, u, b, r]) => {
      const session = JSON.parse(localStorage.getItem('wa.session') || 'null');
      const headers = session ? { Authorization: `Bearer ${session.token}` } : {};
      const init = { method: m, headers };
      if (r) init.body = new Uint8Array(r);
      else if (b !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(b);
      }
      const response = await fetch(u, init);
      const bytes = [...new Uint8Array(await response.arrayBuffer())];
      return { status: response.status, bytes, text: new TextDecoder().decode(new Uint8Array(bytes)) };
    },
    [method, url, body, raw],
  );
}

const json = (answer) => JSON.parse(answer.text);

async function nav(page, name) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

async function register(page, username) {
  await page.goto('/dashboard/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Actions', level: 1 }).waitFor();
}

describe('storage and grants in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    checkEnvironment();
    server = await startServer();
    browser = await launchBrowser();
    alice = await newUser();
    await register(alice.page, 'alice');
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('lists the default store and creates a new one', async () => {
    const { page } = alice;
    await nav(page, 'Storage');
    await page.getByRole('heading', { name: 'Storage', level: 1 }).waitFor();
    await page.locator('tr[data-store=default]').waitFor();
    // The default store cannot be deleted, so it offers no button.
    assert.equal(await page.getByRole('button', { name: 'Delete store default' }).count(), 0);

    // A bad name is refused before it is sent.
    await page.getByLabel('Store name').fill('-bad');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.locator('.field-error', { hasText: /letters, digits/ }).waitFor();

    await page.getByLabel('Store name').fill('notes');
    await page.getByRole('button', { name: 'Create store' }).click();
    const row = page.locator('tr[data-store=notes]');
    await row.waitFor();
    assert.equal((await row.locator('[data-col=keys]').innerText()).trim(), '0');
    // The same name again: the server's 409 shows next to the field.
    await page.getByLabel('Store name').fill('notes');
    await page.getByRole('button', { name: 'Create store' }).click();
    await page.locator('.field-error').waitFor();
    await shot(page, '01-stores');
  });

  it('adds a key, sees it listed with its size, edits it and deletes it', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'notes', exact: true }).click();
    await page.getByRole('heading', { name: 'notes', level: 1 }).waitFor();
    await page.getByText('This store is empty.').waitFor();

    await page.getByRole('button', { name: 'Add a key' }).click();
    await page.getByLabel('Key', { exact: true }).fill('greeting/en');
    await page.getByLabel('Value', { exact: true }).fill('hello world');
    await page.getByRole('button', { name: 'Save key' }).click();
    const item = page.locator('.key-list li[data-key="greeting/en"]');
    await item.waitFor();
    assert.match(await item.locator('[data-col=size]').innerText(), /^11 B$/);
    // Saved through the API's own path encoding: "/" inside a key is %2F.
    const stored = await apiFromPage(page, 'GET', '/api/v1/kv/notes/values/greeting%2Fen');
    assert.equal(stored.status, 200);
    assert.equal(stored.text, 'hello world');

    await page.getByRole('button', { name: 'Open greeting/en' }).click();
    await page.getByTestId('value-view').filter({ hasText: 'hello world' }).waitFor();
    await page.getByRole('button', { name: 'Edit value' }).click();
    await page.getByLabel('Value', { exact: true }).fill('hello there, world');
    await page.getByRole('button', { name: 'Save value' }).click();
    await page.getByTestId('value-view').filter({ hasText: 'hello there, world' }).waitFor();
    await item.locator('[data-col=size]', { hasText: '18 B' }).waitFor();
    assert.equal((await apiFromPage(page, 'GET', '/api/v1/kv/notes/values/greeting%2Fen')).text, 'hello there, world');
    await shot(page, '02-store-value');

    // Survives a reload (it is on the server, not in the page).
    await page.reload();
    await page.locator('.key-list li[data-key="greeting/en"]').waitFor();

    await page.getByRole('button', { name: 'Open greeting/en' }).click();
    await page.getByRole('button', { name: 'Delete key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Delete key' }).click();
    await page.getByText('This store is empty.').waitFor();
    assert.equal((await apiFromPage(page, 'GET', '/api/v1/kv/notes/values/greeting%2Fen')).status, 404);
  });

  it('shows binary keys and values as such and reads them by their bytes', async () => {
    const { page } = alice;
    // A key that is not UTF-8 (0xff 'a' '/') holding bytes that are not either.
    const put = await apiFromPage(page, 'PUT', '/api/v1/kv/notes/values/%FFa%2F', { raw: [0xde, 0xad, 0xbe, 0xef] });
    assert.equal(put.status, 204);
    await page.reload();
    const item = page.locator('.key-list li', { hasText: 'binary' });
    await item.waitFor();
    assert.match(await item.innerText(), /\/2Ev/, 'the key is shown as its base64');
    await item.getByRole('button').click();
    await page.getByTestId('value-view').filter({ hasText: 'de ad be ef' }).waitFor();
    assert.match(await page.locator('.value-card').innerText(), /binary/);
    // Edit it as hex and check the bytes on the server.
    await page.getByRole('button', { name: 'Edit value' }).click();
    assert.equal(await page.getByLabel('Value format').inputValue(), 'hex');
    await page.getByLabel('Value', { exact: true }).fill('00 01 02 ff');
    await page.getByRole('button', { name: 'Save value' }).click();
    await page.getByTestId('value-view').filter({ hasText: '00 01 02 ff' }).waitFor();
    assert.deepEqual((await apiFromPage(page, 'GET', '/api/v1/kv/notes/values/%FFa%2F')).bytes, [0, 1, 2, 255]);
    await shot(page, '03-binary-key');
    assert.equal((await apiFromPage(page, 'DELETE', '/api/v1/kv/notes/values/%FFa%2F')).status, 204);
  });

  it('pages through many keys with "Load more" and filters them by prefix', async () => {
    const { page } = alice;
    await page.evaluate(async () => {
      const { token } = JSON.parse(localStorage.getItem('wa.session'));
      for (let i = 0; i < 130; i++) {
        const key = `k${String(i).padStart(3, '0')}`;
        const answer = await fetch(`/api/v1/kv/notes/values/${key}`, { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body: `v${i}` });
        if (answer.status !== 204) throw new Error(`PUT ${key}: ${answer.status}`);
      }
      await fetch('/api/v1/kv/notes/values/other', { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body: 'x' });
    });
    await page.reload();
    const items = page.locator('.key-list li');
    await page.waitForFunction(() => document.querySelectorAll('.key-list li').length === 100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.key-list li').length === 131);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no more pages');
    const listed = await items.evaluateAll((lis) => lis.map((li) => li.dataset.key));
    assert.deepEqual(listed, [...listed].sort(), 'in key order');
    assert.equal(new Set(listed).size, 131, 'no key twice across pages');

    await page.getByLabel('Key prefix').fill('k12');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.key-list li').length === 10);
    assert.equal(await page.locator('.key-list li[data-key=other]').count(), 0);

    // The list shows the totals.
    await nav(page, 'Storage');
    await page.locator('tr[data-store=notes] [data-col=keys]', { hasText: '131' }).waitFor();
  });

  it('creates a volume, uploads files into folders, downloads one and deletes one', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'Volumes', exact: true }).click();
    await page.getByRole('heading', { name: 'Storage', level: 1 }).waitFor();
    await page.getByLabel('Volume name').fill('site');
    await page.getByLabel('Quota (MB)').fill('5');
    await page.getByRole('button', { name: 'Create volume' }).click();
    const row = page.locator('tr[data-volume=site]');
    await row.waitFor();
    assert.match(await row.innerText(), /of \d/, 'the quota is shown');
    assert.equal(json(await apiFromPage(page, 'GET', '/api/v1/volumes')).volumes[0].quota_bytes > 0, true);

    await row.getByRole('link', { name: 'site' }).click();
    await page.getByRole('heading', { name: 'site', level: 1 }).waitFor();
    await page.getByText('No files yet.').waitFor();
    const html = '<!doctype html><title>Hi</title><p>Hello from a volume</p>\n';
    await page.getByLabel('Files to upload').setInputFiles([
      { name: 'index.html', mimeType: 'text/html', buffer: Buffer.from(html) },
      { name: 'style.css', mimeType: 'text/css', buffer: Buffer.from('p { color: red }\n') },
    ]);
    await page.locator('.upload-status', { hasText: 'Uploaded 2 of 2 files.' }).waitFor();
    await page.locator('tr[data-path="index.html"]').waitFor();
    await page.locator('tr[data-path="style.css"]').waitFor();

    // Into a folder that does not exist yet: the page follows into it.
    await page.getByLabel('Into folder').fill('docs/guide');
    await page.getByLabel('Files to upload').setInputFiles([{ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('alpha\n') }]);
    await page.locator('tr[data-path="docs/guide/a.txt"]').waitFor();
    const crumbs = page.getByRole('navigation', { name: 'Folder' });
    assert.equal((await crumbs.innerText()).replace(/\s+/g, ''), 'site/docs/guide');
    await crumbs.getByRole('link', { name: 'site' }).click();
    await page.locator('tr[data-folder=docs]').waitFor();
    await shot(page, '04-volume-files');

    // Download goes through fetch with the token, then a blob URL.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download index.html' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'index.html');
    assert.equal(readFileSync(await download.path(), 'utf8'), html);

    await page.getByRole('button', { name: 'Delete style.css' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete file' }).click();
    await page.locator('tr[data-path="style.css"]').waitFor({ state: 'detached' });
    assert.equal((await apiFromPage(page, 'GET', '/api/v1/volumes/site/files/style.css')).status, 404);
    const files = json(await apiFromPage(page, 'GET', '/api/v1/volumes/site/files')).files.map((f) => f.path);
    assert.deepEqual(files, ['docs/guide/a.txt', 'index.html']);
  });

  it('grants the store read-write and the volume read-only, and keeps them across a reload', async () => {
    const { page } = alice;
    await nav(page, 'Deploy');
    await page.getByRole('heading', { name: 'Deploy an action' }).waitFor();
    await page.locator('input[type=file]').setInputFiles(path.join(env.guests, 'hello.wasm'));
    await page.getByLabel('Name', { exact: true }).fill('hello');
    await page.getByLabel('Route').fill('/hello');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('hello is live').waitFor({ timeout: 60000 });
    await page.goto('/dashboard/actions/hello');
    await page.getByRole('heading', { name: 'Capabilities' }).waitFor();
    await page.getByText('None granted.').waitFor();

    // What the server does not offer yet is shown disabled, saying it has no effect.
    const offered = json(await apiFromPage(page, 'GET', '/api/v1/capabilities')).capabilities;
    const legends = { allowed_outbound_hosts: 'Outbound HTTP hosts', actions: 'Actions it may call', rooms: 'Rooms' };
    for (const cap of offered.filter((c) => !c.available && legends[c.name])) {
      const group = page.locator('fieldset.grant-group', { has: page.locator('legend', { hasText: legends[cap.name] }) });
      assert.equal(await group.evaluate((f) => f.disabled), true, `${cap.name} is disabled`);
      assert.match(await group.locator('legend').innerText(), /no effect yet/);
    }

    await page.getByRole('button', { name: '+ Grant a store' }).click();
    await page.getByLabel('Store 1', { exact: true }).selectOption('notes');
    await page.getByLabel('Store 1 access').selectOption('read-write');
    await page.getByRole('button', { name: '+ Mount a volume' }).click();
    await page.getByLabel('Volume 1', { exact: true }).selectOption('site');
    await page.getByLabel('Volume 1 guest path').fill('/site');
    await page.getByLabel('Volume 1 access').selectOption('read-only');
    await page.getByRole('button', { name: 'Save grants' }).click();
    await page.getByText('Grants saved.').waitFor();

    const expected = {
      key_value_stores: [{ store: 'notes', access: 'read-write' }],
      volumes: [{ volume: 'site', path: '/site', access: 'read-only' }],
    };
    const action = json(await apiFromPage(page, 'GET', '/api/v1/actions/hello'));
    assert.deepEqual(action.settings.capabilities, expected);

    await page.reload();
    await page.getByLabel('Store 1', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Store 1', { exact: true }).inputValue(), 'notes');
    assert.equal(await page.getByLabel('Store 1 access').inputValue(), 'read-write');
    assert.equal(await page.getByLabel('Volume 1', { exact: true }).inputValue(), 'site');
    assert.equal(await page.getByLabel('Volume 1 guest path').inputValue(), '/site');
    assert.equal(await page.getByLabel('Volume 1 access').inputValue(), 'read-only');
    await shot(page, '05-grants');
  });

  it('shows the server\'s message for an invalid grant and keeps the saved one', async () => {
    const { page } = alice;
    await page.getByLabel('Volume 1 guest path').fill('relative');
    await page.getByRole('button', { name: 'Save grants' }).click();
    const error = page.getByTestId('grants-error');
    await error.waitFor();
    const message = await error.innerText();
    assert.ok(message.length > 0);
    assert.match(message, /path|relative|absolute/i, `the message names the problem: ${message}`);
    await shot(page, '06-grant-error');
    const action = json(await apiFromPage(page, 'GET', '/api/v1/actions/hello'));
    assert.equal(action.settings.capabilities.volumes[0].path, '/site', 'nothing was saved');
    await page.locator('form.grants').getByRole('button', { name: 'Reset' }).click();
    assert.equal(await page.getByLabel('Volume 1 guest path').inputValue(), '/site');
  });

  it('refuses to delete a granted store, naming the action', async () => {
    const { page } = alice;
    await page.goto('/dashboard/kv');
    await page.getByRole('button', { name: 'Delete store notes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete store' }).click();
    await page.locator('.notice-error', { hasText: 'hello' }).waitFor();
    await page.locator('tr[data-store=notes]').waitFor();
  });

  it('refuses to delete a granted volume, naming the action', async () => {
    const { page } = alice;
    await page.goto('/dashboard/volumes');
    await page.getByRole('button', { name: 'Delete volume site' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Type site to confirm').fill('site');
    await dialog.getByRole('button', { name: 'Delete volume' }).click();
    await page.locator('.notice-error', { hasText: 'hello' }).waitFor();
    await shot(page, '07-delete-refused');
    assert.equal((await apiFromPage(page, 'GET', '/api/v1/volumes/site/files/index.html')).status, 200);
  });

  it('fits a phone-sized screen in dark mode', async () => {
    const phone = await newUser({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    try {
      const session = await alice.page.evaluate(() => localStorage.getItem('wa.session'));
      await phone.page.goto('/dashboard/signin');
      await phone.page.evaluate((s) => localStorage.setItem('wa.session', s), session);
      for (const [url, ready] of [
        ['/dashboard/kv', 'tr[data-store=default]'],
        ['/dashboard/kv/default', 'h2#keys-title'],
        ['/dashboard/volumes/site', 'tr[data-path="index.html"]'],
        ['/dashboard/actions/hello', '[data-grant=volume]'],
      ]) {
        await phone.page.goto(url);
        await phone.page.locator(ready).first().waitFor();
        const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `${url}: no horizontal scrolling on a phone (page is ${width}px wide)`);
      }
      await shot(phone.page, '08-phone-grants-dark');
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });

  it('deletes a store and a volume once no action grants them', async () => {
    const { page } = alice;
    assert.equal((await apiFromPage(page, 'PATCH', '/api/v1/actions/hello', { body: { settings: { capabilities: {} } } })).status, 200);
    await page.goto('/dashboard/volumes');
    await page.getByRole('button', { name: 'Delete volume site' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Type site to confirm').fill('site');
    await dialog.getByRole('button', { name: 'Delete volume' }).click();
    await page.locator('tr[data-volume=site]').waitFor({ state: 'detached' });
    assert.equal((await apiFromPage(page, 'GET', '/api/v1/volumes/site/files')).status, 404);

    await page.getByRole('link', { name: 'Key-value stores', exact: true }).click();
    await page.getByRole('button', { name: 'Delete store notes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete store' }).click();
    await page.locator('tr[data-store=notes]').waitFor({ state: 'detached' });
    assert.equal((await apiFromPage(page, 'GET', '/api/v1/kv/notes/keys')).status, 404);
    assert.deepEqual(alice.problems, []);
  });

  it('shows another user none of it', async () => {
    const { page } = alice;
    assert.equal((await apiFromPage(page, 'POST', '/api/v1/kv', { body: { name: 'secret' } })).status, 201);
    assert.equal((await apiFromPage(page, 'PUT', '/api/v1/kv/secret/values/k', { raw: [1] })).status, 204);
    const bob = await newUser();
    try {
      await register(bob.page, 'bob');
      await bob.page.goto('/dashboard/kv/secret');
      await bob.page.getByRole('heading', { name: 'Not found' }).waitFor();
      assert.equal((await apiFromPage(bob.page, 'GET', '/api/v1/kv/secret/values/k')).status, 404);
      await bob.page.goto('/dashboard/kv');
      await bob.page.locator('tr[data-store=default]').waitFor();
      assert.equal(await bob.page.locator('tr[data-store=secret]').count(), 0);
      assert.deepEqual(bob.problems, []);
    } finally {
      await bob.context.close();
    }
  });
});
