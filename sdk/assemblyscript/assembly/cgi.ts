// CGI over WASI: the request arrives as environment variables (RFC 3875 / WAGI) and the
// body on stdin; the response is written to stdout as header lines, a blank line and the
// body. Needs the wasi-shim (`--config node_modules/@assemblyscript/wasi-shim/asconfig.json`).
import { hexValue, JsonValue } from "./json";
import { fromUtf8, toArrayBuffer, utf8 } from "./bytes";

/**
 * Percent-decodes `text` as UTF-8 bytes (`+` becomes a space when `plusIsSpace`).
 * Invalid escapes are kept literally, as the server does.
 */
export function percentDecode(text: string, plusIsSpace: bool = false): string {
  if (text.indexOf("%") < 0 && (!plusIsSpace || text.indexOf("+") < 0)) return text;
  const src = utf8(text);
  const out = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = <i32>src[i];
    if (c == 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]);
      const lo = hexValue(src[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = <u8>((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out[n++] = c == 0x2b && plusIsSpace ? 0x20 : <u8>c;
  }
  return fromUtf8(out.subarray(0, n));
}

/** `text` with &, <, >, " and ' replaced by character references (for HTML text and attributes). */
export function escapeHtml(text: string): string {
  const parts = new Array<string>();
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let ref: string | null = null;
    if (c == 0x26) ref = "&amp;";
    else if (c == 0x3c) ref = "&lt;";
    else if (c == 0x3e) ref = "&gt;";
    else if (c == 0x22) ref = "&quot;";
    else if (c == 0x27) ref = "&#39;";
    if (ref != null) {
      parts.push(text.substring(run, i));
      parts.push(ref);
      run = i + 1;
    }
  }
  if (run == 0) return text;
  parts.push(text.substring(run));
  return parts.join("");
}

/** Decoded `name=value` pairs of a query string or an urlencoded form, in order. */
export class Params {
  names: string[] = [];
  values: string[] = [];

  static parse(encoded: string): Params {
    const p = new Params();
    if (encoded.length == 0) return p;
    const items = encoded.split("&");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.length == 0) continue;
      const eq = item.indexOf("=");
      const name = eq < 0 ? item : item.substring(0, eq);
      const value = eq < 0 ? "" : item.substring(eq + 1);
      p.names.push(percentDecode(name, true));
      p.values.push(percentDecode(value, true));
    }
    return p;
  }

  /** The first value of `name`, or null. */
  get(name: string): string | null {
    for (let i = 0; i < this.names.length; i++) if (this.names[i] == name) return this.values[i];
    return null;
  }

  getAll(name: string): string[] {
    const out = new Array<string>();
    for (let i = 0; i < this.names.length; i++) if (this.names[i] == name) out.push(this.values[i]);
    return out;
  }

  has(name: string): bool { return this.get(name) != null; }
  get length(): i32 { return this.names.length; }
}

/** The environment variable `name`, or null. */
export function env(name: string): string | null {
  return process.env.has(name) ? process.env.get(name) : null;
}

export class Request {
  /** The request being served (read from the environment once). */
  static current(): Request {
    if (currentRequest == null) currentRequest = new Request();
    return currentRequest!;
  }

  /** "GET", "POST", ... */
  readonly method: string = envOr("REQUEST_METHOD", "GET");
  /** The path below the action's route (PATH_INFO), "" or starting with "/". */
  readonly path: string = envOr("PATH_INFO", "");
  /** The route the action is bound to (SCRIPT_NAME). */
  readonly scriptName: string = envOr("SCRIPT_NAME", "");
  /** The raw query string, without "?". */
  readonly queryString: string = envOr("QUERY_STRING", "");
  readonly contentType: string = envOr("CONTENT_TYPE", "");

  private queryParams: Params | null = null;
  private bodyBytes: Uint8Array | null = null;

  /** The first value of query parameter `name`, percent-decoded; null if absent. */
  query(name: string): string | null {
    if (this.queryParams == null) this.queryParams = Params.parse(this.queryString);
    return this.queryParams!.get(name);
  }

  /** Every query parameter, decoded. */
  get params(): Params {
    if (this.queryParams == null) this.queryParams = Params.parse(this.queryString);
    return this.queryParams!;
  }

  /** The request header `name` (any case), or null. */
  header(name: string): string | null {
    const lower = name.toLowerCase();
    if (lower == "content-type") return env("CONTENT_TYPE");
    if (lower == "content-length") return env("CONTENT_LENGTH");
    return env("HTTP_" + name.toUpperCase().replaceAll("-", "_"));
  }

  /** The body, read from stdin on first use (at most `maxBytes`; the rest is dropped). */
  body(maxBytes: i32 = 16 << 20): Uint8Array {
    if (this.bodyBytes != null) return this.bodyBytes!;
    const chunks = new Array<ArrayBuffer>();
    let total = 0;
    while (total < maxBytes) {
      const chunk = new ArrayBuffer(16384);
      const n = process.stdin.read(chunk);
      if (n <= 0) break;
      const keep = min(n, maxBytes - total);
      chunks.push(chunk.slice(0, keep));
      total += keep;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < chunks.length; i++) {
      out.set(Uint8Array.wrap(chunks[i]), at);
      at += chunks[i].byteLength;
    }
    this.bodyBytes = out;
    return out;
  }

