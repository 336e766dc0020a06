// The two origins of a WASM Actions server: this dashboard, and the actions (which run on
// an origin of their own so that no action page can read what the dashboard stores).
// Asked from the server once at start-up (GET /api/v1/origins).
let actions = guess();

// Until the server answers: the default layout puts the dashboard on the main port + 1.
function guess() {
  const port = Number(location.port || (location.protocol === 'https:' ? 443 : 80));
  return `${location.protocol}//${location.hostname}:${port - 1}`;
}

export async function loadOrigins() {
  try {
    const response = await fetch('/api/v1/origins', { cache: 'no-store' });
    if (response.ok) {
      const body = await response.json();
      if (body && typeof body.actions === 'string') actions = body.actions.replace(/\/+$/, '');
    }
  } catch {
    /* keep the guess: links to actions may be off, the dashboard itself works */
  }
}

// Where actions answer, e.g. "http://127.0.0.1:8080" (no trailing slash).
export function actionsOrigin() {
  return actions;
}
