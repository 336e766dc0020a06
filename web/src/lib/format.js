// Small display helpers: durations, sizes, times, numbers.

import { actionsOrigin } from './origins.js';

export function ms(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '0 ms';
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 10) return `${value.toFixed(1)} ms`;
  if (value < 10000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(1)} s`;
}

export function bytes(value) {
  if (!value && value !== 0) return '—';
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${(value / 1024 / 1024).toFixed(1)} MB`;
}

export function count(value) {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat().format(value);
}

export function ago(timeMs, now = Date.now()) {
  if (!timeMs) return 'never';
  const seconds = Math.round((now - timeMs) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(timeMs).toLocaleDateString();
}

export function dateTime(timeMs) {
  return timeMs ? new Date(timeMs).toLocaleString() : '—';
}

export function clockTime(timeMs) {
  const d = new Date(timeMs);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// The URL path to call for a route: "/api/..." is called at "/api".
// The path a route answers at ("/api/..." → "/api").
export function routePath(route) {
  if (!route) return '/';
  return route.endsWith('/...') ? route.slice(0, -4) || '/' : route;
}

// The full URL of a route on the actions origin (never the dashboard's own origin).
export function routeUrl(route) {
  return actionsOrigin() + routePath(route);
}

// Sum of requests over the last hour from the stats' per-minute series.
export function lastHour(stats) {
  if (!stats || !Array.isArray(stats.per_minute)) return null;
  return stats.per_minute.reduce((sum, point) => sum + (point.requests || 0), 0);
}

// The status to show: the API reports "disabled" only on the detail endpoint.
export function actionStatus(action) {
  if (action.settings && action.settings.enabled === false) return 'disabled';
  return action.status || 'none';
}
