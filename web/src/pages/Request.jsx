// One request and the calls it chained to other actions (http://<action>.actions.internal/),
// as a tree: the root action's lines, then each chained call indented under its caller.
import { useEffect, useState } from 'preact/hooks';
import { get } from '../lib/api.js';
import { REQUEST_ID, buildChain, countCalls, parentOf } from '../lib/chain.js';
import { clockTime, dateTime } from '../lib/format.js';
import { Link, paths } from '../lib/router.jsx';
import { Loading, Notice, usePolling } from '../lib/ui.jsx';

const LIVE_MS = 2000;

function LogLines({ lines }) {
  if (!lines.length) return <p class="chain-empty muted">No lines of its own (a call that succeeds without writing to stderr leaves none).</p>;
  return (
    <div class="log-list chain-lines" role="log" aria-label="Log lines" aria-live="off">
      {lines.map((line) => (
        <div class={`log-line chain-line level-${line.level}`} key={line.id} data-level={line.level} data-outcome={line.outcome}>
          <time dateTime={new Date(line.time).toISOString()} title={dateTime(line.time)} class="log-time">
            {clockTime(line.time)}
          </time>
          <span class={`log-level lv-${line.level}`}>{line.level}</span>
          <span class="log-outcome">{line.outcome || '—'}</span>
          <span class="log-message">{line.message}</span>
        </div>
      ))}
    </div>
  );
}

// One call: who ran it, its outcomes, its lines, then its own chained calls. Rendered as
// nested lists (each level is indented by its list), which a screen reader announces as
// nesting too.
function CallNode({ node, depth }) {
  const failed = node.outcomes.some((o) => o !== 'ok');
  return (
    <li class="chain-node" data-request-id={node.id} data-depth={depth}>
      <div class="chain-head">
        {node.actions.length ? (
          node.actions.map((name) => (
            <Link key={name} class="chain-action" href={paths.action(name, 'logs')} title={`The logs of ${name}`}>
              {name}
            </Link>
          ))
        ) : (
          <span class="chain-action muted">unknown action</span>
        )}
        <code class="chain-id">{node.id}</code>
        {node.outcomes.map((o) => (
          <span key={o} class={`pill chain-outcome ${o === 'ok' ? '' : 'pill-bad'}`}>
            {o}
          </span>
        ))}
        {depth > 0 && <span class="muted chain-depth">depth {depth}</span>}
        {node.inferred && <span class="muted">(named by its calls)</span>}
      </div>
      <div class={`chain-body ${failed ? 'chain-failed' : ''}`}>
        <LogLines lines={node.lines} />
      </div>
      {node.children.length > 0 && (
        <ul class="chain-children" aria-label={`Calls made by ${node.id}`}>
          {node.children.map((child) => (
            <CallNode key={child.id} node={child} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function RequestPage({ id }) {
  const valid = REQUEST_ID.test(id);
  const [answer, setAnswer] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState(false);
  const [loadedAt, setLoadedAt] = useState(0);

  const load = async () => {
    if (!valid) return;
    setBusy(true);
    try {
      const loaded = await get(`/requests/${encodeURIComponent(id)}`);
      setAnswer(loaded);
      setError(null);
      setLoadedAt(Date.now());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    setAnswer(null);
    setError(null);
    load();
  }, [id]);
  // While live, the lines of calls still running (or of requests replayed) come in.
  usePolling(() => (live ? load() : Promise.resolve()), LIVE_MS, [id, live]);

  const parent = parentOf(id);
  const root = id.split('.')[0];
  const entries = answer?.entries || [];
  const { root: tree, orphans } = buildChain(id, entries);
  const calls = countCalls(tree);
  return (
    <section class="request-page">
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <Link href={paths.actions()}>Actions</Link> <span aria-hidden="true">/</span> <span>Request</span>
      </nav>
      <div class="page-head">
        <div>
          <h1 tabindex="-1">
            Request <code class="request-title-id">{id}</code>
          </h1>
          <p class="muted">
            {parent ? (
              <>
                A call chained from <Link href={paths.request(parent)}>{parent}</Link>
                {parent !== root && (
                  <>
                    {' '}
                    (first request <Link href={paths.request(root)}>{root}</Link>)
                  </>
                )}
                .
              </>
            ) : (
              'The request as it reached the server, and every call it chained to your other actions.'
            )}
          </p>
        </div>
        <div class="live-box">
          {loadedAt > 0 && (
            <span class="muted" role="status">
              Updated {clockTime(loadedAt)}
            </span>
          )}
          <button type="button" class="button small" onClick={load} disabled={!valid || busy}>
            {busy ? 'Refreshing…' : 'Refresh'}
          </button>
          <button type="button" class="button small" aria-pressed={live ? 'true' : 'false'} disabled={!valid} onClick={() => setLive(!live)}>
            {live ? 'Stop live refresh' : 'Live refresh'}
          </button>
        </div>
      </div>
      {!valid && (
        <Notice tone="error" title="Not a request id">
          A request id is hex digits, with ".1", ".2", … for each chained call (like the X-Request-Id header).
        </Notice>
      )}
      {error && <Notice tone="error" title="Could not load the request">{error.message}</Notice>}
      {valid && !answer && !error && <Loading label="Loading request…" />}
      {answer && entries.length === 0 && (
        <p class="card muted" data-testid="request-empty">
          No log lines for this request among your actions. A call that writes nothing to stderr and
          succeeds leaves none; lines are also pruned after a while.
        </p>
      )}
      {answer && entries.length > 0 && (
        <>
          <p class="hint">
            {entries.length} line{entries.length === 1 ? '' : 's'} from {calls} call{calls === 1 ? '' : 's'}, oldest first
            within each call.
          </p>
          <ul class="chain-tree" aria-label={`Calls of request ${id}`}>
            <CallNode node={tree} depth={0} />
          </ul>
          {orphans.length > 0 && (
            <section class="card" aria-labelledby="orphans-title">
              <h2 id="orphans-title">Other lines</h2>
              <LogLines lines={orphans} />
            </section>
          )}
        </>
      )}
    </section>
  );
}
