// Chat (AssemblyScript): one action is the whole chat. For HTTP it serves the page and the
// rooms client; granted `rooms`, its onJoin / onMessage / onLeave run the rooms that the
// page's WebSockets join at /rooms/OWNER/ACTION/ROOM?name=NICK.
//
//   GET  /                         the page (site/index.html, embedded at build time)
//   GET  /rooms.js                 the client (sdk/js/rooms.js, embedded too)
//   POST /rooms/ROOM/announce      the body (text) to everyone in ROOM, as an announcement
//
// Room messages are JSON text. From a client: {"type": "say", "text"} (plain text is a
// say too) or {"type": "who"}. To clients: welcome (to the joiner: its id, name, the
// members), join / leave (to everyone, with the new member list), say, members,
// announce, error. Nicknames live in the key-value store `default` (key
// chat/ROOM/CONNECTION), so the default per-event mode works: each event runs on a fresh
// instance and keeps nothing in memory.
//
// Events never call `_start` (host-abi.md "Rooms"), while AssemblyScript's runtime (the
// GC's lists) is set up by the module's start function. So this module is built with
// asconfig.json, the wasi-shim's settings without `exportStart`: the start function stays
// the wasm start section, which runs at every instantiation (HTTP request or room event)
// and holds no top-level code of ours, and `_start` below is an ordinary export.
import {
  Event, env, escapeHtml, fromUtf8, isUtf8, JsonArray, JsonObject, jsonQuote, JsonValue, KvStore, Params,
  Request, Response, Room,
} from "wasm-actions-sdk";
import { CLIENT_JS, INDEX_HTML } from "./page.generated";

const MAX_NAME = 32;       // characters
const MAX_TEXT = 2000;     // characters of one message
const MAX_MEMBERS = 200;   // names in a member list (the count stays exact)
const MAX_ANNOUNCE = 2000; // bytes of an HTTP announcement

function nameKey(room: string, connection: string): string {
  return "chat/" + room + "/" + connection;
}

// Drops control characters and surrounding space, keeps at most `max` characters (a
// surrogate pair counts once and is never split).
function clean(text: string, max: i32): string {
  let out = "";
  let chars = 0;
  const t = text.trim();
  for (let i = 0; i < t.length && chars < max; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) continue;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < t.length) {
      out += t.substring(i, i + 2);
      i++;
    } else if (c >= 0xdc00 && c < 0xe000) {
      continue;  // a lone low surrogate
    } else {
      out += String.fromCharCode(c);
    }
    chars++;
  }
  return out.trim();
}

function fallbackName(connection: string): string {
  if (connection == "dashboard") return "dashboard";
  return "guest-" + connection.substring(max(0, connection.length - 4));
}

function nameOf(kv: KvStore | null, room: string, connection: string): string {
  if (kv != null) {
    const stored = kv.getString(nameKey(room, connection), 128);
    if (stored != null && stored.length > 0) return stored;
  }
  return fallbackName(connection);
}

// [{id, name}] of the current room's connections (`extra` added if the directory does not
// list it yet, `without` left out).
function members(kv: KvStore | null, room: string, extra: string, without: string): string {
  const ids = Room.connections();
  if (extra.length > 0 && !ids.includes(extra)) ids.push(extra);
  const list = new JsonArray();
  for (let i = 0; i < ids.length && list.length < MAX_MEMBERS; i++) {
    if (ids[i] == without || ids[i].length == 0) continue;
    list.raw(new JsonObject().str("id", ids[i]).str("name", nameOf(kv, room, ids[i])).toString());
  }
  return list.toString();
}

function reply(json: string): void {
  process.stdout.write(json);
}

function errorMessage(message: string): string {
  return new JsonObject().str("type", "error").str("message", message).toString();
}

