// A small history router: the dashboard lives at /dashboard/... (the gateway answers every
// path below it with index.html, so deep links and reloads work).
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/dashboard';
const listeners = new Set();

function notify() {
  listeners.forEach((listener) => listener());
}

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  notify();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', notify);

export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

// Matches "/dashboard/actions/:name/logs"-style patterns; returns params or null.
export function match(pattern, path) {
  const want = pattern.split('/').filter(Boolean);
  const have = path.replace(/\/+$/, '').split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

export function Link({ href, children, ...props }) {
  const onClick = (event) => {
    if (props.onClick) props.onClick(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (props.target) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} {...props} onClick={onClick}>
      {children}
    </a>
  );
}

export const paths = {
  signIn: () => `${BASE}/signin`,
  register: () => `${BASE}/register`,
  actions: () => `${BASE}/actions`,
  deploy: () => `${BASE}/deploy`,
  action: (name, tab = '') =>
    `${BASE}/actions/${encodeURIComponent(name)}${tab ? '/' + tab : ''}`,
  admin: () => `${BASE}/admin`,
  account: () => `${BASE}/account`,
  stores: () => `${BASE}/kv`,
  store: (name) => `${BASE}/kv/${encodeURIComponent(name)}`,
  volumes: () => `${BASE}/volumes`,
  request: (id) => `${BASE}/requests/${encodeURIComponent(id)}`,
  volume: (name, dir = '') =>
    `${BASE}/volumes/${encodeURIComponent(name)}${dir ? `?dir=${encodeURIComponent(dir)}` : ''}`,
};
