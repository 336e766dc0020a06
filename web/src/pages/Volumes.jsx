// Volumes: the list (create with an optional quota, delete) and one volume's file browser
// (folders derived from the paths, breadcrumbs, upload, download, delete). Symlinks are
// listed as such and never downloaded: the server does not follow them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, get, rawRequest, upload } from '../lib/api.js';
import { ago, bytes, count, dateTime } from '../lib/format.js';
import { Link, navigate, paths } from '../lib/router.jsx';
import { CreateForm, QuotaBar, StorageListHead, useStorageList } from '../lib/storage.jsx';
import { ConfirmDialog, Field, Loading, Notice, ProgressBar, useId } from '../lib/ui.jsx';
import { NotFound } from './NotFound.jsx';

// A volume path in a URL: each component percent-encoded, the "/" between them kept.
export function encodePath(path) {
  return path
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
}

export function VolumesPage() {
  const list = useStorageList('volumes', 'volumes');
  const { items: volumes, error, load, deleting, setDeleting, busy, remove } = list;
  const create = async (name, values) => {
    const body = { name };
    const quota = (values.quota || '').trim();
    if (quota) {
      if (!/^\d+$/.test(quota) || +quota < 1) throw new Error('Quota (MB): a whole number of megabytes, or empty for the default.');
      body.quota_mb = +quota;
    }
    await api('POST', '/volumes', body);
    await load();
  };
  return (
    <section>
      <StorageListHead current="volumes" list={list} what="volumes" />
      {!volumes && !error && <Loading label="Loading volumes…" />}
      {volumes && volumes.length === 0 && (
        <div class="card">
          <p class="muted">
            No volumes yet. A volume is a folder of files an action can read (or write) at a path you choose, for
            example a static site mounted at <code>/site</code>.
          </p>
        </div>
      )}
      {volumes && volumes.length > 0 && (
        <div class="card flush">
          <table class="table responsive volumes-table">
            <caption class="visually-hidden">Your volumes</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">Files</th>
                <th scope="col">Size</th>
                <th scope="col">Created</th>
                <th scope="col"><span class="visually-hidden">Delete</span></th>
              </tr>
            </thead>
            <tbody>
              {volumes.map((volume) => (
                <tr key={volume.name} data-volume={volume.name}>
                  <th scope="row" data-label="Name">
                    <Link href={paths.volume(volume.name)} class="strong-link mono">
                      {volume.name}
                    </Link>
                  </th>
                  <td data-label="Files" class="num" data-col="files">{count(volume.files)}</td>
                  <td data-label="Size" class="quota-cell">
                    <QuotaBar used={volume.bytes} quota={volume.quota_bytes} label={`${volume.name} quota`} />
                  </td>
                  <td data-label="Created">{dateTime(volume.created_at)}</td>
                  <td class="row-actions">
                    <button type="button" class="button small ghost" aria-label={`Delete volume ${volume.name}`}
                      onClick={() => setDeleting(volume.name)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateForm title="New volume" label="Volume name" button="Create volume" onCreate={create}
        extra={(values, set) => (
          <Field label="Quota (MB)" hint="Empty: the server's default." className="quota-field">
            {(props) => (
              <input {...props} type="number" min="1" inputmode="numeric" value={values.quota || ''}
                onInput={(e) => set('quota', e.currentTarget.value)} />
            )}
          </Field>
        )} />
      <ConfirmDialog open={deleting !== null} title={`Delete volume ${deleting}?`} confirmLabel="Delete volume"
        confirmText={deleting || undefined} busy={busy} onConfirm={remove} onCancel={() => setDeleting(null)}>
        <p>All of its files are removed. Actions that are granted this volume must lose the grant first.</p>
      </ConfirmDialog>
    </section>
  );
}

// The entries directly inside `dir` ("" or "a/b/"): sub-folders (with their totals) and files.
function listDir(files, dir) {
  const folders = new Map();
  const here = [];
  for (const file of files) {
    if (!file.path.startsWith(dir)) continue;
    const rest = file.path.slice(dir.length);
    const slash = rest.indexOf('/');
    if (slash < 0) here.push({ ...file, name: rest });
    else {
      const name = rest.slice(0, slash);
      const folder = folders.get(name) || { name, files: 0, size: 0 };
      folder.files += 1;
      folder.size += file.size || 0;
      folders.set(name, folder);
    }
  }
  return { folders: [...folders.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), files: here };
}

// The last path the user gave a folder ("a/b/") from the ?dir= query; "" is the root.
function cleanDir(dir) {
  const parts = (dir || '').split('/').filter((p) => p && p !== '.' && p !== '..');
  return parts.length ? `${parts.join('/')}/` : '';
}

export function VolumePage({ name, dir: rawDir }) {
  const dir = cleanDir(rawDir);
  const [info, setInfo] = useState(null);
  const [files, setFiles] = useState(null);
  const [error, setError] = useState(null);
  const [missing, setMissing] = useState(false);
  const [status, setStatus] = useState('');
  const [actionError, setActionError] = useState('');
  const [deleting, setDeleting] = useState(null);
  const [busy, setBusy] = useState(false);
  const base = `/volumes/${encodeURIComponent(name)}`;

  const load = async () => {
    try {
      const [list, all] = await Promise.all([get(`${base}/files`), get('/volumes')]);
      setFiles(list.files || []);
      setInfo((all.volumes || []).find((v) => v.name === name) || null);
      setError(null);
    } catch (e) {
      if (e.status === 404) setMissing(true);
      setError(e);
    }
  };
  useEffect(() => {
    setFiles(null);
    setMissing(false);
    load();
  }, [name]);

  const download = async (file) => {
    setActionError('');
    try {
      // Links cannot carry the bearer token: fetch the bytes, then save them from a blob URL.
      const answer = await rawRequest('GET', `${base}/files/${encodePath(file.path)}`);
      // Always octet-stream: a blob URL is on the dashboard's origin, so a file a guest wrote
      // (HTML with scripts, say) must never be rendered there, only saved.
      const blob = new Blob([answer.data], { type: 'application/octet-stream' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.path.split('/').pop();
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      setStatus(`Downloaded ${file.path}.`);
    } catch (e) {
      setActionError(`${file.path}: ${e.message}`);
    }
  };
  const remove = async () => {
    const file = deleting;
    setBusy(true);
    try {
      await rawRequest('DELETE', `${base}/files/${encodePath(file.path)}`);
      setStatus(`Deleted ${file.path}.`);
      setActionError('');
      await load();
    } catch (e) {
      setActionError(`${file.path}: ${e.message}`);
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  if (missing) return <NotFound what="volume" />;
  const view = files ? listDir(files, dir) : null;
  const crumbs = dir.split('/').filter(Boolean);
  return (
    <section>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <Link href={paths.stores()}>Storage</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={paths.volumes()}>Volumes</Link> <span aria-hidden="true">/</span> <span>{name}</span>
      </nav>
      <div class="page-head">
        <div>
          <h1 tabindex="-1" class="mono-title">{name}</h1>
          {info && (
            <p class="muted">
              {count(info.files)} {info.files === 1 ? 'file' : 'files'} · {bytes(info.bytes)}
              {info.quota_bytes ? ` of ${bytes(info.quota_bytes)}` : ''}
            </p>
          )}
        </div>
      </div>
      {error && <Notice tone="error" title="Could not load the files">{error.message}</Notice>}
      {actionError && (
        <Notice tone="error" onDismiss={() => setActionError('')}>
          {actionError}
        </Notice>
      )}
      <p class="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
      <div class="columns files-columns">
        <section class="card flush files-card" aria-labelledby="files-title">
          <div class="files-head">
            <h2 id="files-title" class="visually-hidden">Files</h2>
            <nav aria-label="Folder" class="folder-crumbs">
              <Link href={paths.volume(name)} aria-current={crumbs.length === 0 ? 'location' : undefined}>
                {name}
              </Link>
              {crumbs.map((part, i) => {
                const to = `${crumbs.slice(0, i + 1).join('/')}/`;
                return (
                  <span key={to}>
                    <span aria-hidden="true"> / </span>
                    <Link href={paths.volume(name, to)} aria-current={i === crumbs.length - 1 ? 'location' : undefined}>
                      {part}
                    </Link>
                  </span>
                );
              })}
            </nav>
          </div>
          {!view && !error && <Loading label="Loading files…" />}
          {view && view.folders.length === 0 && view.files.length === 0 && (
            <p class="muted files-empty">{dir ? 'Nothing in this folder yet: upload files here to create it.' : 'No files yet.'}</p>
          )}
          {view && (view.folders.length > 0 || view.files.length > 0) && (
            <table class="table compact files-table">
              <caption class="visually-hidden">Files in {dir || 'the top folder'}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="num">Size</th>
                  <th scope="col" class="hide-sm">Modified</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {dir && (
                  <tr>
                    <th scope="row">
                      <Link href={paths.volume(name, crumbs.slice(0, -1).join('/'))} aria-label="Up one folder">
                        ↑ ..
                      </Link>
                    </th>
                    <td colspan="3" />
                  </tr>
                )}
                {view.folders.map((folder) => (
                  <tr key={`d:${folder.name}`} data-folder={folder.name}>
                    <th scope="row">
                      <Link href={paths.volume(name, `${dir}${folder.name}/`)} class="folder-link">
                        <span aria-hidden="true" class="folder-icon" />
                        {folder.name}/
                      </Link>
                    </th>
                    <td class="num muted">{count(folder.files)} {folder.files === 1 ? 'file' : 'files'}</td>
                    <td class="hide-sm" />
                    <td />
                  </tr>
                ))}
                {view.files.map((file) => {
                  const symlink = file.type === 'symlink';
                  return (
                    <tr key={`f:${file.path}`} data-path={file.path}>
                      <th scope="row" class="mono file-name">
                        {file.name}
                        {symlink && (
                          <>
                            {' '}
                            <span class="pill pill-muted" title="Symbolic links are never followed">symlink</span>
                          </>
                        )}
                      </th>
                      <td class="num">{symlink ? '—' : bytes(file.size)}</td>
                      <td class="hide-sm muted" title={dateTime(file.modified_at)}>{file.modified_at ? ago(file.modified_at) : '—'}</td>
                      <td class="row-actions">
                        <span class="inline-actions">
                          {!symlink && (
                            <button type="button" class="button small" aria-label={`Download ${file.path}`} onClick={() => download(file)}>
                              Download
                            </button>
                          )}
                          <button type="button" class="button small ghost" aria-label={`Delete ${file.path}`} onClick={() => setDeleting(file)}>
                            Delete
                          </button>
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </section>
        <UploadCard name={name} base={base} dir={dir} onUploaded={(text) => { setStatus(text); load(); }} />
      </div>
      <ConfirmDialog open={deleting !== null} title={`Delete ${deleting?.path}?`} confirmLabel="Delete file" busy={busy}
        onConfirm={remove} onCancel={() => setDeleting(null)}>
        <p>The file is removed from the volume; actions reading it will find it absent.</p>
      </ConfirmDialog>
    </section>
  );
}

// Files (chosen or dropped) → PUT one by one into the target folder, with progress.
function UploadCard({ name, base, dir, onUploaded }) {
  const id = useId('upload');
  const input = useRef(null);
  const [folder, setFolder] = useState(dir);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState(null); // {index, total, name, fraction}
  const [errors, setErrors] = useState([]);
  const [done, setDone] = useState('');
  useEffect(() => setFolder(dir), [dir]);

  const send = async (list) => {
    const chosen = [...(list || [])];
    if (!chosen.length) return;
    const target = cleanDir(folder);
    const failed = [];
    let sent = 0;
    setErrors([]);
    setDone('');
    for (let i = 0; i < chosen.length; i++) {
      const file = chosen[i];
      const path = `${target}${file.webkitRelativePath || file.name}`;
      setProgress({ index: i + 1, total: chosen.length, name: path, fraction: 0 });
      try {
        await upload('PUT', `${base}/files/${encodePath(path)}`, file, (fraction) =>
          setProgress({ index: i + 1, total: chosen.length, name: path, fraction }));
        sent += 1;
      } catch (e) {
        failed.push(`${path}: ${e.message}`);
      }
    }
    setProgress(null);
    setErrors(failed);
    if (input.current) input.current.value = '';
    const text = `Uploaded ${sent} of ${chosen.length} file${chosen.length === 1 ? '' : 's'}${target ? ` to ${target}` : ''}.`;
    setDone(text);
    onUploaded(text);
    if (target !== dir && sent) navigate(paths.volume(name, target));
  };

  return (
    <section class="card upload-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Upload files</h2>
      <Field label="Into folder" hint="Folders are created as needed; empty is the top folder.">
        {(props) => (
          <input {...props} class="mono" value={folder} spellcheck={false} autocomplete="off" placeholder="(top folder)"
            onInput={(e) => setFolder(e.currentTarget.value)} />
        )}
      </Field>
      <div class={`dropzone ${over ? 'over' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); if (!progress) send(e.dataTransfer.files); }}>
        <div class="dropzone-icon" aria-hidden="true">⬆</div>
        <p>Drop files here, or</p>
        <label class="button small" for={`${id}-input`}>
          Choose files…
        </label>
        <input ref={input} id={`${id}-input`} type="file" multiple class="visually-hidden" disabled={!!progress}
          aria-label="Files to upload" onChange={(e) => send(e.currentTarget.files)} />
      </div>
      <div aria-live="polite" class="upload-status">
        {progress && (
          <ProgressBar value={progress.fraction} label={`Uploading ${progress.name} (${progress.index} of ${progress.total})`} />
        )}
        {!progress && done && <p class="muted small-note">{done}</p>}
      </div>
      {errors.length > 0 && (
        <Notice tone="error" title="Some files were not uploaded">
          <ul class="plain-list">
            {errors.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        </Notice>
      )}
    </section>
  );
}
