// The action's log lines with a live tail (Server-Sent Events read through fetch()).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, streamLogs } from '../lib/api.js';
import { clockTime, dateTime } from '../lib/format.js';
import { Link, paths } from '../lib/router.jsx';
import { Notice } from '../lib/ui.jsx';

const MAX_LINES = 2000;

function merge(lines, more) {
  const byId = new Map(lines.map((line) => [line.id, line]));
  for (const line of more) byId.set(line.id, line);
  const all = [...byId.values()].sort((a, b) => a.id - b.id);
  return all.length > MAX_LINES ? all.slice(all.length - MAX_LINES) : all;
}

// Connects, reconnects with back-off, and stops when `live` is off or the view closes.
function useLiveTail(name, live, onLines) {
  const [state, setState] = useState('connecting');
  useEffect(() => {
    if (!live) {
      setState('paused');
      return;
    }
    const controller = new AbortController();
    let delay = 1000;
    let stopped = false;
    (async () => {
      while (!stopped) {
        setState('connecting');
        try {
          await streamLogs(name, {
            signal: controller.signal,
            onOpen: () => {
              setState('live');
              delay = 1000;
            },
            onEntry: (entry) => onLines([entry]),
          });
        } catch (error) {
          if (stopped) return;
          if (error.status === 401 || error.status === 404) {
            setState('error');
            return;
          }
        }
        if (stopped) return;
        setState('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(15000, delay * 2);
      }
    })();
    return () => {
      stopped = true;
      controller.abort();
    };
  }, [name, live]);
  return state;
}

const STATE_TEXT = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  paused: 'Paused',
  error: 'Stream unavailable',
};

export function LogsView({ action }) {
  const [lines, setLines] = useState([]);
  const [loadError, setLoadError] = useState(null);
  const [loaded, setLoaded] = useState(false);
  const [live, setLive] = useState(true);
  const [level, setLevel] = useState('all');
  const [outcome, setOutcome] = useState('all');
  const [text, setText] = useState('');
  const [requestId, setRequestId] = useState(() => new URLSearchParams(location.search).get('request') || '');
  const list = useRef(null);
  const stick = useRef(true);

  const add = (more) => setLines((current) => merge(current, more));
  useEffect(() => {
    setLines([]);
    get(`/actions/${encodeURIComponent(action.name)}/logs?limit=500`)
      .then((answer) => add(answer.logs || []))
      .catch(setLoadError)
      .finally(() => setLoaded(true));
  }, [action.name]);
  const state = useLiveTail(action.name, live, add);

  const outcomes = useMemo(() => [...new Set(lines.map((l) => l.outcome).filter(Boolean))].sort(), [lines]);
  const shown = lines.filter(
    (l) =>
      (level === 'all' || l.level === level) &&
      (outcome === 'all' || l.outcome === outcome) &&
      (!requestId || l.request_id === requestId) &&
      (!text || l.message.toLowerCase().includes(text.toLowerCase())),
  );

  // Follow the tail while the list is scrolled to the bottom.
  useEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [shown.length]);
  const onScroll = () => {
    const el = list.current;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };

  return (
    <section class="card logs-card" aria-labelledby="logs-title">
      <div class="section-head">
        <h2 id="logs-title">Logs</h2>
        <div class="live-box">
          <span class={`live-state live-${state}`} role="status" aria-live="polite">
            <span class="dot" aria-hidden="true" />
            {STATE_TEXT[state]}
          </span>
          <button type="button" class="button small" aria-pressed={live ? 'true' : 'false'} onClick={() => setLive(!live)}>
            {live ? 'Pause live tail' : 'Resume live tail'}
          </button>
        </div>
      </div>
      <div class="filters" role="group" aria-label="Filter log lines">
        <div class="field inline">
          <label for="log-level">Level</label>
          <select id="log-level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="all">All levels</option>
            <option value="info">Info</option>
            <option value="warn">Warning</option>
            <option value="error">Error</option>
          </select>
        </div>
        <div class="field inline">
          <label for="log-outcome">Outcome</label>
          <select id="log-outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)}>
            <option value="all">All outcomes</option>
            {outcomes.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div class="field inline grow">
          <label for="log-search">Search</label>
          <input id="log-search" type="search" placeholder="Text in the message" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        {requestId && (
          <button type="button" class="button small ghost" onClick={() => setRequestId('')}>
            Request {requestId} ×<span class="visually-hidden"> (clear the request filter)</span>
          </button>
        )}
      </div>
      {loadError && <Notice tone="error">Could not load the logs: {loadError.message}</Notice>}
      <div class="log-list" ref={list} onScroll={onScroll} tabindex="0" role="log" aria-label="Log lines" aria-live="off">
        {loaded && shown.length === 0 && (
          <p class="log-empty">
            {lines.length === 0
              ? 'No log lines yet. The guest’s stderr, errors and timeouts appear here as they happen.'
              : 'No line matches the filters.'}
          </p>
        )}
        {shown.map((line) => (
          <div class={`log-line level-${line.level}`} key={line.id} data-level={line.level} data-outcome={line.outcome}>
            <time dateTime={new Date(line.time).toISOString()} title={dateTime(line.time)} class="log-time">
              {clockTime(line.time)}
            </time>
            <span class={`log-level lv-${line.level}`}>{line.level}</span>
            <span class="log-outcome">{line.outcome || '—'}</span>
            <span class="log-request-cell">
              <Link class="log-request" href={paths.request(line.request_id)} title="The request and the calls it chained"
                aria-label={`Request ${line.request_id}`}>
                {line.request_id}
              </Link>
              <button type="button" class="log-filter" title="Show only this request here" onClick={() => setRequestId(line.request_id)}
                aria-label={`Show only request ${line.request_id} in this list`}>
                ⌕
              </button>
            </span>
            <span class="log-message">{line.message}</span>
          </div>
        ))}
      </div>
      <p class="hint">
        Showing {shown.length} of {lines.length} lines (newest last). Successful requests that print
        nothing to stderr leave no line.
      </p>
    </section>
  );
}
