// An action's live rooms (GET /actions/NAME/rooms, polled every 2 s): connections,
// messages/s, counters and each room's last events; and a form that sends a test message
// into a room (POST .../rooms/ROOM/messages: onMessage runs as connection "dashboard",
// what it emits reaches the members) and shows the emitted events.
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../lib/api.js';
import { clockTime, count, ms } from '../lib/format.js';
import { actionsOrigin } from '../lib/origins.js';
import { Link, paths } from '../lib/router.jsx';
import { Field, Notice, Spinner, usePolling } from '../lib/ui.jsx';
import { decodeUtf8, fromBase64 } from '../lib/binary.js';

const POLL_MS = 2000;
const ROOM_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;

export function roomsUrl(action) {
  const ws = actionsOrigin().replace(/^http/, 'ws');
  return `${ws}/rooms/${encodeURIComponent(action.owner || '')}/${encodeURIComponent(action.name)}/ROOM`;
}

// One emitted event's payload as text: UTF-8 as it is, base64 decoded when it is text,
// else a note of its size.
export function payloadText(event) {
  if (typeof event.payload !== 'string') return '';
  if (event.payload_encoding !== 'base64') return event.payload;
  try {
    const bytes = fromBase64(event.payload);
    const text = decodeUtf8(bytes);
    return text === null ? `(${bytes.length} bytes of binary)` : text;
  } catch {
    return event.payload;
  }
}

const plural = (n, word) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

