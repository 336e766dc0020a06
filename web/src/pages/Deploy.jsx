// Deploy a new action: module, name, route and settings; then follow it until it is ready.
import { useState } from 'preact/hooks';
import { fieldOf, upload } from '../lib/api.js';
import { DeployProgress, ModuleDrop, waitUntilCompiled } from '../lib/deploy.jsx';
import { routeUrl } from '../lib/format.js';
import { Link, paths } from '../lib/router.jsx';
import { EnvEditor, Field, Notice, envToObject } from '../lib/ui.jsx';

const FIELDS = ['module', 'name', 'route', 'timeout', 'memory', 'env'];

function suggestName(fileName) {
  return fileName.replace(/\.wasm$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
}

export function DeployPage() {
  const [file, setFile] = useState(null);
  const [name, setName] = useState('');
  const [route, setRoute] = useState('');
  const [routeTouched, setRouteTouched] = useState(false);
  const [timeout, setTimeoutMs] = useState('');
  const [memory, setMemory] = useState('');
  const [env, setEnv] = useState([]);
  const [errors, setErrors] = useState({});
  const [phase, setPhase] = useState('idle');
  const [progress, setProgress] = useState(0);
  const [result, setResult] = useState(null);

  const busy = phase === 'uploading' || phase === 'compiling';

  const chooseFile = (chosen) => {
    setFile(chosen);
    setErrors((e) => ({ ...e, module: undefined }));
    if (!name) {
      const suggested = suggestName(chosen.name);
      setName(suggested);
      if (!routeTouched && !route) setRoute(`/${suggested}`);
    }
  };

  const validate = () => {
    const found = {};
    if (!file) found.module = 'Choose the .wasm file to deploy.';
    else if (!/\.wasm$/i.test(file.name)) found.module = 'The module must be a .wasm file.';
    if (!name.trim()) found.name = 'Give the action a name.';
    else if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name.trim())) {
      found.name = 'Use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.';
    }
    if (!route.trim()) found.route = 'Choose the URL path, e.g. /hello or /api/... for a prefix.';
    else if (!route.trim().startsWith('/')) found.route = 'A route starts with "/".';
    if (timeout && !(Number.isInteger(+timeout) && +timeout > 0)) found.timeout = 'A whole number of milliseconds.';
    if (memory && !(Number.isInteger(+memory) && +memory > 0)) found.memory = 'A whole number of megabytes.';
    if (env.some(([n, v]) => !n.trim() && v)) found.env = 'Every value needs a variable name.';
    return found;
  };

  const submit = async (event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setResult(null);
    if (Object.keys(found).length) return;
    const settings = {};
    if (timeout) settings.timeout_ms = +timeout;
    if (memory) settings.memory_limit_mb = +memory;
    const envObject = envToObject(env);
    if (Object.keys(envObject).length) settings.env = envObject;
    const form = new FormData();
    form.append('name', name.trim());
    form.append('route', route.trim());
    if (Object.keys(settings).length) form.append('settings', JSON.stringify(settings));
    form.append('module', file, file.name);
    setPhase('uploading');
    setProgress(0);
    try {
      const created = await upload('POST', '/actions', form, setProgress);
      setPhase('compiling');
      const action = await waitUntilCompiled(created.name);
      setResult(action);
      setPhase(action.status === 'failed' ? 'failed' : 'ready');
    } catch (error) {
      setPhase('idle');
      const field = fieldOf(error, FIELDS);
      setErrors(field ? { [field]: error.message } : { form: error.message });
    }
  };

  const again = () => {
    setFile(null);
    setName('');
    setRoute('');
    setRouteTouched(false);
    setEnv([]);
    setPhase('idle');
    setResult(null);
  };

  return (
    <section>
      <div class="page-head">
        <div>
          <h1 tabindex="-1">Deploy an action</h1>
          <p class="muted">Upload a WASI module and bind it to a URL. It answers as soon as it is compiled.</p>
        </div>
      </div>
      {phase === 'ready' && result && (
        <Notice tone="success" title={`${result.name} is live`}>
          Version {result.current_version?.version} answers at{' '}
          <a href={routeUrl(result.route)} target="_blank" rel="noopener" class="mono">
            {result.route}
          </a>
          .
          <div class="inline-actions notice-actions">
            <Link class="button small primary" href={paths.action(result.name, 'tester')}>
              Send a test request
            </Link>
            <Link class="button small" href={paths.action(result.name)}>
              View action
            </Link>
            <button type="button" class="button small ghost" onClick={again}>
              Deploy another
            </button>
          </div>
        </Notice>
      )}
      {phase === 'failed' && result && (
        <Notice tone="error" title="Compilation failed">
          {result.current_version?.error || 'The module could not be compiled.'}{' '}
          <Link href={paths.action(result.name)}>Open the action</Link> to deploy a fixed version.
        </Notice>
      )}
      {phase !== 'ready' && (
      <form class="card form-grid" onSubmit={submit} noValidate aria-label="Deploy an action">
        {errors.form && (
          <div class="span-2">
            <Notice tone="error">{errors.form}</Notice>
          </div>
        )}
        <div class="span-2">
          <ModuleDrop file={file} onFile={chooseFile} error={errors.module} disabled={busy} />
        </div>
        <Field label="Name" error={errors.name} hint="Unique among your actions.">
          {(props) => (
            <input {...props} name="name" value={name} disabled={busy} spellcheck={false} autocomplete="off"
              onInput={(e) => {
                const value = e.currentTarget.value;
                setName(value);
                if (!routeTouched) setRoute(value ? `/${value}` : '');
              }} />
          )}
        </Field>
        <Field label="Route" error={errors.route} hint={<>Exact path like <code>/hello</code>, or a prefix like <code>/api/...</code></>}>
          {(props) => (
            <input {...props} name="route" class="mono" value={route} disabled={busy} spellcheck={false} autocomplete="off"
              placeholder="/hello"
              onInput={(e) => {
                setRoute(e.currentTarget.value);
                setRouteTouched(true);
              }} />
          )}
        </Field>
        <Field label="Timeout (ms)" error={errors.timeout} hint="Per request. Server default if empty.">
          {(props) => (
            <input {...props} name="timeout" type="number" min="1" step="1" inputmode="numeric" placeholder="5000"
              value={timeout} disabled={busy} onInput={(e) => setTimeoutMs(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Memory limit (MB)" error={errors.memory} hint="Linear memory cap. Server default if empty.">
          {(props) => (
            <input {...props} name="memory" type="number" min="1" step="1" inputmode="numeric" placeholder="128"
              value={memory} disabled={busy} onInput={(e) => setMemory(e.currentTarget.value)} />
          )}
        </Field>
        <div class="span-2">
          <EnvEditor value={env} onChange={setEnv} error={errors.env} idPrefix="deploy-env" />
        </div>
        <div class="span-2 form-footer">
          <div class="grow" aria-live="polite">
            <DeployProgress phase={phase} progress={progress} />
          </div>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Deploying…' : 'Deploy'}
          </button>
        </div>
      </form>
      )}
    </section>
  );
}
