// Pieces the KV store and volume pages share: the Storage tabs, the quota bar, the name rule
// and the "create" form.
import { useState } from 'preact/hooks';
import { bytes } from './format.js';
import { Link, paths } from './router.jsx';
import { Field } from './ui.jsx';

// The server's rule for store and volume names (it checks too; this only answers sooner).
export const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const NAME_HINT = '1–64 letters, digits, "_", "." or "-", starting with a letter or digit.';

export function StorageTabs({ current }) {
  return (
    <nav class="tabs" aria-label="Storage sections">
      <Link href={paths.stores()} aria-current={current === 'kv' ? 'page' : undefined}>
        Key-value stores
      </Link>
      <Link href={paths.volumes()} aria-current={current === 'volumes' ? 'page' : undefined}>
        Volumes
      </Link>
    </nav>
  );
}

// Used bytes against the quota; a bar when there is a quota, the size alone otherwise.
export function QuotaBar({ used, quota, label }) {
  if (!quota) return <span>{bytes(used || 0)}</span>;
  const fraction = Math.min(1, (used || 0) / quota);
  const percent = Math.round(fraction * 100);
  const tone = fraction >= 0.9 ? 'bad' : fraction >= 0.75 ? 'warn' : 'ok';
  return (
    <div class="quota">
      <div class="quota-text">
        {bytes(used || 0)} <span class="muted">of {bytes(quota)}</span>
      </div>
      <div class={`quota-bar quota-${tone}`} role="meter" aria-label={label} aria-valuemin="0" aria-valuemax={quota}
        aria-valuenow={used || 0} aria-valuetext={`${percent}% used`}>
        <div class="quota-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

// Name (and optional extra fields) → onCreate(values); the server's refusal shows inline.
export function CreateForm({ title, label, onCreate, extra, button = 'Create' }) {
  const [name, setName] = useState('');
  const [values, setValues] = useState({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const submit = async (event) => {
    event.preventDefault();
    const trimmed = name.trim();
    setMessage('');
    if (!NAME_RULE.test(trimmed)) return setError(`${label}: ${NAME_HINT}`);
    setError('');
    setBusy(true);
    try {
      await onCreate(trimmed, values);
      setName('');
      setValues({});
      setMessage(`Created ${trimmed}.`);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card create-form" onSubmit={submit} noValidate aria-labelledby={`${title.replace(/\W+/g, '-')}-title`}>
      <h2 id={`${title.replace(/\W+/g, '-')}-title`}>{title}</h2>
      <div class="create-row">
        <Field label={label} error={error} hint={NAME_HINT} className="grow">
          {(props) => (
            <input {...props} class="mono" value={name} spellcheck={false} autocomplete="off" maxLength={64}
              onInput={(e) => { setName(e.currentTarget.value); setError(''); }} />
          )}
        </Field>
        {extra && extra(values, (key, value) => setValues((v) => ({ ...v, [key]: value })))}
        <button type="submit" class="button primary create-submit" disabled={busy}>
          {busy ? 'Creating…' : button}
        </button>
      </div>
      <p class="muted small-note" role="status" aria-live="polite">
        {message}
      </p>
    </form>
  );
}
