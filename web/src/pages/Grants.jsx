// The action's capability grants (`settings.capabilities`, host-abi.md "Grants"): KV stores,
// volumes, outbound hosts, callable actions, rooms. What the server offers comes from
// GET /capabilities; those not available yet are shown disabled (the server stores them,
// they have no effect until their feature lands). Saving sends the whole object.
import { useEffect, useState } from 'preact/hooks';
import { api, get } from '../lib/api.js';
import { Link, paths } from '../lib/router.jsx';
import { Loading, Notice, useId } from '../lib/ui.jsx';

const ACCESS = [
  ['read-only', 'Read only'],
  ['read-write', 'Read and write'],
];

// The server's object → the form (every key present; an obsolete array counts as nothing).
export function grantsToForm(capabilities) {
  const c = capabilities && !Array.isArray(capabilities) && typeof capabilities === 'object' ? capabilities : {};
  return {
    stores: (c.key_value_stores || []).map((g) => ({ store: g.store || '', access: g.access || 'read-only' })),
    volumes: (c.volumes || []).map((g) => ({ volume: g.volume || '', path: g.path || '', access: g.access || 'read-only' })),
    hosts: [...(c.allowed_outbound_hosts || [])],
    actions: [...(c.actions || [])],
    rooms: c.rooms === true,
  };
}

// The form → the contract's JSON: keys with nothing granted are left out.
export function formToGrants(form) {
  const out = {};
  if (form.stores.length) out.key_value_stores = form.stores.map(({ store, access }) => ({ store, access }));
  if (form.volumes.length) out.volumes = form.volumes.map(({ volume, path, access }) => ({ volume, path: path.trim(), access }));
  const hosts = form.hosts.map((h) => h.trim()).filter(Boolean);
  if (hosts.length) out.allowed_outbound_hosts = hosts;
  const actions = form.actions.map((a) => a.trim()).filter(Boolean);
  if (actions.length) out.actions = actions;
  if (form.rooms) out.rooms = true;
  return out;
}

const same = (a, b) => JSON.stringify(formToGrants(a)) === JSON.stringify(formToGrants(b));

