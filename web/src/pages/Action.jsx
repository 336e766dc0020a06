// One action: header, section navigation, and the overview (settings, capabilities,
// versions, new version, delete).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, fieldOf, get, upload } from '../lib/api.js';
import { DeployProgress, ModuleDrop, waitUntilCompiled } from '../lib/deploy.jsx';
import { actionStatus, ago, bytes, count, dateTime, lastHour, ms, routeUrl } from '../lib/format.js';
import { Link, navigate, paths } from '../lib/router.jsx';
import { ConfirmDialog, EnvEditor, Field, Loading, Notice, StatusBadge, envFromObject, envToObject, usePolling } from '../lib/ui.jsx';
import { LogsView } from './Logs.jsx';
import { AnalyticsView } from './Analytics.jsx';
import { TesterView } from './Tester.jsx';
import { NotFound } from './NotFound.jsx';
import { GrantsPanel } from './Grants.jsx';
import { RoomsView } from './Rooms.jsx';

const TABS = [
  ['overview', 'Overview'],
  ['logs', 'Logs'],
  ['analytics', 'Analytics'],
  ['tester', 'Request tester'],
  ['rooms', 'Rooms'],
];

export function ActionPage({ name, tab }) {
  const [action, setAction] = useState(null);
  const [error, setError] = useState(null);
  const compiling = useRef(false);
  const reload = async () => {
    try {
      const loaded = await get(`/actions/${encodeURIComponent(name)}`);
      compiling.current = loaded.status === 'compiling';
      setAction(loaded);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    setAction(null);
    setError(null);
  }, [name]);
  usePolling(reload, () => (compiling.current ? 1000 : 5000), [name]);

  if (error && error.status === 404) return <NotFound what="action" />;
  if (!TABS.some(([id]) => id === tab)) return <NotFound />;
  if (!action) {
    return error ? <Notice tone="error" title="Could not load the action">{error.message}</Notice> : <Loading label="Loading action…" />;
  }
  return (
    <section>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <Link href={paths.actions()}>Actions</Link> <span aria-hidden="true">/</span> <span>{action.name}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1 tabindex="-1" class="action-title">
            {action.name} <StatusBadge status={actionStatus(action)} />
          </h1>
          <p class="muted">
            <a href={routeUrl(action.route)} target="_blank" rel="noopener" class="mono route-link">
              {action.route}
            </a>
            {action.current_version && (
              <>
                {' · '}version {action.current_version.version} · deployed {ago(action.current_version.created_at)}
              </>
            )}
          </p>
        </div>
      </div>
      <nav class="tabs" aria-label="Action sections">
        {TABS.map(([id, label]) => (
          <Link key={id} href={paths.action(action.name, id === 'overview' ? '' : id)} aria-current={tab === id ? 'page' : undefined}
            aria-label={label}>
            {id === 'tester' ? (
              <>
                <span class="hide-sm">Request tester</span>
                <span class="show-sm">Tester</span>
              </>
            ) : (
              label
            )}
          </Link>
        ))}
      </nav>
      {error && <Notice tone="error">Could not refresh: {error.message}</Notice>}
      {tab === 'overview' && <Overview action={action} reload={reload} />}
      {tab === 'logs' && <LogsView action={action} />}
      {tab === 'analytics' && <AnalyticsView action={action} />}
      {tab === 'tester' && <TesterView action={action} />}
      {tab === 'rooms' && <RoomsView action={action} />}
    </section>
  );
}

function Overview({ action, reload }) {
  const stats = action.stats;
  return (
    <div class="overview">
      {action.current_version?.status === 'failed' && (
        <Notice tone="error" title="The current version failed to compile">
          {action.current_version.error || 'No details.'}
        </Notice>
      )}
      <div class="tiles">
        <Tile label="Requests (1 h)" value={count(lastHour(stats))} />
        <Tile label="Errors (total)" value={count(stats?.errors)} />
        <Tile label="p50" value={stats?.requests ? ms(stats.latency_ms.p50) : '—'} />
        <Tile label="p95" value={stats?.requests ? ms(stats.latency_ms.p95) : '—'} />
        {stats?.chained_calls > 0 && <Tile label="Chained calls (total)" value={count(stats.chained_calls)} />}
      </div>
      <div class="columns">
        <div class="column">
          <SettingsForm action={action} reload={reload} />
          <GrantsPanel action={action} reload={reload} />
        </div>
        <div class="column">
          <Versions action={action} reload={reload} />
          <NewVersion action={action} reload={reload} />
          <DangerZone action={action} />
        </div>
      </div>
    </div>
  );
}

