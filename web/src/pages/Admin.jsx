// Administration (the first user): registration mode, invite codes, users.
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../lib/api.js';
import { ago, dateTime } from '../lib/format.js';
import { BASE } from '../lib/router.jsx';
import { CopyButton, Loading, Notice } from '../lib/ui.jsx';
import { NotFound } from './NotFound.jsx';

const MODES = [
  ['open', 'Open', 'Anyone who can reach the server can create an account.'],
  ['invite', 'Invite only', 'New accounts need an invite code created below.'],
  ['closed', 'Closed', 'Nobody can register; existing users can still sign in.'],
];

// Endpoints a server may not offer yet answer 501 (or 404/405): shown as a note, not an error.
const unavailable = (error) => [404, 405, 501].includes(error.status);

export function AdminPage({ session }) {
  if (!session?.user?.is_admin) return <NotFound />;
  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabindex="-1">Administration</h1>
          <p class="muted">Who may use this server.</p>
        </div>
      </div>
      <div class="columns">
        <div class="column">
          <RegistrationMode />
          <Invites />
        </div>
        <div class="column">
          <Users />
        </div>
      </div>
    </section>
  );
}

function RegistrationMode() {
  const [mode, setMode] = useState(null);
  const [chosen, setChosen] = useState(null);
  const [error, setError] = useState(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    get('/admin/settings')
      .then((s) => {
        setMode(s.registration_mode);
        setChosen(s.registration_mode);
      })
      .catch(setError);
  }, []);
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api('PUT', '/admin/settings', { registration_mode: chosen });
      setMode(s.registration_mode);
      const label = MODES.find(([value]) => value === s.registration_mode)?.[1] ?? s.registration_mode;
      setMessage(`Registration is now: ${label.toLowerCase()}.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={save} aria-labelledby="reg-title">
      <h2 id="reg-title">Registration</h2>
      {error && <Notice tone="error">{error.message}</Notice>}
      {!mode && !error && <Loading />}
      {mode && (
        <fieldset class="radio-cards">
          <legend class="visually-hidden">Registration mode</legend>
          {MODES.map(([value, label, description]) => (
            <label key={value} class={`radio-card ${chosen === value ? 'checked' : ''}`}>
              <input type="radio" name="registration_mode" value={value} checked={chosen === value}
                onChange={() => {
                  setChosen(value);
                  setMessage('');
                }} />
              <span>
                <strong>{label}</strong>
                <span class="hint block">{description}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <div class="form-footer">
        <span class="grow muted" role="status">{message}</span>
        <button type="submit" class="button primary" disabled={!mode || chosen === mode || busy}>
          Save
        </button>
      </div>
    </form>
  );
}

function Invites() {
  const [created, setCreated] = useState([]);
  const [listed, setListed] = useState(null);
  const [listNote, setListNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const refresh = () =>
    get('/admin/invites')
      .then((answer) => setListed(answer.invites || []))
      .catch((e) => (unavailable(e) ? setListNote('This server cannot list invite codes yet; codes you create now are shown below.') : setError(e)));
  useEffect(() => {
    refresh();
  }, []);
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const invite = await api('POST', '/admin/invites');
      setCreated((list) => [invite, ...list]);
      if (listed) refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const link = (code) => `${location.origin}${BASE}/register?invite=${encodeURIComponent(code)}`;
  return (
    <section class="card" aria-labelledby="invites-title">
      <div class="section-head">
        <h2 id="invites-title">Invite codes</h2>
        <button type="button" class="button small primary" onClick={create} disabled={busy}>
          Create invite
        </button>
      </div>
      <p class="hint">Each code creates one account. Share the code or the sign-up link.</p>
      {error && <Notice tone="error">{error.message}</Notice>}
      {created.length > 0 && (
        <ul class="invite-list" aria-label="Invites created just now">
          {created.map((invite) => (
            <li key={invite.code}>
              <code class="invite-code">{invite.code}</code>
              <span class="inline-actions">
                <CopyButton text={invite.code} label="Copy code" />
                <CopyButton text={link(invite.code)} label="Copy link" />
              </span>
            </li>
          ))}
        </ul>
      )}
      {listNote && <p class="muted small-note">{listNote}</p>}
      {listed && listed.length > 0 && (
        <table class="table compact">
          <caption class="visually-hidden">All invite codes</caption>
          <thead>
            <tr>
              <th scope="col">Invite</th>
              <th scope="col">Created</th>
              <th scope="col">Used</th>
            </tr>
          </thead>
          <tbody>
            {listed.map((invite) => (
              <tr key={invite.id ?? invite.code}>
                {/* Codes are stored hashed: listings identify an invite by a hash prefix. */}
                <td class="mono" title="Codes are stored hashed; this identifies the invite">
                  {invite.id ?? invite.code}
                </td>
                <td title={dateTime(invite.created_at)}>{ago(invite.created_at)}</td>
                <td>
                  {invite.used_at ? `${ago(invite.used_at)}${invite.used_by ? ` by ${invite.used_by}` : ''}` : 'unused'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Users() {
  const [users, setUsers] = useState(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => {
    get('/admin/users')
      .then((answer) => setUsers(answer.users || []))
      .catch((e) => (unavailable(e) ? setNote('This server cannot list users yet (GET /api/v1/admin/users).') : setError(e)));
  }, []);
  return (
    <section class="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {error && <Notice tone="error">{error.message}</Notice>}
      {note && <p class="muted">{note}</p>}
      {!users && !note && !error && <Loading />}
      {users && (
        <table class="table compact">
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <th scope="col" class="num">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.username}</td>
                <td>{u.is_admin ? <span class="pill">admin</span> : 'user'}</td>
                <td title={dateTime(u.created_at)}>{ago(u.created_at)}</td>
                <td class="num">{u.actions ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