export function GrantsPanel({ action, reload }) {
  const [offered, setOffered] = useState(null); // name → {available, description, import_module}
  const [stores, setStores] = useState(null);
  const [volumes, setVolumes] = useState(null);
  const [loadError, setLoadError] = useState('');
  const [saved, setSaved] = useState(() => grantsToForm(action.settings.capabilities));
  const [form, setForm] = useState(saved);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get('/capabilities')
      .then((answer) => {
        const map = {};
        for (const cap of answer.capabilities || []) if (cap && cap.name) map[cap.name] = cap;
        setOffered(map);
      })
      .catch((e) => setLoadError(`Could not ask which capabilities the server offers: ${e.message}`));
    get('/kv')
      .then((answer) => setStores((answer.stores || []).map((s) => s.name)))
      .catch(() => setStores([]));
    get('/volumes')
      .then((answer) => setVolumes((answer.volumes || []).map((v) => v.name)))
      .catch(() => setVolumes([]));
  }, []);

  // Follow the server's value (polling, other tabs) unless the user is editing.
  const server = grantsToForm(action.settings.capabilities);
  const dirty = !same(form, saved);
  useEffect(() => {
    if (!dirty && !same(server, saved)) {
      setSaved(server);
      setForm(server);
    }
  }, [JSON.stringify(formToGrants(server))]);

  // Only an explicit `available: false` disables a capability: one the server does not list
  // (an older server) stays editable and the server's answer decides.
  const available = (name) => !offered || !offered[name] || offered[name].available !== false;
  const describe = (name) => offered && offered[name] && offered[name].description;
  const update = (key, value) => {
    setForm((f) => ({ ...f, [key]: value }));
    setMessage('');
  };

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setMessage('');
    try {
      const updated = await api('PATCH', `/actions/${encodeURIComponent(action.name)}`, {
        settings: { capabilities: formToGrants(form) },
      });
      // Show what the server kept, not what was sent.
      const kept = grantsToForm(updated && updated.settings ? updated.settings.capabilities : formToGrants(form));
      setSaved(kept);
      setForm(kept);
      setMessage('Grants saved.');
      await reload();
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card grants" onSubmit={submit} noValidate aria-labelledby="caps-title" aria-describedby={error ? 'grants-error' : undefined}>
      <h2 id="caps-title">Capabilities</h2>
      <p class="hint">Host services this action may use beyond WASI. Nothing is granted unless listed here.</p>
      {loadError && <Notice tone="warn">{loadError}</Notice>}
      {!offered && !loadError && <Loading label="Loading capabilities…" />}
      {error && (
        <div class="notice notice-error" role="alert" id="grants-error">
          <div>
            <strong class="notice-title">The server refused these grants</strong>
            <div data-testid="grants-error">{error}</div>
          </div>
        </div>
      )}
      <StoreGrants rows={form.stores} stores={stores} enabled={available('key_value_stores')} description={describe('key_value_stores')}
        onChange={(rows) => update('stores', rows)} />
      <VolumeGrants rows={form.volumes} volumes={volumes} enabled={available('volumes')} description={describe('volumes')}
        onChange={(rows) => update('volumes', rows)} />
      <ListGrant title="Outbound HTTP hosts" name="allowed_outbound_hosts" itemLabel="Host pattern" placeholder="https://api.example.com"
        hint="scheme://host[:port]; * matches subdomains or any port. Loopback and private addresses only when named exactly."
        rows={form.hosts} enabled={available('allowed_outbound_hosts')} description={describe('allowed_outbound_hosts')}
        onChange={(rows) => update('hosts', rows)} />
      <ListGrant title="Actions it may call" name="actions" itemLabel="Action name" placeholder="render"
        hint="Your own actions, called in process as http://NAME.actions.internal/…"
        rows={form.actions} enabled={available('actions')} description={describe('actions')}
        onChange={(rows) => update('actions', rows)} />
      <fieldset class="grant-group" disabled={!available('rooms')}>
        <legend>
          Rooms <Soon show={!available('rooms')} />
        </legend>
        {describe('rooms') && <p class="hint">{describe('rooms')}</p>}
        <div class="switch-row">
          <input id="grant-rooms" type="checkbox" role="switch" class="switch" checked={form.rooms}
            onChange={(e) => update('rooms', e.currentTarget.checked)} />
          <label for="grant-rooms">
            <strong>Handle WebSocket rooms</strong>
            <span class="hint block">Clients join at /rooms/OWNER/{action.name}/ROOM.</span>
          </label>
        </div>
      </fieldset>
      <div class="form-footer">
        <span class="grow muted" role="status" aria-live="polite">
          {message || (dirty ? 'Unsaved changes' : '')}
        </span>
        <button type="button" class="button ghost" disabled={!dirty || busy} onClick={() => { setForm(saved); setError(''); }}>
          Reset
        </button>
        <button type="submit" class="button primary" disabled={!dirty || busy}>
          {busy ? 'Saving…' : 'Save grants'}
        </button>
      </div>
    </form>
  );
}

function Soon({ show }) {
  if (!show) return null;
  return (
    <span class="pill pill-muted" title="Saved with the action, but has no effect on this server yet">
      coming soon: no effect yet
    </span>
  );
}

// A <select> of names that always includes the current value (a store deleted since, say).
function NameSelect({ value, names, onChange, label, empty }) {
  const options = [...(names || [])];
  if (value && !options.includes(value)) options.unshift(value);
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)} class="mono">
      {options.length === 0 && <option value="">{empty}</option>}
      {options.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}

function AccessSelect({ value, onChange, label }) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      {ACCESS.map(([id, text]) => (
        <option key={id} value={id}>
          {text}
        </option>
      ))}
    </select>
  );
}

