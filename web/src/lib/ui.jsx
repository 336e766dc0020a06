// Shared building blocks: labelled fields, badges, notices, dialogs, env var editor.
import { useEffect, useRef, useState } from 'preact/hooks';

let nextId = 0;
export function useId(prefix = 'f') {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
}

// A label, one control (given the id, error and hint ids) and its error next to it.
export function Field({ label, hint, error, children, className = '' }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field ${error ? 'has-error' : ''} ${className}`}>
      <label for={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? 'true' : undefined })}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

const STATUS_TEXT = {
  compiling: 'Compiling',
  ready: 'Ready',
  optimized: 'Ready',
  failed: 'Failed',
  disabled: 'Disabled',
  none: 'No version',
};

export function StatusBadge({ status }) {
  const label = STATUS_TEXT[status] || status;
  const tone = status === 'optimized' ? 'ready' : status;
  return (
    <span class={`badge badge-${tone}`} data-status={status} title={status === 'optimized' ? 'Ready (optimized tier)' : undefined}>
      <span class="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function Notice({ tone = 'info', title, children, onDismiss }) {
  return (
    <div class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <div>
        {title && <strong class="notice-title">{title}</strong>}
        <div>{children}</div>
      </div>
      {onDismiss && (
        <button type="button" class="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

export function Spinner({ label = 'Loading' }) {
  return (
    <span class="spinner-wrap" role="status">
      <span class="spinner" aria-hidden="true" />
      <span class="visually-hidden">{label}</span>
    </span>
  );
}

export function Loading({ label = 'Loading…' }) {
  return (
    <div class="loading">
      <Spinner label={label} />
      <span aria-hidden="true">{label}</span>
    </div>
  );
}

export function ProgressBar({ value, label }) {
  const percent = value === null ? null : Math.round(value * 100);
  return (
    <div class="progress-wrap">
      <div class="progress-label">
        <span>{label}</span>
        {percent !== null && <span>{percent}%</span>}
      </div>
      <div
        class={`progress ${percent === null ? 'indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={percent === null ? undefined : percent}
      >
        <div class="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class="button small ghost" onClick={copy} aria-label={`${label}: ${text}`}>
      {copied ? 'Copied' : label}
    </button>
  );
}

export function CodeBlock({ children, copy }) {
  return (
    <div class="code-block">
      <pre>
        <code>{children}</code>
      </pre>
      {copy && <CopyButton text={copy} />}
    </div>
  );
}

// A modal confirmation built on <dialog>: focus is trapped and Escape cancels.
export function ConfirmDialog({ open, title, children, confirmLabel, confirmText, tone = 'danger', onConfirm, onCancel, busy }) {
  const ref = useRef(null);
  const [typed, setTyped] = useState('');
  const inputId = useId('confirm');
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setTyped('');
      dialog.showModal();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);
  const allowed = !confirmText || typed === confirmText;
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={`${inputId}-title`} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (allowed && !busy) onConfirm();
        }}
      >
        <h2 id={`${inputId}-title`}>{title}</h2>
        <div class="dialog-body">{children}</div>
        {confirmText && (
          <div class="field">
            <label for={inputId}>
              Type <code>{confirmText}</code> to confirm
            </label>
            <input id={inputId} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" spellcheck={false} />
          </div>
        )}
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class={`button ${tone}`} disabled={!allowed || busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

// Rows of NAME = value; `value` is [[name, value], ...].
export function EnvEditor({ value, onChange, error, idPrefix = 'env' }) {
  const update = (index, column, text) => {
    const rows = value.map((row) => [...row]);
    rows[index][column] = text;
    onChange(rows);
  };
  const remove = (index) => onChange(value.filter((_, i) => i !== index));
  const add = () => onChange([...value, ['', '']]);
  return (
    <fieldset class={`env-editor ${error ? 'has-error' : ''}`} aria-describedby={error ? `${idPrefix}-error` : undefined}>
      <legend>Environment variables</legend>
      {value.length === 0 && <p class="hint">None. The guest gets the CGI variables only.</p>}
      {value.map(([name, val], index) => (
        <div class="env-row" key={index}>
          <input
            aria-label={`Variable ${index + 1} name`}
            placeholder="NAME"
            value={name}
            spellcheck={false}
            autocomplete="off"
            class="mono"
            onInput={(e) => update(index, 0, e.currentTarget.value)}
          />
          <span aria-hidden="true" class="env-eq">=</span>
          <input
            aria-label={`Variable ${index + 1} value`}
            placeholder="value"
            value={val}
            spellcheck={false}
            autocomplete="off"
            class="mono"
            onInput={(e) => update(index, 1, e.currentTarget.value)}
          />
          <button type="button" class="icon-button" aria-label={`Remove variable ${name || index + 1}`} onClick={() => remove(index)}>
            ×
          </button>
        </div>
      ))}
      <button type="button" class="button small ghost" onClick={add}>
        + Add variable
      </button>
      {error && (
        <p class="field-error" id={`${idPrefix}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function envToObject(rows) {
  const out = {};
  for (const [name, value] of rows) if (name.trim()) out[name.trim()] = value;
  return out;
}

export function envFromObject(env) {
  return Object.entries(env || {});
}

// Re-runs `load` every `intervalMs` while mounted (and the tab is visible).
export function usePolling(load, intervalMs, deps = []) {
  useEffect(() => {
    let stopped = false;
    let timer = null;
    const tick = async () => {
      if (stopped) return;
      if (document.visibilityState !== 'hidden') {
        try {
          await load();
        } catch {
          /* the page shows its own error state */
        }
      }
      if (!stopped) timer = setTimeout(tick, typeof intervalMs === 'function' ? intervalMs() : intervalMs);
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
}
