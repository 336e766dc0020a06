// Micro-blog action (AssemblyScript): anyone posts with a name, everyone reads the posts,
// newest first. Posts live in the key-value store `default`; the page lives on a volume
// mounted read-only at /site. One module serves two actions: a writer granted `default`
// read-write, and a reader granted it read-only, whose POSTs the store refuses
// (access_denied → 403).
//
//   GET  /                   the page (/site/index.html) with the newest posts inlined
//   GET  /posts?after=C&limit=N   {"posts": [...], "next": C | null}
//   GET  /posts/<id>         {"post": {...}}
//   POST /posts              {"name", "text"} as JSON or a form → 201 {"post": {...}}
import {
  AbiError, errorName, escapeHtml, Files, JsonArray, JsonObject, jsonQuote, JsonValue, KvStore,
  Request, Response,
} from "wasm-actions-sdk";

const MAX_NAME = 40;
const MAX_TEXT = 500;
const MAX_BODY = 16 * 1024;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;
const COUNTER_KEY = "meta:count";
const POST_PREFIX = "post:";
// Keys hold MAX_ID - id, zero-padded to 16 digits, so byte order is newest first.
const MAX_ID: i64 = 9999999999999999;
const ID_DIGITS = 16;

function error(status: i32, kind: string, message: string): Response {
  return Response.json(new JsonObject().raw("error",
    new JsonObject().str("kind", kind).str("message", message).toString()).toString(), status);
}

// A store error as an HTTP answer: the store's own code name is the error kind.
function storeError(code: AbiError): Response {
  let status = 500;
  if (code == AbiError.AccessDenied) status = 403;
  else if (code == AbiError.TooLarge) status = 413;
  else if (code == AbiError.QuotaExceeded) status = 507;
  else if (code == AbiError.Unavailable) status = 503;
  let message = "the key-value store answered " + errorName(code);
  if (code == AbiError.AccessDenied) message = "this action may not write posts (read-only store)";
  return error(status, errorName(code), message);
}

function pad(n: i64): string {
  const digits = n.toString();
  return "0".repeat(ID_DIGITS - digits.length) + digits;
}

function cursorOf(id: i64): string { return pad(MAX_ID - id); }

