// Rooms in Chromium against the real server (issue 11): the chat example (examples/chat:
// one action serves the page and handles the room) in two tabs, each joined with its own
// name: the member list shows both, a message typed in one appears in the other, and
// closing a tab shows its leave notice in the other. Then the dashboard's Rooms tab lists
// the live room with its connection and last events, and its test message reaches the
// chat page that is still open.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkEnvironment, env, launchBrowser, startServer } from './harness.mjs';

const PASSWORD = 'correct horse battery';
let server;
let browser;
let token = '';
let chat; // browser context for the chat tabs (one origin, like one person's browser)
let ann;
let bob;
let dash; // the dashboard's context and page
let dashPage;
const problems = [];

function watch(page, who) {
  page.setDefaultTimeout(15000);
  page.on('pageerror', (error) => problems.push(`${who}: page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (4|5)\d\d/.test(message.text())) problems.push(`${who}: console: ${message.text()}`);
  });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(env.artifacts, `rooms-${name}.png`), fullPage: true });
}

async function api(method, target, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined && !(body instanceof FormData)) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${server.url}/api/v1${target}`, {
    method,
    headers,
    body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

async function deployChat() {
  const form = new FormData();
  form.append('name', 'chat');
  form.append('route', '/chat/...');
  form.append('settings', JSON.stringify({
    env: { CHAT_ROOMS: '/rooms/alice/chat' },
    capabilities: { rooms: true, key_value_stores: [{ store: 'default', access: 'read-write' }] },
  }));
  form.append('module', new Blob([readFileSync(path.join(env.guests, 'chat.wasm'))]), 'chat.wasm');
  const created = await api('POST', '/actions', form);
  assert.equal(created.status, 201, created.text);
  // Compiled once its page answers.
  const deadline = Date.now() + 60000;
  for (;;) {
    const response = await fetch(`${server.url}/chat`);
    const text = await response.text();
    if (response.status === 200) {
      assert.match(text, /<meta name="chat-rooms" content="\/rooms\/alice\/chat">/);
      return;
    }
    if (Date.now() > deadline) throw new Error(`/chat answered ${response.status}: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const memberNames = (page) => page.locator('#members li').allInnerTexts();

describe('rooms in Chromium', { concurrency: 1 }, () => {
  before(async () => {
    checkEnvironment();
    assert.ok(readFileSync(path.join(env.guests, 'chat.wasm')).length > 0, 'chat.wasm is built (examples/chat)');
    server = await startServer();
    browser = await launchBrowser();
    const registered = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    const answer = await registered.text();
    assert.equal(registered.status, 201, answer);
    token = JSON.parse(answer).token;
    await deployChat();
    chat = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('two tabs join the chat and see each other in the member list', async () => {
    ann = watch(await chat.newPage(), 'ann');
    await ann.goto(`${server.url}/chat?name=ann`);
    await ann.locator('#status', { hasText: 'connected as ann' }).waitFor();
    bob = watch(await chat.newPage(), 'bob');
    await bob.goto(`${server.url}/chat?name=bob`);
    await bob.locator('#status', { hasText: 'connected as bob' }).waitFor();

    // ann learns of bob through his join notice; bob's welcome lists both.
    await ann.locator('#log li.notice', { hasText: 'bob joined' }).waitFor();
    await ann.locator('#members li', { hasText: 'bob' }).waitFor();
    assert.deepEqual((await memberNames(ann)).sort(), ['ann', 'bob']);
    assert.deepEqual((await memberNames(bob)).sort(), ['ann', 'bob']);
    assert.equal(await ann.locator('#count').innerText(), '2');
    await shot(bob, '01-two-members');
  });

  it('a message typed in one tab appears in the other', async () => {
    await ann.getByLabel('Message', { exact: true }).fill('hello from ann <b>not bold</b>');
    await ann.getByLabel('Message', { exact: true }).press('Enter');
    const line = bob.locator('#log li.message', { hasText: 'hello from ann' });
    await line.waitFor();
    assert.equal(await line.locator('.name').innerText(), 'ann');
    // Text stays text: no markup from a message reaches the page.
    assert.equal(await bob.locator('#log b').count(), 0);
    assert.match(await line.innerText(), /<b>not bold<\/b>/);
    // The sender sees its own message too, marked as its own.
    await ann.locator('#log li.message.self', { hasText: 'hello from ann' }).waitFor();

    await bob.getByLabel('Message', { exact: true }).fill('hi ann');
    await bob.getByRole('button', { name: 'Send' }).click();
    await ann.locator('#log li.message', { hasText: 'hi ann' }).waitFor();
    await shot(ann, '02-messages');
  });

  it('the dashboard lists the live room and sends a test message into it', async () => {
    dash = await browser.newContext({ baseURL: server.dashboardUrl, viewport: { width: 1280, height: 900 } });
    const page = watch(await dash.newPage(), 'dashboard');
    dashPage = page;
    await page.goto('/dashboard/signin');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Actions', level: 1 }).waitFor();
    await page.goto('/dashboard/actions/chat/rooms');
    await page.getByRole('heading', { name: 'Live rooms' }).waitFor();
    assert.match(await page.getByTestId('rooms-url').innerText(), /^ws:\/\/127\.0\.0\.1:\d+\/rooms\/alice\/chat\/ROOM$/);

    const row = page.locator('tr[data-room=lobby]');
    await row.waitFor();
    await row.locator('[data-col=connections]', { hasText: /^2$/ }).waitFor();
    // The last events name the joins and the messages.
    await page.locator('[data-testid=recent-events] li[data-kind=join]').first().waitFor();
    await page.locator('[data-testid=recent-events] li[data-kind=message]').first().waitFor();

    await page.getByLabel('Room', { exact: true }).fill('lobby');
    await page.getByLabel('Message', { exact: true }).fill('{"type":"say","text":"hello from the dashboard"}');
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.getByTestId('test-outcome').filter({ hasText: 'ok' }).waitFor();
    const emitted = page.locator('[data-testid=emitted-events] li[data-type=broadcast]');
    await emitted.waitFor();
    assert.match(await emitted.innerText(), /hello from the dashboard/);
    // ...and the open chat tabs got it.
    await ann.locator('#log li.message', { hasText: 'hello from the dashboard' }).waitFor();
    await bob.locator('#log li.message', { hasText: 'hello from the dashboard' }).waitFor();
    assert.equal(await ann.locator('#log li.message', { hasText: 'hello from the dashboard' }).locator('.name').innerText(), 'dashboard');
    await shot(page, '03-dashboard-rooms');

    // A binary test message: the chat answers the sender (the dashboard) with an error reply.
    await page.getByLabel('Encoding').selectOption('base64');
    await page.getByLabel('Message', { exact: true }).fill('AP8B');
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.locator('[data-testid=emitted-events] li[data-type=reply]', { hasText: 'text messages only' }).waitFor();
  });

  it('closing a tab shows its leave notice in the other', async () => {
    await bob.close();
    await ann.locator('#log li.notice', { hasText: 'bob left' }).waitFor();
    await ann.locator('#count', { hasText: /^1$/ }).waitFor();
    assert.deepEqual(await memberNames(ann), ['ann']);
    await shot(ann, '04-bob-left');
    // The room's count follows in the API the dashboard polls.
    const deadline = Date.now() + 10000;
    let lobby;
    do {
      const listed = await api('GET', '/actions/chat/rooms');
      assert.equal(listed.status, 200, listed.text);
      lobby = listed.json().rooms.find((r) => r.room === 'lobby');
      if (lobby && lobby.connections === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < deadline);
    assert.equal(lobby && lobby.connections, 1);
  });

  it('the settings choose the room mode, and the Rooms tab says which', async () => {
    const page = dashPage;
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByLabel('Room instances').selectOption('persistent');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    const shown = await api('GET', '/actions/chat');
    assert.equal(shown.json().settings.room_mode, 'persistent');
    await page.getByRole('link', { name: 'Rooms' }).click();
    await page.getByText('one live instance per room').waitFor();
    await dash.close();
    assert.deepEqual(problems, []);
  });
});
