// Sign in and register. Registration may be open, invite-only or closed on a server.
import { useEffect, useState } from 'preact/hooks';
import { api, fieldOf } from '../lib/api.js';
import { Link, paths } from '../lib/router.jsx';
import { startSession, takeNotice } from '../lib/session.js';
import { Field, Notice } from '../lib/ui.jsx';

// The registration mode before signing in, if the server tells (GET /auth/registration);
// otherwise it is learned from the answer to a register attempt.
async function fetchRegistrationMode() {
  try {
    const answer = await api('GET', '/auth/registration');
    return answer && answer.registration_mode ? answer.registration_mode : null;
  } catch {
    return null;
  }
}

export function SignInPage({ mode, query }) {
  const registering = mode === 'register';
  const [notice] = useState(() => takeNotice());
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [invite, setInvite] = useState(query.get('invite') || '');
  const [registration, setRegistration] = useState(query.get('invite') ? 'invite' : null);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    fetchRegistrationMode().then((found) => found && setRegistration(found));
  }, []);
  useEffect(() => setErrors({}), [mode]);

  const closed = registering && registration === 'closed';
  const needsInvite = registering && registration === 'invite';

  const validate = () => {
    const found = {};
    if (!username.trim()) found.username = 'Enter your username.';
    if (!password) found.password = 'Enter your password.';
    else if (registering && password.length < 8) found.password = 'Use at least 8 characters.';
    if (needsInvite && !invite.trim()) found.invite = 'This server needs an invite code to register.';
    return found;
  };

  const submit = async (event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const body = { username: username.trim(), password };
      if (registering && invite.trim()) body.invite = invite.trim();
      const issued = await api('POST', registering ? '/auth/register' : '/auth/login', body);
      startSession(issued);
    } catch (error) {
      const message = error.message || 'Something went wrong';
      if (registering && /closed/i.test(message)) setRegistration('closed');
      else if (registering && /invite/i.test(message)) setRegistration('invite');
      let field = fieldOf(error, ['username', 'password', 'invite']);
      if (!field && error.kind === 'conflict') field = 'username';
      if (error.kind === 'rate_limited') {
        setErrors({ form: `${message}. Wait a few minutes before trying again.` });
      } else setErrors(field ? { [field]: message } : { form: message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="auth-card card">
      <div class="auth-head">
        <img src="/static/favicon.svg" alt="" width="40" height="40" />
        <h1 tabindex="-1">{registering ? 'Create your account' : 'Sign in to WASM Actions'}</h1>
        <p class="muted">
          {registering
            ? 'Deploy WebAssembly modules to a URL in seconds.'
            : 'Deploy, watch and test your WebAssembly actions.'}
        </p>
      </div>
      {notice && <Notice tone="info">{notice}</Notice>}
      {closed ? (
        <Notice tone="warn" title="Registration is closed">
          This server is not accepting new accounts. Ask its administrator to create one for you or
          to open registration.
        </Notice>
      ) : (
        <form onSubmit={submit} noValidate aria-label={registering ? 'Create account' : 'Sign in'}>
          {errors.form && <Notice tone="error">{errors.form}</Notice>}
          <Field label="Username" error={errors.username} hint={registering ? 'Letters, digits, ".", "_" or "-".' : undefined}>
            {(props) => (
              <input {...props} name="username" autocomplete="username" autocapitalize="off" spellcheck={false}
                value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Password" error={errors.password} hint={registering ? 'At least 8 characters.' : undefined}>
            {(props) => (
              <input {...props} type="password" name="password" autocomplete={registering ? 'new-password' : 'current-password'}
                value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            )}
          </Field>
          {registering && (needsInvite || invite) && (
            <Field label="Invite code" error={errors.invite} hint="Registration on this server is by invitation. Ask an administrator for a code.">
              {(props) => (
                <input {...props} name="invite" autocomplete="off" spellcheck={false} class="mono"
                  value={invite} onInput={(e) => setInvite(e.currentTarget.value)} />
              )}
            </Field>
          )}
          <button type="submit" class="button primary block" disabled={busy}>
            {busy ? 'Please wait…' : registering ? 'Create account' : 'Sign in'}
          </button>
        </form>
      )}
      <p class="auth-switch">
        {registering ? (
          <>
            Already have an account? <Link href={paths.signIn() + (query.get('next') ? `?next=${encodeURIComponent(query.get('next'))}` : '')}>Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href={paths.register()}>Create an account</Link>
          </>
        )}
      </p>
    </section>
  );
}
