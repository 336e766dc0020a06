// Key-value stores: the list (create, delete) and one store's browser (keys by prefix with
// paging, view / edit / delete a value, add a key). Keys and values are bytes: keys that are
// not UTF-8 arrive base64-encoded and are shown marked as binary.
import { useEffect, useState } from 'preact/hooks';
import { api, get, rawRequest } from '../lib/api.js';
import { decodeUtf8, encodeKey, encodeUtf8, fromBase64, fromHex, hexDump, keyIsAddressable, toBase64, toHex } from '../lib/binary.js';
import { bytes, count, dateTime } from '../lib/format.js';
import { Link, paths } from '../lib/router.jsx';
import { CreateForm, QuotaBar, StorageListHead, useStorageList } from '../lib/storage.jsx';
import { ConfirmDialog, Field, Loading, Notice } from '../lib/ui.jsx';
import { NotFound } from './NotFound.jsx';

const PAGE = 100;

export function StoresPage() {
  const list = useStorageList('kv', 'stores');
  const { items: stores, error, load, deleting, setDeleting, busy, remove } = list;
  const create = async (name) => {
    await api('POST', '/kv', { name });
    await load();
  };
  return (
    <section>
      <StorageListHead current="kv" list={list} what="stores" />
      {!stores && !error && <Loading label="Loading stores…" />}
      {stores && (
        <div class="card flush">
          <table class="table responsive stores-table">
            <caption class="visually-hidden">Your key-value stores</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">Keys</th>
                <th scope="col">Size</th>
                <th scope="col">Created</th>
                <th scope="col"><span class="visually-hidden">Delete</span></th>
              </tr>
            </thead>
            <tbody>
              {stores.map((store) => (
                <tr key={store.name} data-store={store.name}>
                  <th scope="row" data-label="Name">
                    <Link href={paths.store(store.name)} class="strong-link mono">
                      {store.name}
                    </Link>
                  </th>
                  <td data-label="Keys" class="num" data-col="keys">{count(store.keys)}</td>
                  <td data-label="Size" class="quota-cell">
                    <QuotaBar used={store.bytes} quota={store.quota_bytes} label={`${store.name} quota`} />
                  </td>
                  <td data-label="Created">{dateTime(store.created_at)}</td>
                  <td class="row-actions">
                    {store.name !== 'default' && (
                      <button type="button" class="button small ghost" aria-label={`Delete store ${store.name}`}
                        onClick={() => setDeleting(store.name)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateForm title="New store" label="Store name" button="Create store" onCreate={create} />
      <ConfirmDialog open={deleting !== null} title={`Delete store ${deleting}?`} confirmLabel="Delete store" busy={busy}
        onConfirm={remove} onCancel={() => setDeleting(null)}>
        <p>Every key in it is removed. Actions that are granted this store must lose the grant first.</p>
      </ConfirmDialog>
    </section>
  );
}

// How a key is shown: its text, or its base64 marked as binary.
function KeyLabel({ entry }) {
  if (entry.key_encoding === 'base64') {
    return (
      <span class="key-label">
        <span class="pill pill-muted" title="Not valid UTF-8: shown as base64">binary</span>{' '}
        <span class="mono">{entry.key}</span>
      </span>
    );
  }
  return <span class="mono key-label">{entry.key === '' ? '(empty)' : entry.key}</span>;
}

const keyName = (entry) => (entry.key_encoding === 'base64' ? `binary key ${entry.key}` : entry.key);
const sameKey = (a, b) => a && b && a.key === b.key && (a.key_encoding || 'utf8') === (b.key_encoding || 'utf8');

export function StorePage({ name }) {
  const [info, setInfo] = useState(null);
  const [missing, setMissing] = useState(false);
  const [prefix, setPrefix] = useState('');
  const [applied, setApplied] = useState('');
  const [keys, setKeys] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState(null); // {key, key_encoding} or {new: true}
  const [status, setStatus] = useState('');

  const base = `/kv/${encodeURIComponent(name)}`;
  const loadInfo = async () => {
    try {
      const { stores } = await get('/kv');
      const found = (stores || []).find((s) => s.name === name);
      if (!found) setMissing(true);
      setInfo(found || null);
    } catch (e) {
      setError(e);
    }
  };
  // One page of keys after `cursor` ({key, encoding}, or null for the first page).
  const fetchPage = async (cursor, wantPrefix) => {
    const query = [`limit=${PAGE}`];
    if (wantPrefix) query.push(`prefix=${encodeKey(wantPrefix)}`);
    if (cursor) query.push(`after=${encodeKey(cursor.key, cursor.encoding)}`);
    const answer = await get(`${base}/keys?${query.join('&')}`);
    return {
      keys: answer.keys || [],
      next: answer.next === null || answer.next === undefined ? null : { key: answer.next, encoding: answer.next_encoding || 'utf8' },
    };
  };
  const loadFirst = async (wantPrefix = applied) => {
    try {
      const page = await fetchPage(null, wantPrefix);
      setKeys(page.keys);
      setNext(page.next);
      setError(null);
    } catch (e) {
      if (e.status === 404) setMissing(true);
      setError(e);
    }
  };
  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const page = await fetchPage(next, applied);
      setKeys((list) => [...list, ...page.keys]);
      setNext(page.next);
      setStatus(`${page.keys.length} more keys loaded.`);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  };
  useEffect(() => {
    setKeys(null);
    setSelected(null);
    setMissing(false);
    setPrefix('');
    setApplied('');
    loadInfo();
    loadFirst('');
  }, [name]);

  const search = (event) => {
    event.preventDefault();
    setApplied(prefix);
    setKeys(null);
    loadFirst(prefix);
  };
  // After a save or delete: the first page again (the edited key may move in or out of it).
  const changed = async (text, keep) => {
    setStatus(text);
    setSelected(keep || null);
    await Promise.all([loadFirst(applied), loadInfo()]);
  };

  if (missing) return <NotFound what="store" />;
  return (
    <section>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <Link href={paths.stores()}>Storage</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={paths.stores()}>Key-value stores</Link> <span aria-hidden="true">/</span> <span>{name}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1 tabindex="-1" class="mono-title">{name}</h1>
          {info && (
            <p class="muted">
              {count(info.keys)} {info.keys === 1 ? 'key' : 'keys'} · {bytes(info.bytes)}
              {info.quota_bytes ? ` of ${bytes(info.quota_bytes)}` : ''}
            </p>
          )}
        </div>
        <button type="button" class="button primary" onClick={() => setSelected({ new: true })}>
          Add a key
        </button>
      </div>
      {error && <Notice tone="error" title="Could not load the keys">{error.message}</Notice>}
      <p class="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <div class="columns">
        <div class="column">
          <section class="card" aria-labelledby="keys-title">
            <h2 id="keys-title">Keys</h2>
            <form class="prefix-row" role="search" onSubmit={search}>
              <Field label="Key prefix" className="grow inline">
                {(props) => (
                  <input {...props} type="search" class="mono" value={prefix} spellcheck={false} autocomplete="off"
                    placeholder="all keys" onInput={(e) => setPrefix(e.currentTarget.value)} />
                )}
              </Field>
              <button type="submit" class="button align-end-inline">
                Filter
              </button>
            </form>
            {!keys && !error && <Loading label="Loading keys…" />}
            {keys && keys.length === 0 && (
              <p class="muted">{applied ? `No keys start with “${applied}”.` : 'This store is empty.'}</p>
            )}
            {keys && keys.length > 0 && (
              <ul class="key-list" aria-label="Keys">
                {keys.map((entry) => (
                  <li key={`${entry.key_encoding}:${entry.key}`} data-key={entry.key} class={sameKey(entry, selected) ? 'selected' : ''}>
                    <button type="button" class="key-button" aria-label={`Open ${keyName(entry)}`}
                      aria-pressed={sameKey(entry, selected) ? 'true' : 'false'} onClick={() => setSelected(entry)}>
                      <KeyLabel entry={entry} />
                      <span class="muted key-size" data-col="size">{bytes(entry.size)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {next && (
              <div class="form-footer">
                <button type="button" class="button" onClick={loadMore} disabled={loadingMore}>
                  {loadingMore ? 'Loading…' : 'Load more'}
                </button>
                <span class="muted small-note">{keys ? `${keys.length} shown` : ''}</span>
              </div>
            )}
          </section>
        </div>
        <div class="column">
          {selected && selected.new && (
            <NewKey base={base} onDone={(entry) => changed(`Saved ${entry.key}.`, entry)} onCancel={() => setSelected(null)} />
          )}
          {selected && !selected.new && (
            <ValueEditor key={`${selected.key_encoding}:${selected.key}`} base={base} entry={selected}
              onSaved={() => changed(`Saved ${keyName(selected)}.`, selected)} onDeleted={() => changed(`Deleted ${keyName(selected)}.`)} />
          )}
          {!selected && (
            <div class="card">
              <p class="muted">Open a key to see its value, or add a new key.</p>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

// How the text in an editor turns into bytes.
const FORMATS = [
  ['text', 'Text (UTF-8)'],
  ['hex', 'Hex'],
  ['base64', 'Base64'],
];

function toBytes(text, format) {
  if (format === 'hex') return fromHex(text);
  if (format === 'base64') return fromBase64(text);
  return encodeUtf8(text);
}

function fromBytes(data, format) {
  if (format === 'hex') return toHex(data);
  if (format === 'base64') return toBase64(data);
  return decodeUtf8(data) ?? '';
}

function ValueEditor({ base, entry, onSaved, onDeleted }) {
  const [value, setValue] = useState(null); // Uint8Array
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [format, setFormat] = useState('text');
  const [draft, setDraft] = useState('');
  const [saveError, setSaveError] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const addressable = keyIsAddressable(entry.key, entry.key_encoding);
  const url = `${base}/values/${encodeKey(entry.key, entry.key_encoding)}`;

  useEffect(() => {
    if (!addressable) return;
    rawRequest('GET', url)
      .then((answer) => setValue(new Uint8Array(answer.data)))
      .catch(setError);
  }, [url]);

  const text = value ? decodeUtf8(value) : null;
  const startEdit = () => {
    const initial = text !== null ? 'text' : 'hex';
    setFormat(initial);
    setDraft(fromBytes(value, initial));
    setSaveError('');
    setEditing(true);
  };
  const switchFormat = (to) => {
    // Re-express what was typed in the new format when it parses; else keep the text as is.
    try {
      const data = toBytes(draft, format);
      if (to === 'text' && decodeUtf8(data) === null) {
        setSaveError('The value is not valid UTF-8; edit it as hex or base64.');
        return;
      }
      setDraft(fromBytes(data, to));
      setSaveError('');
    } catch {
      /* leave the draft alone */
    }
    setFormat(to);
  };
  const save = async (event) => {
    event.preventDefault();
    let data;
    try {
      data = toBytes(draft, format);
    } catch (e) {
      return setSaveError(e.message);
    }
    setBusy(true);
    try {
      await rawRequest('PUT', url, data);
      setValue(data);
      setEditing(false);
      setSaveError('');
      onSaved();
    } catch (e) {
      setSaveError(e.message);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await rawRequest('DELETE', url);
      setConfirming(false);
      onDeleted();
    } catch (e) {
      setConfirming(false);
      setSaveError(e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card value-card" aria-labelledby="value-title">
      <h2 id="value-title" class="value-title">
        <KeyLabel entry={entry} />
      </h2>
      {!addressable && (
        <Notice tone="warn">A key named “.” or “..” cannot be addressed in a URL; use the CLI or a guest to change it.</Notice>
      )}
      {error && <Notice tone="error">{error.status === 404 ? 'This key no longer exists.' : error.message}</Notice>}
      {addressable && !value && !error && <Loading label="Loading value…" />}
      {value && !editing && (
        <>
          <p class="muted small-note">
            {bytes(value.length)} · {text !== null ? 'UTF-8 text' : 'binary (hex dump)'}
          </p>
          <pre class="value-view" data-testid="value-view" tabindex="0" aria-label="Value">
            {text !== null ? text : hexDump(value)}
          </pre>
          {saveError && <Notice tone="error">{saveError}</Notice>}
          <div class="form-footer">
            <span class="grow" />
            <button type="button" class="button danger" onClick={() => setConfirming(true)}>
              Delete key
            </button>
            <button type="button" class="button primary" onClick={startEdit}>
              Edit value
            </button>
          </div>
        </>
      )}
      {value && editing && (
        <form onSubmit={save} noValidate>
          <ValueFields format={format} onFormat={switchFormat} draft={draft} onDraft={setDraft} error={saveError} />
          <div class="form-footer">
            <span class="grow" />
            <button type="button" class="button ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button type="submit" class="button primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save value'}
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog open={confirming} title={`Delete ${keyName(entry)}?`} confirmLabel="Delete key" busy={busy} onConfirm={remove}
        onCancel={() => setConfirming(false)}>
        <p>Actions reading this key will find it absent.</p>
      </ConfirmDialog>
    </section>
  );
}

function ValueFields({ format, onFormat, draft, onDraft, error }) {
  return (
    <>
      <Field label="Value format">
        {(props) => (
          <select {...props} value={format} onChange={(e) => onFormat(e.currentTarget.value)}>
            {FORMATS.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Value" error={error}>
        {(props) => (
          <textarea {...props} class="mono value-input" rows={8} value={draft} spellcheck={false}
            onInput={(e) => onDraft(e.currentTarget.value)} />
        )}
      </Field>
    </>
  );
}

function NewKey({ base, onDone, onCancel }) {
  const [key, setKey] = useState('');
  const [format, setFormat] = useState('text');
  const [draft, setDraft] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    if (key === '') return setErrors({ key: 'A key cannot be empty.' });
    if (!keyIsAddressable(key)) return setErrors({ key: 'A key named “.” or “..” cannot be sent in a URL.' });
    let data;
    try {
      data = toBytes(draft, format);
    } catch (e) {
      return setErrors({ value: e.message });
    }
    setErrors({});
    setBusy(true);
    try {
      await rawRequest('PUT', `${base}/values/${encodeKey(key)}`, data);
      onDone({ key, key_encoding: 'utf8' });
    } catch (e) {
      // 413 is about the key or the value; the message says which.
      setErrors(/key/i.test(e.message) && !/value/i.test(e.message) ? { key: e.message } : { value: e.message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="newkey-title">
      <h2 id="newkey-title">New key</h2>
      <Field label="Key" error={errors.key} hint="Any UTF-8 text; “/” is fine. Setting an existing key replaces its value.">
        {(props) => (
          <input {...props} class="mono" value={key} spellcheck={false} autocomplete="off" onInput={(e) => setKey(e.currentTarget.value)} />
        )}
      </Field>
      <ValueFields format={format} onFormat={setFormat} draft={draft} onDraft={setDraft} error={errors.value} />
      <div class="form-footer">
        <span class="grow" />
        <button type="button" class="button ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save key'}
        </button>
      </div>
    </form>
  );
}