function StoreGrants({ rows, stores, enabled, description, onChange }) {
  const set = (i, key, value) => onChange(rows.map((row, j) => (j === i ? { ...row, [key]: value } : row)));
  const add = () => {
    const taken = new Set(rows.map((r) => r.store));
    const free = (stores || []).find((s) => !taken.has(s)) || (stores && stores[0]) || 'default';
    onChange([...rows, { store: free, access: 'read-write' }]);
  };
  return (
    <fieldset class="grant-group" disabled={!enabled}>
      <legend>
        Key-value stores <Soon show={!enabled} />
      </legend>
      {description && <p class="hint">{description}</p>}
      {rows.length === 0 && <p class="hint">None granted.</p>}
      {rows.map((row, i) => (
        <div class="grant-row grant-row-store" key={i} data-grant="store">
          <NameSelect label={`Store ${i + 1}`} value={row.store} names={stores} empty="no stores" onChange={(v) => set(i, 'store', v)} />
          <AccessSelect label={`Store ${i + 1} access`} value={row.access} onChange={(v) => set(i, 'access', v)} />
          <button type="button" class="icon-button" aria-label={`Remove store grant ${row.store || i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <div class="grant-add">
        <button type="button" class="button small ghost" onClick={add}>
          + Grant a store
        </button>
        <Link href={paths.stores()} class="small-note">Manage stores</Link>
      </div>
    </fieldset>
  );
}

function VolumeGrants({ rows, volumes, enabled, description, onChange }) {
  const set = (i, key, value) => onChange(rows.map((row, j) => (j === i ? { ...row, [key]: value } : row)));
  const add = () => {
    const volume = (volumes && volumes[0]) || '';
    onChange([...rows, { volume, path: volume ? `/${volume}` : '', access: 'read-only' }]);
  };
  return (
    <fieldset class="grant-group" disabled={!enabled}>
      <legend>
        Volumes <Soon show={!enabled} />
      </legend>
      {description && <p class="hint">{description}</p>}
      {rows.length === 0 && <p class="hint">None mounted.</p>}
      {rows.map((row, i) => (
        <div class="grant-row grant-row-volume" key={i} data-grant="volume">
          <NameSelect label={`Volume ${i + 1}`} value={row.volume} names={volumes} empty="no volumes" onChange={(v) => set(i, 'volume', v)} />
          <input aria-label={`Volume ${i + 1} guest path`} class="mono" value={row.path} placeholder="/site" spellcheck={false}
            autocomplete="off" onInput={(e) => set(i, 'path', e.currentTarget.value)} />
          <AccessSelect label={`Volume ${i + 1} access`} value={row.access} onChange={(v) => set(i, 'access', v)} />
          <button type="button" class="icon-button" aria-label={`Remove volume grant ${row.volume || i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <div class="grant-add">
        <button type="button" class="button small ghost" onClick={add}>
          + Mount a volume
        </button>
        <Link href={paths.volumes()} class="small-note">Manage volumes</Link>
      </div>
    </fieldset>
  );
}

function ListGrant({ title, name, itemLabel, placeholder, hint, rows, enabled, description, onChange }) {
  const id = useId(name);
  const set = (i, value) => onChange(rows.map((row, j) => (j === i ? value : row)));
  return (
    <fieldset class="grant-group" disabled={!enabled} aria-describedby={`${id}-hint`}>
      <legend>
        {title} <Soon show={!enabled} />
      </legend>
      {description && <p class="hint">{description}</p>}
      <p class="hint" id={`${id}-hint`}>{hint}</p>
      {rows.map((row, i) => (
        <div class="grant-row grant-row-list" key={i}>
          <input aria-label={`${itemLabel} ${i + 1}`} class="mono" value={row} placeholder={placeholder} spellcheck={false}
            autocomplete="off" onInput={(e) => set(i, e.currentTarget.value)} />
          <button type="button" class="icon-button" aria-label={`Remove ${itemLabel.toLowerCase()} ${row || i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="button small ghost" onClick={() => onChange([...rows, ''])}>
        + Add {itemLabel.toLowerCase()}
      </button>
    </fieldset>
  );
}
