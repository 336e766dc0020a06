// Deploy helpers shared by the deploy page and "new version" on an action's page:
// the .wasm drop zone and the upload → compile → ready progress.
import { useRef, useState } from 'preact/hooks';
import { get } from './api.js';
import { bytes } from './format.js';
import { ProgressBar, useId } from './ui.jsx';

// Polls the action until its current version leaves "compiling". Returns the action.
export async function waitUntilCompiled(name, { timeoutMs = 120000, signal } = {}) {
  const started = Date.now();
  let delay = 150;
  for (;;) {
    if (signal && signal.aborted) throw new Error('cancelled');
    const action = await get(`/actions/${encodeURIComponent(name)}`);
    if (action.status !== 'compiling') return action;
    if (Date.now() - started > timeoutMs) throw new Error('Compilation is taking unusually long; check the action page later.');
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(1000, delay * 1.5);
  }
}

export function ModuleDrop({ file, onFile, error, disabled }) {
  const id = useId('module');
  const input = useRef(null);
  const [over, setOver] = useState(false);
  const accept = (files) => {
    if (files && files[0]) onFile(files[0]);
  };
  return (
    <div class={`field ${error ? 'has-error' : ''}`}>
      <span class="label" id={`${id}-label`}>
        Module (.wasm)
      </span>
      <div
        class={`dropzone ${over ? 'over' : ''} ${file ? 'has-file' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (!disabled) accept(e.dataTransfer.files);
        }}
      >
        <input
          ref={input}
          id={id}
          type="file"
          accept=".wasm,application/wasm"
          class="visually-hidden"
          disabled={disabled}
          aria-labelledby={`${id}-label`}
          aria-describedby={error ? `${id}-error` : undefined}
          aria-invalid={error ? 'true' : undefined}
          onChange={(e) => accept(e.currentTarget.files)}
        />
        <div class="dropzone-icon" aria-hidden="true">⬆</div>
        {file ? (
          <p>
            <strong class="mono">{file.name}</strong> <span class="muted">({bytes(file.size)})</span>
          </p>
        ) : (
          <p>
            Drop a <code>.wasm</code> file here, or
          </p>
        )}
        <label for={id} id={`${id}-button`} class="button small" tabindex="-1">
          {file ? 'Choose another file' : 'Choose a file'}
        </label>
      </div>
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

// phase: idle | uploading | compiling | ready | failed
export function DeployProgress({ phase, progress, detail }) {
  if (phase === 'uploading') return <ProgressBar value={progress} label="Uploading module" />;
  if (phase === 'compiling') return <ProgressBar value={null} label={detail || 'Validating and compiling…'} />;
  return null;
}
