// Send a request to the action and see status, headers, body, duration and the guest's
// stderr for that very request (found in the logs by its X-Request-Id).
import { useEffect, useState } from 'preact/hooks';
import { get } from '../lib/api.js';
import { bytes, ms, routePath } from '../lib/format.js';
import { actionsOrigin } from '../lib/origins.js';
import { Link, paths } from '../lib/router.jsx';
import { getSession } from '../lib/session.js';
import { Field, Notice, Spinner } from '../lib/ui.jsx';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const MAX_RECENT = 12;

function recentKey(name) {
  const user = getSession()?.user?.username || 'anon';
  return `wa.tester.${user}.${name}`;
}

function loadRecent(name) {
  try {
    const list = JSON.parse(localStorage.getItem(recentKey(name)) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function parseHeaders(text) {
  const headers = [];
  const problems = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const colon = line.indexOf(':');
    if (colon <= 0) problems.push(`Line ${i + 1}: write "Name: value"`);
    else headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return { headers, problem: problems[0] };
}

function prettyBody(text, contentType) {
  const looksJson = /json/i.test(contentType || '') || /^\s*[[{]/.test(text);
  if (looksJson) {
    try {
      return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
    } catch {
      /* not JSON after all */
    }
  }
  return { text, json: false };
}

// The guest's log lines for one request; they are written as the call finishes, so a
// short retry covers the race with the response.
async function stderrFor(actionName, requestId, since) {
  for (let attempt = 0; attempt < 4; attempt++) {
    const { logs } = await get(`/actions/${encodeURIComponent(actionName)}/logs?since=${since}&limit=1000`);
    const mine = (logs || []).filter((l) => l.request_id === requestId);
    if (mine.length || attempt === 3) return mine;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return [];
}

export function TesterView({ action }) {
  const base = routePath(action.route);
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState(base);
  const [headerText, setHeaderText] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [pathError, setPathError] = useState('');
  const [headerError, setHeaderError] = useState('');
  const [recent, setRecent] = useState(() => loadRecent(action.name));

  useEffect(() => setRecent(loadRecent(action.name)), [action.name]);

  const remember = (entry) => {
    const list = [entry, ...recent.filter((r) => !(r.method === entry.method && r.path === entry.path && r.headers === entry.headers && r.body === entry.body))].slice(0, MAX_RECENT);
    setRecent(list);
    localStorage.setItem(recentKey(action.name), JSON.stringify(list));
  };

  const send = async (request = { method, path, headers: headerText, body }) => {
    setPathError('');
    setHeaderError('');
    setError(null);
    if (!request.path.startsWith('/')) return setPathError('The path starts with "/", e.g. /hello?name=world');
    const { headers, problem } = parseHeaders(request.headers);
    if (problem) return setHeaderError(problem);
    const hasBody = !['GET', 'HEAD'].includes(request.method) && request.body !== '';
    setBusy(true);
    const since = Date.now() - 2000;
    const started = performance.now();
    try {
      // Actions live on their own origin, which lets this origin read their answers.
      const response = await fetch(actionsOrigin() + request.path, {
        mode: 'cors',
        method: request.method,
        headers: headers,
        body: hasBody ? request.body : undefined,
        redirect: 'manual',
        cache: 'no-store',
      });
      const text = await response.text();
      const duration = performance.now() - started;
      const requestId = response.headers.get('x-request-id');
      const entry = {
        status: response.status,
        statusText: response.statusText,
        type: response.type,
        headers: [...response.headers.entries()],
        body: text,
        contentType: response.headers.get('content-type'),
        duration,
        requestId,
        stderr: null,
        at: Date.now(),
      };
      setResult(entry);
      remember({ ...request, status: response.status, at: entry.at });
      if (requestId) {
        try {
          const lines = await stderrFor(action.name, requestId, since);
          setResult({ ...entry, stderr: lines });
        } catch (e) {
          setResult({ ...entry, stderr: [], stderrError: e.message });
        }
      }
    } catch (e) {
      setError(`The request failed: ${e.message}`);
    } finally {
      setBusy(false);
    }
  };

  const load = (r) => {
    setMethod(r.method);
    setPath(r.path);
    setHeaderText(r.headers);
    setBody(r.body);
  };

  const onKeyDown = (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    }
  };

  return (
    <div class="tester">
      <form class="card tester-form" aria-labelledby="tester-title" onKeyDown={onKeyDown}
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }} noValidate>
        <h2 id="tester-title">Request</h2>
        <div class="request-line">
          <div class="field">
            <label for="tester-method">Method</label>
            <select id="tester-method" value={method} onChange={(e) => setMethod(e.currentTarget.value)}>
              {METHODS.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </div>
          <Field label="Path and query" error={pathError} className="grow">
            {(props) => (
              <input {...props} name="path" class="mono" value={path} spellcheck={false} autocomplete="off"
                placeholder={`${base}?name=world`} onInput={(e) => setPath(e.currentTarget.value)} />
            )}
          </Field>
        </div>
        <Field label="Headers" error={headerError} hint='One per line: "Name: value".'>
          {(props) => (
            <textarea {...props} name="headers" class="mono" rows="3" spellcheck={false} placeholder="Content-Type: application/json"
              value={headerText} onInput={(e) => setHeaderText(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Body" hint={['GET', 'HEAD'].includes(method) ? `${method} requests are sent without a body.` : 'Sent to the guest on stdin.'}>
          {(props) => (
            <textarea {...props} name="body" class="mono" rows="5" spellcheck={false} disabled={['GET', 'HEAD'].includes(method)}
              value={body} onInput={(e) => setBody(e.currentTarget.value)} />
          )}
        </Field>
        <div class="form-footer">
          <span class="grow hint">Ctrl+Enter sends.</span>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Sending…' : 'Send request'}
          </button>
        </div>
        <RecentRequests recent={recent} onLoad={load} onSend={(r) => { load(r); send(r); }} onClear={() => {
          setRecent([]);
          localStorage.removeItem(recentKey(action.name));
        }} busy={busy} />
      </form>
      <section class="card tester-result" aria-labelledby="response-title" aria-busy={busy ? 'true' : 'false'}>
        <h2 id="response-title">Response</h2>
        {error && <Notice tone="error">{error}</Notice>}
        {busy && !result && <Spinner label="Waiting for the response" />}
        {!result && !busy && !error && <p class="muted">Send a request to see the status, headers, body and the guest’s stderr.</p>}
        {result && <ResponseView result={result} />}
      </section>
    </div>
  );
}

function RecentRequests({ recent, onLoad, onSend, onClear, busy }) {
  if (!recent.length) return null;
  return (
    <div class="recent">
      <div class="section-head">
        <h3>Recent requests</h3>
        <button type="button" class="button small ghost" onClick={onClear}>
          Clear
        </button>
      </div>
      <ul class="recent-list">
        {recent.map((r, i) => (
          <li key={i}>
            <button type="button" class="recent-load" onClick={() => onLoad(r)} aria-label={`Load ${r.method} ${r.path} into the form`}>
              <span class="method">{r.method}</span>
              <span class="mono path">{r.path}</span>
              <span class={`status-chip s${String(r.status)[0]}`}>{r.status}</span>
            </button>
            <button type="button" class="button small" disabled={busy} onClick={() => onSend(r)} aria-label={`Re-send ${r.method} ${r.path}`}>
              Re-send
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ResponseView({ result }) {
  const pretty = prettyBody(result.body, result.contentType);
  const redirected = result.type === 'opaqueredirect';
  return (
    <div class="response">
      <div class="response-summary">
        <span class={`status-chip big s${String(result.status)[0]}`} data-testid="response-status">
          {redirected ? 'Redirect' : `${result.status} ${result.statusText}`}
        </span>
        <span>
          <span class="muted">Time</span> <strong data-testid="response-duration">{ms(result.duration)}</strong>
        </span>
        <span>
          <span class="muted">Size</span> <strong>{bytes(new Blob([result.body]).size)}</strong>
        </span>
        {result.requestId && (
          <span>
            <span class="muted">Request</span>{' '}
            <Link href={paths.request(result.requestId)} title="The request and the calls it chained">
              <code>{result.requestId}</code>
            </Link>
          </span>
        )}
      </div>
      <details open>
        <summary>Body{pretty.json ? ' (JSON)' : ''}</summary>
        {result.body ? <pre class="body-view" data-testid="response-body">{pretty.text}</pre> : <p class="muted">Empty body.</p>}
      </details>
      <details>
        <summary>Headers ({result.headers.length})</summary>
        <dl class="header-list">
          {result.headers.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd class="mono">{v}</dd>
            </div>
          ))}
        </dl>
      </details>
      <details open>
        <summary>Guest stderr and errors</summary>
        {result.stderr === null && <Spinner label="Looking up the logs" />}
        {result.stderrError && <Notice tone="error">{result.stderrError}</Notice>}
        {result.stderr && result.stderr.length === 0 && <p class="muted" data-testid="stderr-empty">Nothing was written to stderr for this request.</p>}
        {result.stderr && result.stderr.length > 0 && (
          <pre class="stderr-view" data-testid="response-stderr">
            {result.stderr.map((l) => `${l.level === 'info' ? '' : `[${l.level}] `}${l.message}`).join('\n')}
          </pre>
        )}
      </details>
    </div>
  );
}