export function Tile({ label, value, tone }) {
  return (
    <div class={`tile ${tone ? `tile-${tone}` : ''}`}>
      <div class="tile-label">{label}</div>
      <div class="tile-value">{value}</div>
    </div>
  );
}

function formFrom(action) {
  return {
    route: action.route,
    timeout: String(action.settings.timeout_ms),
    memory: String(action.settings.memory_limit_mb),
    enabled: action.settings.enabled,
    roomMode: action.settings.room_mode || 'per-event',
    env: envFromObject(action.settings.env),
  };
}

function SettingsForm({ action, reload }) {
  const [form, setForm] = useState(() => formFrom(action));
  const [saved, setSaved] = useState(() => formFrom(action));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');

  // Take the server's values when they change, unless the user is editing.
  const serverForm = formFrom(action);
  const dirty = JSON.stringify(form) !== JSON.stringify(saved);
  useEffect(() => {
    if (!dirty && JSON.stringify(serverForm) !== JSON.stringify(saved)) {
      setForm(serverForm);
      setSaved(serverForm);
    }
  }, [JSON.stringify(serverForm)]);

  const set = (key) => (value) => {
    setForm((f) => ({ ...f, [key]: value }));
    setMessage('');
  };

  const submit = async (event) => {
    event.preventDefault();
    const found = {};
    if (!/^\d+$/.test(form.timeout) || +form.timeout < 1) found.timeout = 'A whole number of milliseconds.';
    if (!/^\d+$/.test(form.memory) || +form.memory < 1) found.memory = 'A whole number of megabytes.';
    if (!form.route.trim().startsWith('/')) found.route = 'A route starts with "/".';
    setErrors(found);
    if (Object.keys(found).length) return;
    const patch = {};
    if (form.route.trim() !== saved.route) patch.route = form.route.trim();
    const settings = {};
    if (form.timeout !== saved.timeout) settings.timeout_ms = +form.timeout;
    if (form.memory !== saved.memory) settings.memory_limit_mb = +form.memory;
    if (form.enabled !== saved.enabled) settings.enabled = form.enabled;
    if (form.roomMode !== saved.roomMode) settings.room_mode = form.roomMode;
    if (JSON.stringify(envToObject(form.env)) !== JSON.stringify(envToObject(saved.env))) settings.env = envToObject(form.env);
    if (Object.keys(settings).length) patch.settings = settings;
    if (!Object.keys(patch).length) return;
    setBusy(true);
    try {
      const updated = await api('PATCH', `/actions/${encodeURIComponent(action.name)}`, patch);
      const next = formFrom(updated);
      setForm(next);
      setSaved(next);
      setMessage('Saved.');
      await reload();
    } catch (error) {
      const field = fieldOf(error, ['route', 'timeout', 'memory', 'env', 'room_mode']);
      setErrors(field ? { [field]: error.message } : { form: error.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {errors.form && <Notice tone="error">{errors.form}</Notice>}
      <div class="switch-row">
        <input
          id="enabled-switch"
          type="checkbox"
          role="switch"
          class="switch"
          checked={form.enabled}
          onChange={(e) => set('enabled')(e.currentTarget.checked)}
        />
        <label for="enabled-switch">
          <strong>Enabled</strong>
          <span class="hint block">When off, requests to the route get 503 and nothing runs.</span>
        </label>
      </div>
      <Field label="Route" error={errors.route}>
        {(props) => <input {...props} name="route" class="mono" value={form.route} spellcheck={false} onInput={(e) => set('route')(e.currentTarget.value)} />}
      </Field>
      <div class="two">
        <Field label="Timeout (ms)" error={errors.timeout}>
          {(props) => <input {...props} name="timeout" type="number" min="1" inputmode="numeric" value={form.timeout} onInput={(e) => set('timeout')(e.currentTarget.value)} />}
        </Field>
        <Field label="Memory limit (MB)" error={errors.memory}>
          {(props) => <input {...props} name="memory" type="number" min="1" inputmode="numeric" value={form.memory} onInput={(e) => set('memory')(e.currentTarget.value)} />}
        </Field>
      </div>
      <Field label="Room instances" error={errors.room_mode}
        hint={form.roomMode === 'persistent'
          ? 'One live instance per room keeps its memory between events (events run one at a time).'
          : 'A fresh instance for every join, message and leave; keep state in a key-value store.'}>
        {(props) => (
          <select {...props} name="room_mode" value={form.roomMode} onChange={(e) => set('roomMode')(e.currentTarget.value)}>
            <option value="per-event">Per event</option>
            <option value="persistent">Persistent per room</option>
          </select>
        )}
      </Field>
      <EnvEditor value={form.env} onChange={set('env')} error={errors.env} idPrefix="settings-env" />
      <div class="form-footer">
        <span class="grow muted" role="status">
          {message || (dirty ? 'Unsaved changes' : '')}
        </span>
        <button type="button" class="button ghost" disabled={!dirty || busy} onClick={() => { setForm(saved); setErrors({}); }}>
          Reset
        </button>
        <button type="submit" class="button primary" disabled={!dirty || busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

function Versions({ action, reload }) {
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState(null);
  const current = action.current_version?.version;
  const versions = [...(action.versions || [])].sort((a, b) => b.version - a.version);
  const rollback = async (version) => {
    setBusy(version);
    setError(null);
    try {
      await api('POST', `/actions/${encodeURIComponent(action.name)}/rollback`, { version });
      await reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(0);
    }
  };
  return (
    <section class="card" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      {error && <Notice tone="error">{error.message}</Notice>}
      <ul class="version-list">
        {versions.map((v) => (
          <li key={v.version} class={v.version === current ? 'current' : ''} data-version={v.version}>
            <div class="version-main">
              <strong>v{v.version}</strong>
              <StatusBadge status={v.status} />
              {v.version === current && <span class="pill">current</span>}
            </div>
            <div class="version-meta muted">
              <span title={dateTime(v.created_at)}>{ago(v.created_at)}</span> · {bytes(v.module_size)} ·{' '}
              <span class="mono" title={v.module_sha256}>{v.module_sha256.slice(0, 12)}</span>
              {v.error && <div class="field-error">{v.error}</div>}
            </div>
            <div class="version-actions">
              {v.version !== current && v.status !== 'failed' && (
                <button type="button" class="button small" disabled={busy !== 0} onClick={() => rollback(v.version)}
                  aria-label={`Roll back to version ${v.version}`}>
                  {busy === v.version ? 'Rolling back…' : 'Roll back'}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function NewVersion({ action, reload }) {
  const [file, setFile] = useState(null);
  const [phase, setPhase] = useState('idle');
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState(null);
  const [done, setDone] = useState('');
  const busy = phase === 'uploading' || phase === 'compiling';
  const submit = async (event) => {
    event.preventDefault();
    if (!file) return setError('Choose the .wasm file of the new version.');
    setError(null);
    setDone('');
    setPhase('uploading');
    try {
      const form = new FormData();
      form.append('module', file, file.name);
      await upload('PUT', `/actions/${encodeURIComponent(action.name)}/module`, form, setProgress);
      setPhase('compiling');
      const updated = await waitUntilCompiled(action.name);
      await reload();
      setPhase('idle');
      setFile(null);
      if (updated.status === 'failed') setError(`Version ${updated.current_version?.version} failed to compile: ${updated.current_version?.error || ''}`);
      else setDone(`Version ${updated.current_version?.version} is live.`);
    } catch (e) {
      setPhase('idle');
      setError(e.message);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="newversion-title" noValidate>
      <h2 id="newversion-title">Deploy a new version</h2>
      <p class="hint">Settings stay as they are; the previous version is kept for rollback.</p>
      {done && <Notice tone="success">{done}</Notice>}
      <ModuleDrop file={file} onFile={(f) => { setFile(f); setError(null); }} error={error} disabled={busy} />
      <div class="form-footer">
        <div class="grow" aria-live="polite">
          <DeployProgress phase={phase} progress={progress} />
        </div>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Deploying…' : 'Deploy version'}
        </button>
      </div>
    </form>
  );
}

function DangerZone({ action }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const remove = async () => {
    setBusy(true);
    try {
      await api('DELETE', `/actions/${encodeURIComponent(action.name)}`);
      setOpen(false);
      navigate(paths.actions());
    } catch (e) {
      setError(e);
      setOpen(false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card danger-card" aria-labelledby="danger-title">
      <h2 id="danger-title">Delete this action</h2>
      <p class="hint">
        Frees the route <code>{action.route}</code> and removes every version, its logs and its
        statistics. This cannot be undone.
      </p>
      {error && <Notice tone="error">{error.message}</Notice>}
      <button type="button" class="button danger" onClick={() => setOpen(true)}>
        Delete action…
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete ${action.name}?`}
        confirmLabel="Delete forever"
        confirmText={action.name}
        busy={busy}
        onConfirm={remove}
        onCancel={() => setOpen(false)}
      >
        <p>
          Requests to <code>{action.route}</code> will get 404 and all {action.versions?.length || 0} versions
          will be removed.
        </p>
      </ConfirmDialog>
    </section>
  );
}