  /** The body as UTF-8 text. */
  text(): string { return fromUtf8(this.body()); }

  /** Whether the body is declared as `mediaType` (parameters such as charset ignored). */
  isContentType(mediaType: string): bool {
    const semi = this.contentType.indexOf(";");
    const type = (semi < 0 ? this.contentType : this.contentType.substring(0, semi)).trim();
    return type.toLowerCase() == mediaType.toLowerCase();
  }

  /** An application/x-www-form-urlencoded body, decoded (empty for other content types). */
  form(): Params {
    if (!this.isContentType("application/x-www-form-urlencoded")) return new Params();
    return Params.parse(this.text());
  }

  /** The body parsed as JSON, or null if it is not valid JSON. */
  json(): JsonValue | null { return JsonValue.parse(this.text()); }
}

let currentRequest: Request | null = null;

function envOr(name: string, fallback: string): string {
  return process.env.has(name) ? process.env.get(name) : fallback;
}

function reasonPhrase(status: i32): string {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
  }
  return "Status";
}

// A header name must be an HTTP token; anything else would corrupt the header block.
function isToken(name: string): bool {
  if (name.length == 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
               "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0;
    if (!ok) return false;
  }
  return true;
}

// CR, LF and other controls in a value would end the header early (response splitting):
// each becomes a space.
function cleanValue(value: string): string {
  let clean = value;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    if (c < 0x20 && c != 0x09 || c == 0x7f) {
      clean = clean.substring(0, i) + " " + clean.substring(i + 1);
    }
  }
  return clean;
}

export class Response {
  headerNames: string[] = [];
  headerValues: string[] = [];
  body: Uint8Array;

  constructor(public status: i32 = 200, body: Uint8Array = new Uint8Array(0)) {
    this.body = body;
  }

  static bytes(body: Uint8Array, contentType: string = "application/octet-stream",
               status: i32 = 200): Response {
    return new Response(status, body).setHeader("Content-Type", contentType);
  }

  static text(body: string, status: i32 = 200): Response {
    return Response.bytes(utf8(body), "text/plain; charset=utf-8", status);
  }

  static html(body: string, status: i32 = 200): Response {
    return Response.bytes(utf8(body), "text/html; charset=utf-8", status);
  }

  /** `json` is an already serialised JSON document (see JsonObject, JsonArray, jsonQuote). */
  static json(json: string, status: i32 = 200): Response {
    return Response.bytes(utf8(json), "application/json", status);
  }

  /** A redirect (303 See Other by default) to `location`. */
  static redirect(location: string, status: i32 = 303): Response {
    return new Response(status).setHeader("Location", location);
  }

  /** Replaces every header `name` (any case) with one of this value. */
  setHeader(name: string, value: string): Response {
    const lower = name.toLowerCase();
    for (let i = this.headerNames.length - 1; i >= 0; i--) {
      if (this.headerNames[i].toLowerCase() == lower) {
        this.headerNames.splice(i, 1);
        this.headerValues.splice(i, 1);
      }
    }
    return this.addHeader(name, value);
  }

  /** Adds a header line (Set-Cookie-style repeats). Invalid names are ignored. */
  addHeader(name: string, value: string): Response {
    if (!isToken(name) || name.toLowerCase() == "status") return this;
    this.headerNames.push(name);
    this.headerValues.push(cleanValue(value));
    return this;
  }

  /** The first value of header `name`, or null. */
  header(name: string): string | null {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.headerNames.length; i++) {
      if (this.headerNames[i].toLowerCase() == lower) return this.headerValues[i];
    }
    return null;
  }

  /** The CGI response: Status line, headers, a blank line, the body. */
  serialize(): Uint8Array {
    const status = this.status < 200 || this.status > 599 ? 500 : this.status;
    let head = "Status: " + status.toString() + " " + reasonPhrase(status) + "\r\n";
    let hasType = false;
    for (let i = 0; i < this.headerNames.length; i++) {
      if (this.headerNames[i].toLowerCase() == "content-type") hasType = true;
      head += this.headerNames[i] + ": " + this.headerValues[i] + "\r\n";
    }
    // The server requires at least one header besides Status for a body to be typed.
    if (!hasType && this.body.length > 0) head += "Content-Type: application/octet-stream\r\n";
    head += "\r\n";
    const headBytes = utf8(head);
    const out = new Uint8Array(headBytes.length + this.body.length);
    out.set(headBytes, 0);
    out.set(this.body, headBytes.length);
    return out;
  }

  /** Writes the response to stdout. Call once, at the end. */
  send(): void { process.stdout.write(toArrayBuffer(this.serialize())); }
}
