// Pieces the KV store and volume pages share: the list state and page head, the Storage tabs,
// the quota bar, the name rule and the "create" form.
import { useEffect, useState } from 'preact/hooks';
import { api, get } from './api.js';
import { bytes } from './format.js';
import { Link, paths } from './router.jsx';
import { Field, Notice } from './ui.jsx';

// The list page's state: the items of GET /<collection> ("kv" answers {stores}, "volumes"
// {volumes}: `key`), and deleting one. A refused delete keeps the server's message: a 409
// names the actions that still grant the item.
export function useStorageList(collection, key) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [deleteError, setDeleteError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const load = async () => {
    try {
      setItems((await get(`/${collection}`))[key] || []);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
  }, []);
  const remove = async () => {
    const name = deleting;
    setBusy(true);
    try {
      await api('DELETE', `/${collection}/${encodeURIComponent(name)}`);
      setMessage(`Deleted ${name}.`);
      setDeleteError(null);
      await load();
    } catch (e) {
      setDeleteError({ name, message: e.message });
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };
  return { items, error, load, deleting, setDeleting, deleteError, setDeleteError, busy, message, remove };
}

// The head of a list page: title, tabs, load and delete errors, the live status line.
export function StorageListHead({ current, list, what }) {
  return (
    <>
      <div class="page-head">
        <div>
          <h1 tabindex="-1">Storage</h1>
          <p class="muted">Data your actions keep between requests, once you grant it to them.</p>
        </div>
      </div>
      <StorageTabs current={current} />
      {list.error && <Notice tone="error" title={`Could not load your ${what}`}>{list.error.message}</Notice>}
      {list.deleteError && (
        <Notice tone="error" title={`Could not delete ${list.deleteError.name}`} onDismiss={() => list.setDeleteError(null)}>
          {list.deleteError.message}
        </Notice>
      )}
      <p class="visually-hidden" role="status" aria-live="polite">
        {list.message}
      </p>
    </>
  );
}

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