// A cursor is exactly 16 digits (what `next` holds); anything else is refused.
function isCursor(text: string): bool {
  if (text.length != ID_DIGITS) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

// Characters, not bytes or UTF-16 units: an emoji counts once.
function charCount(text: string): i32 {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

function hasControl(text: string, allowNewline: bool): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x0a && allowNewline) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

class Post {
  constructor(public id: i64, public name: string, public text: string,
              public createdAt: i64) {}

  toJson(): string {
    return new JsonObject().int("id", this.id).str("name", this.name).str("text", this.text)
      .int("created_at", this.createdAt).toString();
  }

  static fromJson(text: string): Post | null {
    const v = JsonValue.parse(text);
    if (v == null || !v.isObject) return null;
    const id = v.get("id");
    const at = v.get("created_at");
    return new Post(id == null ? 0 : <i64>id.numberValue, v.getString("name"),
                    v.getString("text"), at == null ? 0 : <i64>at.numberValue);
  }
}

class Page {
  posts: Post[] = [];
  next: string | null = null;
  error: AbiError = AbiError.Ok;
}

// Up to `limit` posts strictly after `after` (a cursor; "" = from the newest).
function loadPage(kv: KvStore, after: string, limit: i32): Page {
  const page = new Page();
  const keys = new Array<string>();
  let from = after.length == 0 ? "" : POST_PREFIX + after;
  // One more key than asked tells whether a next page exists.
  while (keys.length <= limit) {
    const batch = kv.keys(POST_PREFIX, from, 1024);
    if (!kv.ok) { page.error = kv.error; return page; }
    if (batch.length == 0) break;
    for (let i = 0; i < batch.length && keys.length <= limit; i++) keys.push(batch[i]);
    from = batch[batch.length - 1];
  }
  const count = min(keys.length, limit);
  for (let i = 0; i < count; i++) {
    const value = kv.getString(keys[i], 1024);
    if (value == null) continue;  // deleted between the listing and the read
    const post = Post.fromJson(value);
    if (post != null) page.posts.push(post);
  }
  if (keys.length > limit) page.next = keys[limit - 1].substring(POST_PREFIX.length);
  return page;
}

function listPosts(kv: KvStore, req: Request): Response {
  const after = req.query("after");
  if (after != null && after.length > 0 && !isCursor(after)) {
    return error(400, "invalid_argument", "after must be the `next` of an earlier page");
  }
  let limit = DEFAULT_LIMIT;
  const limitText = req.query("limit");
  if (limitText != null) {
    const n = I32.parseInt(limitText);
    if (n < 1 || n > MAX_LIMIT) {
      return error(400, "invalid_argument", "limit must be 1.." + MAX_LIMIT.toString());
    }
    limit = n;
  }
  const page = loadPage(kv, after == null ? "" : after, limit);
  if (page.error != AbiError.Ok) return storeError(page.error);
  const posts = new JsonArray();
  for (let i = 0; i < page.posts.length; i++) posts.raw(page.posts[i].toJson());
  return Response.json(new JsonObject().raw("posts", posts.toString())
    .strOrNull("next", page.next).toString());
}

function showPost(kv: KvStore, idText: string): Response {
  const id = I64.parseInt(idText);
  if (id < 1 || id.toString() != idText) return error(404, "not_found", "no such post");
  const value = kv.getString(POST_PREFIX + cursorOf(id), 1024);
  if (value == null) {
    if (kv.error == AbiError.NotFound) return error(404, "not_found", "no such post");
    return storeError(kv.error);
  }
  return Response.json("{\"post\":" + value + "}");
}

function createPost(kv: KvStore, req: Request): Response {
  const body = req.body(MAX_BODY + 1);
  if (body.length > MAX_BODY) return error(413, "too_large", "the post is over 16 KiB");
  let name = "";
  let text = "";
  if (req.isContentType("application/x-www-form-urlencoded")) {
    const form = req.form();
    const n = form.get("name");
    const t = form.get("text");
    if (n != null) name = n;
    if (t != null) text = t;
  } else {
    const json = req.json();
    if (json == null || !json.isObject) {
      return error(400, "invalid_argument", "send {\"name\", \"text\"} as JSON or a form");
    }
    name = json.getString("name");
    text = json.getString("text");
  }
  name = name.trim();
  text = text.trim();
  if (charCount(name) < 1 || charCount(name) > MAX_NAME || hasControl(name, false)) {
    return error(400, "invalid_argument", "name must be 1.." + MAX_NAME.toString() +
                 " characters on one line");
  }
  if (charCount(text) < 1 || charCount(text) > MAX_TEXT || hasControl(text, true)) {
    return error(400, "invalid_argument", "text must be 1.." + MAX_TEXT.toString() + " characters");
  }
  // The counter is atomic, so concurrent posts never share an id (and a read-only grant
  // is refused here, before anything is written).
  const id = kv.increment(COUNTER_KEY, 1);
  if (!kv.ok) return storeError(kv.error);
  const post = new Post(id, name, text, Date.now());
  const code = kv.setString(POST_PREFIX + cursorOf(id), post.toJson());
  if (code != AbiError.Ok) return storeError(code);
  return Response.json("{\"post\":" + post.toJson() + "}", 201)
    .setHeader("Location", req.scriptName + "/posts/" + id.toString());
}

function renderPosts(posts: Post[]): string {
  let html = "";
  for (let i = 0; i < posts.length; i++) {
    html += "<li><b>" + escapeHtml(posts[i].name) + "</b> <span>" +
            escapeHtml(posts[i].text) + "</span></li>\n";
  }
  return html;
}

// The page from the volume, with the newest posts inlined (so it reads without script)
// and the action's route for the script's requests.
function homePage(kv: KvStore | null, req: Request): Response {
  const page = Files.readString("/site/index.html", 1 << 20);
  if (page == null) {
    return error(500, "no_site", "the site volume is not mounted at /site (errno " +
                 Files.lastErrno.toString() + ")");
  }
  let posts = "";
  let next: string | null = null;
  if (kv != null) {
    const first = loadPage(kv, "", DEFAULT_LIMIT);
    posts = renderPosts(first.posts);
    next = first.next;
  }
  const html = page.replace("<!--POSTS-->", posts)
    .replaceAll("__BASE__", escapeHtml(req.scriptName))
    .replace("__NEXT__", escapeHtml(next == null ? "" : next));
  return Response.html(html);
}

function handle(req: Request): Response {
  const kv = KvStore.open("default");
  const path = req.path;
  if (path == "" || path == "/") {
    if (req.method != "GET" && req.method != "HEAD") return error(405, "method_not_allowed", "GET only");
    return homePage(kv, req);
  }
  if (kv == null) {
    return error(503, errorName(KvStore.lastError),
                 "the action has no key-value store `default` granted");
  }
  if (path == "/posts" || path == "/posts/") {
    if (req.method == "GET" || req.method == "HEAD") return listPosts(kv, req);
    if (req.method == "POST") return createPost(kv, req);
    return error(405, "method_not_allowed", "GET or POST").setHeader("Allow", "GET, POST");
  }
  if (path.startsWith("/posts/")) {
    if (req.method != "GET" && req.method != "HEAD") return error(405, "method_not_allowed", "GET only");
    return showPost(kv, path.substring(7));
  }
  return error(404, "not_found", "no route " + jsonQuote(path));
}

handle(Request.current()).send();