export function RoomsView({ action }) {
  const granted = action.settings?.capabilities?.rooms === true;
  const [rooms, setRooms] = useState(null);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState('');

  const load = async () => {
    try {
      const answer = await get(`/actions/${encodeURIComponent(action.name)}/rooms`);
      setRooms(Array.isArray(answer?.rooms) ? answer.rooms : []);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  usePolling(load, POLL_MS, [action.name]);

  const current = rooms && (rooms.find((r) => r.room === selected) || rooms[0]);
  const totalConnections = (rooms || []).reduce((n, r) => n + (r.connections || 0), 0);

  return (
    <div class="rooms-view">
      {!granted && (
        <Notice tone="warn" title="This action is not granted rooms">
          Turn on <strong>Handle WebSocket rooms</strong> under Capabilities on the{' '}
          <Link href={paths.action(action.name, '')}>overview</Link>; clients can join only then.
        </Notice>
      )}
      <p class="muted">
        Clients join at <code class="mono" data-testid="rooms-url">{roomsUrl(action)}</code>
        {' · '}
        {action.settings?.room_mode === 'persistent' ? 'one live instance per room' : 'a fresh instance per event'}
      </p>
      {error && error.status === 503 && <Notice tone="warn">This server runs no rooms.</Notice>}
      {error && error.status !== 503 && <Notice tone="error">Could not load the rooms: {error.message}</Notice>}
      <div class="columns">
        <section class="card column" aria-labelledby="live-rooms-title">
          <div class="section-head">
            <h2 id="live-rooms-title">Live rooms</h2>
            <span class="muted" data-testid="rooms-total">
              {rooms ? `${plural(rooms.length, 'room')} · ${plural(totalConnections, 'connection')}` : ''}
            </span>
          </div>
          {!rooms && !error && <Spinner label="Loading rooms" />}
          {rooms && rooms.length === 0 && <p class="muted" data-testid="rooms-empty">No room has a connection right now.</p>}
          {rooms && rooms.length > 0 && (
            <table class="table compact rooms-table">
              <caption class="visually-hidden">Live rooms of {action.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Room</th>
                  <th scope="col" class="num">Connections</th>
                  <th scope="col" class="num">Messages/s</th>
                  <th scope="col" class="num">In</th>
                  <th scope="col" class="num">Out</th>
                </tr>
              </thead>
              <tbody>
                {rooms.map((r) => (
                  <tr key={r.room} data-room={r.room} class={current && current.room === r.room ? 'selected' : ''}>
                    <th scope="row">
                      <button type="button" class="link-button mono" aria-pressed={current && current.room === r.room ? 'true' : 'false'}
                        onClick={() => setSelected(r.room)}>
                        {r.room}
                      </button>
                      {r.persistent && <span class="pill" title="A live instance holds this room's state">live</span>}
                    </th>
                    <td class="num" data-col="connections">{count(r.connections)}</td>
                    <td class="num" data-col="rate">{(r.messages_per_second || 0).toFixed(1)}</td>
                    <td class="num" data-col="in">{count(r.messages_in)}</td>
                    <td class="num" data-col="out">{count(r.messages_out)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {current && <RecentEvents room={current} />}
        </section>
        <TestMessage action={action} room={current ? current.room : ''} onSent={load} disabled={!granted} />
      </div>
    </div>
  );
}

function RecentEvents({ room }) {
  const events = [...(room.recent || [])].reverse();
  return (
    <section class="recent-events" aria-labelledby="recent-events-title">
      <h3 id="recent-events-title">
        Last events in <span class="mono">{room.room}</span>
      </h3>
      {events.length === 0 && <p class="muted">None yet.</p>}
      <ol class="event-list" data-testid="recent-events">
        {events.map((e, i) => (
          <li key={`${e.time}-${i}`} data-kind={e.kind}>
            <span class="muted event-time">{clockTime(e.time)}</span> <span class={`pill event-kind kind-${e.kind}`}>{e.kind}</span>{' '}
            {e.connection && <span class="mono event-connection" title={e.connection}>{e.connection.slice(0, 12)}</span>}{' '}
            <span class="mono event-summary">{e.summary}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function TestMessage({ action, room, onSent, disabled }) {
  const [target, setTarget] = useState(room || 'lobby');
  const [touched, setTouched] = useState(false);
  const [payload, setPayload] = useState('');
  const [encoding, setEncoding] = useState('utf8');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState('');
  const [fieldError, setFieldError] = useState('');

  // Follow the selected room until the user types a room of their own.
  useEffect(() => {
    if (!touched && room) setTarget(room);
  }, [room]);

  const submit = async (event) => {
    event.preventDefault();
    const name = target.trim();
    if (!ROOM_NAME.test(name)) {
      setFieldError('1 to 128 letters, digits and _ . ~ -');
      return;
    }
    setFieldError('');
    setError('');
    setBusy(true);
    try {
      const answer = await api('POST', `/actions/${encodeURIComponent(action.name)}/rooms/${encodeURIComponent(name)}/messages`, {
        payload,
        payload_encoding: encoding,
      });
      setResult({ room: name, ...answer });
      onSent();
    } catch (e) {
      setResult(null);
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card column" aria-labelledby="test-message-title">
      <h2 id="test-message-title">Send a test message</h2>
      <p class="hint">
        Runs <code>onMessage</code> as connection <code>dashboard</code> (not a member); what it broadcasts or sends reaches the room’s
        members.
      </p>
      <form onSubmit={submit} noValidate>
        <Field label="Room" error={fieldError}>
          {(props) => (
            <input {...props} name="room" class="mono" value={target} spellcheck={false} autocomplete="off"
              onInput={(e) => { setTarget(e.currentTarget.value); setTouched(true); }} />
          )}
        </Field>
        <Field label="Message" hint={encoding === 'base64' ? 'Base64 of the bytes: sent as a binary message.' : 'Sent as a text message.'}>
          {(props) => <textarea {...props} name="payload" class="mono" rows="4" spellcheck={false} value={payload} onInput={(e) => setPayload(e.currentTarget.value)} />}
        </Field>
        <Field label="Encoding">
          {(props) => (
            <select {...props} name="encoding" value={encoding} onChange={(e) => setEncoding(e.currentTarget.value)}>
              <option value="utf8">Text (UTF-8)</option>
              <option value="base64">Binary (base64)</option>
            </select>
          )}
        </Field>
        <div class="form-footer">
          <span class="grow" />
          <button type="submit" class="button primary" disabled={busy || disabled}>
            {busy ? 'Sending…' : 'Send test message'}
          </button>
        </div>
      </form>
      {error && <Notice tone="error" title="The server refused the message">{error}</Notice>}
      {result && <TestResult result={result} />}
    </section>
  );
}

function TestResult({ result }) {
  const events = result.events || [];
  return (
    <div class="test-result" data-testid="test-result">
      <p>
        <span class={`pill ${result.outcome === 'ok' ? '' : 'pill-bad'}`} data-testid="test-outcome">{result.outcome}</span>{' '}
        in <strong>{ms(result.duration_ms)}</strong> · {events.length} emitted {events.length === 1 ? 'event' : 'events'}
        {result.ran === false && ' · the module has no onMessage'}
      </p>
      <ol class="event-list emitted" data-testid="emitted-events">
        {events.map((e, i) => (
          <li key={i} data-type={e.type}>
            <span class={`pill event-kind kind-${e.type}`}>{e.type}</span>{' '}
            {e.connection && <span class="mono event-connection">→ {e.connection}</span>}{' '}
            {e.message_type === 'binary' && <span class="pill pill-muted">binary</span>}{' '}
            <pre class="body-view event-payload">{payloadText(e) || e.reason || ''}</pre>
          </li>
        ))}
      </ol>
    </div>
  );
}
