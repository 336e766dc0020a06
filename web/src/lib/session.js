// The signed-in user's session: the JWT and who it belongs to, kept in localStorage.
// localStorage is per origin, and the dashboard's origin serves no action pages, so no
// action can read it (the server keeps actions on another origin). Signing out revokes
// the session on the server too (signOut in api.js).
import { useEffect, useState } from 'preact/hooks';

const KEY = 'wa.session';
const listeners = new Set();
let current = load();
let expiryTimer = null;
let notice = ''; // shown once on the sign-in page (e.g. "your session expired")

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (saved && saved.token && (!saved.expires_at || saved.expires_at > Date.now())) return saved;
  } catch {
    /* a corrupt entry is treated as signed out */
  }
  return null;
}

function changed() {
  scheduleExpiry();
  listeners.forEach((listener) => listener(current));
}

// A JWT stops working at expires_at: sign out at that moment instead of on the next failure.
function scheduleExpiry() {
  clearTimeout(expiryTimer);
  if (!current || !current.expires_at) return;
  const wait = current.expires_at - Date.now();
  if (wait > 2 ** 31 - 1) return; // beyond setTimeout's range; the 401 path still catches it
  expiryTimer = setTimeout(() => expireSession(), Math.max(0, wait));
}

export function getSession() {
  return current;
}

export function token() {
  return current ? current.token : null;
}

// `issued` is the API's {token, user, expires_at?} answer to register/login.
export function startSession(issued) {
  current = { token: issued.token, user: issued.user, expires_at: issued.expires_at || 0 };
  localStorage.setItem(KEY, JSON.stringify(current));
  notice = '';
  changed();
}

export function updateUser(user) {
  if (!current) return;
  current = { ...current, user };
  localStorage.setItem(KEY, JSON.stringify(current));
  changed();
}

export function endSession(message = '') {
  current = null;
  localStorage.removeItem(KEY);
  notice = message;
  changed();
}

export function expireSession() {
  if (current) endSession('Your session has expired. Please sign in again.');
}

export function takeNotice() {
  const text = notice;
  notice = '';
  return text;
}

export function useSession() {
  const [value, setValue] = useState(current);
  useEffect(() => {
    listeners.add(setValue);
    setValue(current);
    return () => listeners.delete(setValue);
  }, []);
  return value;
}

// Another tab signing in or out changes this tab too.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  current = load();
  changed();
});

scheduleExpiry();