export function onJoin(): void {
  const e = Event.get();
  if (e == null) return;
  // The upgrade request's query string (per-event mode: the environment is this event's).
  const qs = env("QUERY_STRING");
  const query = Params.parse(qs == null ? "" : qs);
  const asked = query.get("name");
  let name = clean(asked == null ? "" : asked, MAX_NAME);
  if (name.length == 0) name = fallbackName(e.connection);
  const kv = KvStore.open("default");
  if (kv != null) kv.setString(nameKey(e.room, e.connection), name);
  const list = members(kv, e.room, e.connection, "");
  // Everyone else learns of the newcomer; the newcomer gets its welcome as the reply.
  Room.broadcast(new JsonObject().str("type", "join").str("id", e.connection).str("name", name)
    .raw("members", list).toString(), [e.connection]);
  reply(new JsonObject().str("type", "welcome").str("id", e.connection).str("name", name)
    .str("room", e.room).raw("members", list).toString());
}

export function onMessage(): void {
  const e = Event.get();
  if (e == null) return;
  const bytes = Event.payload();
  if (e.messageType == "binary" || !isUtf8(bytes)) {
    reply(errorMessage("this chat takes text messages only"));
    return;
  }
  const raw = fromUtf8(bytes);
  let type = "say";
  let text = raw;
  if (raw.startsWith("{")) {
    const json = JsonValue.parse(raw);
    if (json == null || !json.isObject) {
      reply(errorMessage("not valid JSON"));
      return;
    }
    type = json.getString("type", "say");
    text = json.getString("text");
  }
  const kv = KvStore.open("default");
  if (type == "who") {
    reply(new JsonObject().str("type", "members").raw("members", members(kv, e.room, "", ""))
      .toString());
    return;
  }
  if (type != "say") {
    reply(errorMessage("unknown message type " + jsonQuote(type)));
    return;
  }
  text = clean(text, MAX_TEXT);
  if (text.length == 0) return;
  Room.broadcast(new JsonObject().str("type", "say").str("id", e.connection)
    .str("name", nameOf(kv, e.room, e.connection)).str("text", text).int("at", Date.now())
    .toString());
}

export function onLeave(): void {
  const e = Event.get();
  if (e == null) return;
  const kv = KvStore.open("default");
  const name = nameOf(kv, e.room, e.connection);
  if (kv != null) kv.delete(nameKey(e.room, e.connection));
  Room.broadcast(new JsonObject().str("type", "leave").str("id", e.connection).str("name", name)
    .raw("members", members(kv, e.room, "", e.connection)).toString());
}

function announce(req: Request, room: string): Response {
  const body = req.body(MAX_ANNOUNCE + 1);
  if (body.length > MAX_ANNOUNCE) return Response.text("an announcement is at most 2000 bytes\n", 413);
  if (!isUtf8(body)) return Response.text("an announcement is text\n", 400);
  const text = clean(fromUtf8(body), MAX_TEXT);
  if (text.length == 0) return Response.text("an announcement needs text\n", 400);
  if (Room.select(room) != 0) {
    return Response.text("no such room name, or this action is not granted rooms (" +
                         Room.lastErrorName + ")\n", 400);
  }
  const listeners = Room.connections().length;
  Room.broadcast(new JsonObject().str("type", "announce").str("text", text).toString());
  return Response.json(new JsonObject().str("room", room).int("delivered_to", listeners)
    .toString(), 202);
}

function handle(req: Request): Response {
  const path = req.path;
  if (path == "" || path == "/") {
    if (req.method != "GET" && req.method != "HEAD") return Response.text("GET only\n", 405);
    const rooms = env("CHAT_ROOMS");
    const html = INDEX_HTML.replace("__BASE__", escapeHtml(req.scriptName))
      .replace("__ROOMS__", rooms == null ? "__ROOMS__" : escapeHtml(rooms));
    return Response.html(html).setHeader("Cache-Control", "no-store");
  }
  if (path == "/rooms.js") {
    return Response.bytes(Uint8Array.wrap(String.UTF8.encode(CLIENT_JS)),
                          "text/javascript; charset=utf-8");
  }
  if (path.startsWith("/rooms/") && path.endsWith("/announce")) {
    if (req.method != "POST") return Response.text("POST only\n", 405).setHeader("Allow", "POST");
    return announce(req, path.substring(7, path.length - 9));
  }
  return Response.text("not found\n", 404);
}

// The HTTP entry point (the action's `entry`, "_start" by default).
export function _start(): void {
  handle(Request.current()).send();
}
