// The signed-in user: API tokens for the command line.
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../lib/api.js';
import { ago, dateTime } from '../lib/format.js';
import { CodeBlock, Field, Notice } from '../lib/ui.jsx';
import { actionsOrigin } from '../lib/origins.js';

// What a token may do (the server refuses scopes its owner lacks).
const SCOPES = [
  ['read', 'list, show, logs, stats'],
  ['deploy', 'create, update, delete, roll back'],
  ['kv', 'store browse/edit'],
  ['events', 'event API'],
  ['admin', 'registration, invites, users, all metrics'],
];

export function AccountPage({ session }) {
  const [tokens, setTokens] = useState(null);
  const [error, setError] = useState(null);
  const [name, setName] = useState('');
  const [issued, setIssued] = useState(null);
  const [busy, setBusy] = useState(false);
  const [scopes, setScopes] = useState(['read', 'deploy']);
  const toggle = (scope) =>
    setScopes((list) => (list.includes(scope) ? list.filter((s) => s !== scope) : [...list, scope]));
  const refresh = () => get('/tokens').then((a) => setTokens(a.tokens || [])).catch(setError);
  useEffect(() => {
    refresh();
  }, []);
  const create = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setIssued(await api('POST', '/tokens', { name: name.trim() || 'cli', scopes }));
      setName('');
      refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id) => {
    try {
      await api('DELETE', `/tokens/${id}`);
      refresh();
    } catch (e) {
      setError(e);
    }
  };
  const user = session?.user;
  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabindex="-1">Account</h1>
          <p class="muted">
            Signed in as <strong>{user?.username}</strong>
            {user?.is_admin ? ' (administrator)' : ''}
            {session?.expires_at ? ` · session ends ${new Date(session.expires_at).toLocaleString()}` : ''}
          </p>
        </div>
      </div>
      <div class="columns">
        <form class="card column" onSubmit={create} aria-labelledby="tokens-title">
          <h2 id="tokens-title">API tokens</h2>
          <p class="hint">For the <code>wasm-actions</code> command line and scripts. A token is shown once.</p>
          {error && <Notice tone="error">{error.message}</Notice>}
          {issued && (
            <Notice tone="success" title="New token — copy it now">
              <CodeBlock copy={issued.token}>{issued.token}</CodeBlock>
              <CodeBlock copy={`export WASM_ACTIONS_SERVER=${actionsOrigin()}\nexport WASM_ACTIONS_TOKEN=${issued.token}`}>
                {`export WASM_ACTIONS_SERVER=${actionsOrigin()}\nexport WASM_ACTIONS_TOKEN=${issued.token}`}
              </CodeBlock>
            </Notice>
          )}
          <div class="request-line">
            <Field label="Token name" className="grow">
              {(props) => <input {...props} value={name} placeholder="laptop" onInput={(e) => setName(e.currentTarget.value)} />}
            </Field>
            <button type="submit" class="button primary align-end" disabled={busy || scopes.length === 0}>
              Create token
            </button>
          </div>
          <fieldset class="scopes">
            <legend>Scopes</legend>
            {SCOPES.filter(([id]) => id !== 'admin' || user?.is_admin).map(([id, hint]) => (
              <label key={id} class="scope">
                <input type="checkbox" checked={scopes.includes(id)} onChange={() => toggle(id)} />
                <code>{id}</code> <span class="hint">{hint}</span>
              </label>
            ))}
          </fieldset>
          {tokens && tokens.length > 0 && (
            <table class="table compact">
              <caption class="visually-hidden">Your API tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col"><span class="visually-hidden">Revoke</span></th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td class="mono">{(t.scopes || []).join(' ')}</td>
                    <td title={dateTime(t.created_at)}>{ago(t.created_at)}</td>
                    <td>{t.last_used_at ? ago(t.last_used_at) : 'never'}</td>
                    <td class="num">
                      {t.revoked_at ? (
                        <span class="muted">revoked</span>
                      ) : (
                        <button type="button" class="button small ghost" onClick={() => revoke(t.id)} aria-label={`Revoke token ${t.name}`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </form>
      </div>
    </section>
  );
}
