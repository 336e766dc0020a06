// A request's log lines as a tree of calls: a chained call's id is "<parent id>.<n>", so
// the tree follows the ids. Plain functions (no DOM), tested with node (chain.test.mjs).

export const REQUEST_ID = /^[0-9a-f.]{1,200}$/;

export function parentOf(id) {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? '' : id.slice(0, dot);
}

// Calls in call order: ".2" before ".10"; anything not numeric bytewise.
function callOrder(a, b) {
  const la = a.slice(a.lastIndexOf('.') + 1);
  const lb = b.slice(b.lastIndexOf('.') + 1);
  if (/^\d{1,15}$/.test(la) && /^\d{1,15}$/.test(lb) && la !== lb) return Number(la) - Number(lb);
  return a < b ? -1 : a > b ? 1 : 0;
}

// The gateway logs, on each callee, 'called by "NAME" (request PARENT): ...'.
function callerOf(node, parentId) {
  for (const line of node.lines) {
    const m = /^called by "([^"]{1,64})" \(request ([0-9a-f.]{1,200})\)/.exec(line.message || '');
    if (m && m[2] === parentId) return m[1];
  }
  return '';
}

// {root, orphans}: root = {id, lines, actions, outcomes, children: [node...]}, the node of
// `rootId`, with every call between it and a call that logged (a call that left no line
// still shows where its children hang). Lines keep their order (oldest first). Lines whose
// id is not under the root (the server sends none) land in `orphans` rather than vanish.
export function buildChain(rootId, entries) {
  const nodes = new Map();
  const node = (id) => {
    let n = nodes.get(id);
    if (!n) {
      n = { id, lines: [], actions: [], outcomes: [], children: [] };
      nodes.set(id, n);
    }
    return n;
  };
  const root = node(rootId);
  const orphans = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    if (!entry || typeof entry.request_id !== 'string') continue;
    const id = entry.request_id;
    if (id !== rootId && !id.startsWith(`${rootId}.`)) {
      orphans.push(entry);
      continue;
    }
    const n = node(id);
    n.lines.push(entry);
    if (entry.action && !n.actions.includes(entry.action)) n.actions.push(entry.action);
    if (entry.outcome && !n.outcomes.includes(entry.outcome)) n.outcomes.push(entry.outcome);
    // Link the call and each missing ancestor up to the root.
    for (let child = id; child !== rootId; ) {
      const parent = parentOf(child);
      const p = node(parent);
      const c = nodes.get(child);
      if (p.children.includes(c)) break;
      p.children.push(c);
      child = parent;
    }
  }
  for (const n of nodes.values()) {
    n.children.sort((a, b) => callOrder(a.id, b.id));
    // A caller that logged nothing is still named by its callees' "called by" lines.
    if (!n.actions.length) {
      const caller = n.children.map((c) => callerOf(c, n.id)).find(Boolean);
      if (caller) {
        n.actions.push(caller);
        n.inferred = true;
      }
    }
  }
  return { root, orphans };
}

// How many calls the tree holds (the root included).
export function countCalls(node) {
  let total = 0;
  const stack = [node];
  while (stack.length) {
    const n = stack.pop();
    total += 1;
    stack.push(...n.children);
  }
  return total;
}
