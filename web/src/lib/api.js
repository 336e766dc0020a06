// The only way the dashboard talks to the server: the REST API under /api/v1.
import { endSession, expireSession, token } from './session.js';

export class ApiError extends Error {
  constructor(status, kind, message) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

function parseBody(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toError(status, text, statusText) {
  const data = parseBody(text);
  // Both `{error: kind, message}` and `{error: {kind, message}}` bodies are understood.
  const nested = data && data.error && typeof data.error === 'object' ? data.error : null;
  const kind = (nested ? nested.kind : data && data.error) || (status ? `http_${status}` : 'network');
  const message =
    (nested && nested.message) || (data && data.message) || (text && text.length < 300 ? text.trim() : '') ||
    statusText || 'The server gave no answer';
  return new ApiError(status, kind, message);
}

// A bad or expired token is a 401 everywhere; a signed-in user goes back to sign-in.
function checkAuth(status, sentToken) {
  if (status === 401 && sentToken && sentToken === token()) expireSession();
}

function authHeaders() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

export async function api(method, path, body) {
  const headers = authHeaders();
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const sent = token();
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  } catch (error) {
    throw new ApiError(0, 'network', `Cannot reach the server (${error.message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    checkAuth(response.status, sent);
    throw toError(response.status, text, response.statusText);
  }
  return parseBody(text);
}

export const get = (path) => api('GET', path);

// Raw bytes both ways (KV values, volume files): the body is sent as given (a Blob, File,
// ArrayBuffer or Uint8Array) and answers come back as an ArrayBuffer, never parsed as JSON.
export async function rawRequest(method, path, body) {
  const headers = authHeaders();
  if (body !== undefined) headers['Content-Type'] = 'application/octet-stream';
  const sent = token();
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { method, headers, body });
  } catch (error) {
    throw new ApiError(0, 'network', `Cannot reach the server (${error.message})`);
  }
  if (!response.ok) {
    checkAuth(response.status, sent);
    throw toError(response.status, await response.text(), response.statusText);
  }
  return { status: response.status, type: response.headers.get('Content-Type') || '', data: await response.arrayBuffer() };
}

// Revokes the session on the server (so a copy of the token is worthless too), then
// forgets it here. Signed out locally even when the server cannot be reached.
export async function signOut(message = 'You have signed out.') {
  try {
    await api('POST', '/auth/logout');
  } catch {
    /* an expired or revoked session is signed out already */
  }
  endSession(message);
}

// Uploads with progress events (fetch cannot report upload progress).
export function upload(method, path, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, `/api/v1${path}`);
    const sent = token();
    if (sent) xhr.setRequestHeader('Authorization', `Bearer ${sent}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(parseBody(xhr.responseText));
      } else {
        checkAuth(xhr.status, sent);
        reject(toError(xhr.status, xhr.responseText, xhr.statusText));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed: connection lost'));
    xhr.send(body);
  });
}

// Follows the Server-Sent Events log stream with fetch(), so the token travels in the
// Authorization header rather than in the URL. Calls onEntry(log) for each line, onOpen()
// once connected; resolves when the stream ends, rejects on errors. Abort with `signal`.
export async function streamLogs(name, { onEntry, onOpen, signal }) {
  const sent = token();
  const response = await fetch(`/api/v1/actions/${encodeURIComponent(name)}/logs/stream`, {
    headers: { ...authHeaders(), Accept: 'text/event-stream' },
    signal,
  });
  if (!response.ok) {
    checkAuth(response.status, sent);
    throw toError(response.status, await response.text(), response.statusText);
  }
  onOpen && onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      const entry = parseBody(data);
      if (entry) onEntry(entry);
    }
  }
}

// Which form field an API error is about, from its kind and message.
export function fieldOf(error, fields) {
  if (!error) return null;
  const kind = error.kind || '';
  const message = (error.message || '').toLowerCase();
  if (['not_wasm', 'invalid_module', 'unsupported_feature', 'unsupported_import'].includes(kind)) {
    return fields.includes('module') ? 'module' : null;
  }
  if (kind === 'invalid_route' || kind === 'reserved_route') return 'route';
  const mentions = [
    ['route', 'route'],
    ['timeout', 'timeout'],
    ['memory', 'memory'],
    ['env', 'env'],
    ['invite', 'invite'],
    ['password', 'password'],
    ['username', 'username'],
    ['action name', 'name'],
    ['named', 'name'],
    ['"name"', 'name'],
    ['module', 'module'],
    ['.wasm', 'module'],
  ];
  for (const [word, field] of mentions) {
    if (message.includes(word) && fields.includes(field)) return field;
  }
  return null;
}
