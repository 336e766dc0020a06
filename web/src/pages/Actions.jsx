// The signed-in user's actions with their status and recent traffic.
import { useRef, useState } from 'preact/hooks';
import { get } from '../lib/api.js';
import { actionStatus, ago, count, lastHour, ms, routeUrl } from '../lib/format.js';
import { Link, paths } from '../lib/router.jsx';
import { actionsOrigin } from '../lib/origins.js';
import { getSession } from '../lib/session.js';
import { CodeBlock, Loading, Notice, StatusBadge, usePolling } from '../lib/ui.jsx';

async function loadActions() {
  const { actions } = await get('/actions');
  // The list has no traffic numbers: each action's stats come from its own endpoint.
  const stats = await Promise.all(
    actions.map((action) => get(`/actions/${encodeURIComponent(action.name)}/stats`).catch(() => null)),
  );
  return actions.map((action, i) => ({ ...action, stats: stats[i] }));
}

export function ActionsPage() {
  const [actions, setActions] = useState(null);
  const [error, setError] = useState(null);

  const compiling = useRef(false);
  usePolling(
    async () => {
      try {
        const loaded = await loadActions();
        compiling.current = loaded.some((a) => a.status === 'compiling');
        setActions(loaded);
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    () => (compiling.current ? 1000 : 10000),
  );

  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabindex="-1">Actions</h1>
          <p class="muted">WebAssembly modules answering HTTP requests on your routes.</p>
        </div>
        {actions && actions.length > 0 && (
          <Link class="button primary" href={paths.deploy()}>
            Deploy an action
          </Link>
        )}
      </div>
      {error && <Notice tone="error" title="Could not load your actions">{error.message}</Notice>}
      {!actions && !error && <Loading label="Loading actions…" />}
      {actions && actions.length === 0 && <EmptyState />}
      {actions && actions.length > 0 && <ActionsTable actions={actions} />}
    </section>
  );
}

function ActionsTable({ actions }) {
  return (
    <div class="card flush">
      <table class="table responsive actions-table">
        <caption class="visually-hidden">Your actions</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Route</th>
            <th scope="col">Status</th>
            <th scope="col">Version</th>
            <th scope="col" class="num">Requests (1 h)</th>
            <th scope="col" class="num">Avg</th>
            <th scope="col" class="num">p95</th>
            <th scope="col">Last deploy</th>
          </tr>
        </thead>
        <tbody>
          {actions.map((action) => {
            const latency = action.stats && action.stats.latency_ms;
            const hasTraffic = action.stats && action.stats.requests > 0;
            return (
              <tr key={action.name} data-action={action.name}>
                <th scope="row" data-label="Name">
                  <Link href={paths.action(action.name)} class="strong-link">
                    {action.name}
                  </Link>
                </th>
                <td data-label="Route">
                  <a href={routeUrl(action.route)} target="_blank" rel="noopener" class="mono route-link" title="Open in a new tab">
                    {action.route}
                  </a>
                </td>
                <td data-label="Status">
                  <StatusBadge status={actionStatus(action)} />
                </td>
                <td data-label="Version">{action.current_version ? `v${action.current_version.version}` : '—'}</td>
                <td data-label="Requests (1 h)" class="num" data-col="requests">
                  {count(lastHour(action.stats))}
                </td>
                <td data-label="Avg" class="num">{hasTraffic ? ms(latency.avg) : '—'}</td>
                <td data-label="p95" class="num">{hasTraffic ? ms(latency.p95) : '—'}</td>
                <td data-label="Last deploy">
                  <time dateTime={new Date(action.current_version?.created_at || action.updated_at).toISOString()}>
                    {ago(action.current_version?.created_at || action.updated_at)}
                  </time>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EmptyState() {
  const user = getSession()?.user?.username || 'YOUR_NAME';
  const cli = `export WASM_ACTIONS_SERVER=${actionsOrigin()}\nwasm-actions login ${user}\nwasm-actions deploy hello.wasm --name hello --route /hello`;
  return (
    <div class="card empty-state">
      <img class="empty-icon" src="/static/favicon.svg" alt="" width="44" height="44" />
      <h2>Deploy your first action</h2>
      <p>
        An action is a WebAssembly module (WASI preview 1) bound to a URL. Each request runs a fresh
        instance: the request arrives as CGI environment variables and stdin, and whatever the module
        prints to stdout — headers, a blank line, then the body — is the response.
      </p>
      <ol class="steps">
        <li>
          Compile a program to <code>wasm32-wasi</code>, for example{' '}
          <code>clang --target=wasm32-wasi -O2 hello.c -o hello.wasm</code>.
        </li>
        <li>
          Upload it here with a name and a route such as <code>/hello</code>, or use the command
          line:
        </li>
      </ol>
      <CodeBlock copy={cli}>{cli}</CodeBlock>
      <div class="empty-actions">
        <Link class="button primary" href={paths.deploy()}>
          Deploy from the browser
        </Link>
      </div>
    </div>
  );
}
