// Outbound HTTP and chaining: typed wrappers over the `wasi_experimental_http` host module
// (exactly deislabs/wasi-experimental-http's ABI; docs/host-abi.md, "Outbound HTTP").
//
//   const res = fetch("https://api.example.com/x", { method: "POST", bodyText: "hi" });
//   if (res.failed) { ... res.errorName ... }   // "destination_not_allowed", ...
//   res.status; res.header("content-type"); res.text(); res.close();
//
// Like KvStore, nothing here throws (AssemblyScript's `throw` aborts the module): a failed
// request gives an HttpResponse with `error` set and status 0; each later call records
// its own outcome in `callError`.
import { fromUtf8, scratch, utf8 } from "./bytes";

/** The error codes of `wasi_experimental_http` (the reference's numbering). */
export enum HttpError {
  Success = 0,
  /** unknown or closed response handle */
  InvalidHandle = 1,
  /** the module exports no memory */
  MemoryNotFound = 2,
  /** a pointer range outside guest memory */
  MemoryAccessError = 3,
  /** the value did not fit (this host stores the needed length; the SDK retries) */
  BufferTooSmall = 4,
  /** no such response header */
  HeaderNotFound = 5,
  /** URL, method or header text not UTF-8 */
  Utf8Error = 6,
  /** the host (or action) is not in the action's grant */
  DestinationNotAllowed = 7,
  /** the method is not an HTTP token */
  InvalidMethod = 8,
  /** request header text is not "name:value" lines */
  InvalidEncoding = 9,
  /** not an absolute http(s) URL */
  InvalidUrl = 10,
  /** DNS, connect, TLS, timeout, response too large */
  RequestError = 11,
  /** a host failure; chaining deeper than 8 or a cycle */
  RuntimeError = 12,
  /** more than 16 open responses, or more than 64 requests in one call */
  TooManySessions = 13,
}

/** The reference's name of a code: "success", "destination_not_allowed", ... */
export function httpErrorName(code: HttpError): string {
  switch (code) {
    case HttpError.Success: return "success";
    case HttpError.InvalidHandle: return "invalid_handle";
    case HttpError.MemoryNotFound: return "memory_not_found";
    case HttpError.MemoryAccessError: return "memory_access_error";
    case HttpError.BufferTooSmall: return "buffer_too_small";
    case HttpError.HeaderNotFound: return "header_not_found";
    case HttpError.Utf8Error: return "utf8_error";
    case HttpError.DestinationNotAllowed: return "destination_not_allowed";
    case HttpError.InvalidMethod: return "invalid_method";
    case HttpError.InvalidEncoding: return "invalid_encoding";
    case HttpError.InvalidUrl: return "invalid_url";
    case HttpError.RequestError: return "request_error";
    case HttpError.RuntimeError: return "runtime_error";
    case HttpError.TooManySessions: return "too_many_sessions";
  }
  return "error_" + (<i32>code).toString();
}

// --- the raw imports (every parameter i32, every result a u32 error) ---

// @ts-ignore: decorator
@external("wasi_experimental_http", "req")
export declare function http_req(
  url_ptr: usize, url_len: usize, method_ptr: usize, method_len: usize, headers_ptr: usize,
  headers_len: usize, body_ptr: usize, body_len: usize, status_out: usize, handle_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "close")
export declare function http_close(handle: u32): i32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "header_get")
export declare function http_header_get(
  handle: u32, name_ptr: usize, name_len: usize, value_ptr: usize, value_cap: usize,
  written_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "headers_get_all")
export declare function http_headers_get_all(
  handle: u32, buf_ptr: usize, buf_cap: usize, written_out: usize,
): i32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "body_read")
export declare function http_body_read(
  handle: u32, buf_ptr: usize, buf_cap: usize, written_out: usize,
): i32;

// --- requests ---

/**
 * What `fetch` sends. Give it as an object literal: `{ method: "PUT", bodyText: "x" }`.
 * AssemblyScript has no union types, so headers come as a Map (`headers`) or as ordered
 * pairs (`headerList`, repeats allowed; sent after `headers`), and the body as bytes
 * (`body`) or text (`bodyText`, UTF-8; used when `body` is null).
 */
export class FetchInit {
  method: string = "GET";
  headers: Map<string, string> | null = null;
  headerList: string[][] | null = null;
  body: Uint8Array | null = null;
  bodyText: string | null = null;
}

/** Whether `name` is an HTTP token (anything else would break the "name:value" lines). */
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

/** Whether `value` holds a control character other than tab (CR/LF would forge a line). */
function hasControl(value: string): bool {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return true;
  }
  return false;
}

/**
 * The "name:value\n" text of the headers, or null when one cannot be sent as given (a name
 * that is not a token, a value with CR/LF): such a request is refused before the host
 * sees it, with InvalidEncoding, rather than sent with a forged line.
 */
export function headerLines(init: FetchInit): string | null {
  const parts = new Array<string>();
  const map = init.headers;
  if (map != null) {
    const names = map.keys();
    for (let i = 0; i < names.length; i++) {
      const value = map.get(names[i]);
      if (!isToken(names[i]) || hasControl(value)) return null;
      parts.push(names[i] + ":" + value + "\n");
    }
  }
  const list = init.headerList;
  if (list != null) {
    for (let i = 0; i < list.length; i++) {
      const pair = list[i];
      if (pair.length != 2 || !isToken(pair[0]) || hasControl(pair[1])) return null;
      parts.push(pair[0] + ":" + pair[1] + "\n");
    }
  }
  return parts.join("");
}

/** A response, open on the host until `close()` (at most 16 may be open at once). */
export class HttpResponse {
  /** Outcome of the last header()/headers()/read()/bytes()/text() call. */
  callError: HttpError = HttpError.Success;
  private bodyDone: bool = false;
  private isOpen: bool;

  constructor(
    /** The request's outcome: Success, or why it failed (then status is 0). */
    public readonly error: HttpError,
    /** The HTTP status (after redirects); 0 when the request failed. */
    public readonly status: i32,
    public readonly handle: u32,
  ) {
    this.isOpen = error == HttpError.Success;
  }

  /** The request failed (no status, nothing to read). */
  get failed(): bool { return this.error != HttpError.Success; }
  /** As in the web's fetch: the request went through and the status is 2xx. */
  get ok(): bool { return !this.failed && this.status >= 200 && this.status <= 299; }
  get errorName(): string { return httpErrorName(this.error); }
  get callErrorName(): string { return httpErrorName(this.callError); }
  get open(): bool { return this.isOpen; }

  /**
   * The value of response header `name` (any case; the first if repeated), or null when
   * absent (`callError` HeaderNotFound) or on failure.
   */
  header(name: string): string | null {
    const bytes = this.fill(new HeaderGet(this.handle, utf8(name)), 256);
    return bytes == null ? null : fromUtf8(bytes);
  }

  /** The raw "name:value\n" lines of every header (names lowercase, in order). */
  headerText(): string {
    const bytes = this.fill(new HeadersGetAll(this.handle), 1024);
    return bytes == null ? "" : fromUtf8(bytes);
  }

  /** Every header as ordered [name, value] pairs (repeats kept). */
  headerList(): string[][] {
    const out = new Array<string[]>();
    const lines = this.headerText().split("\n");
    for (let i = 0; i < lines.length; i++) {
      const colon = lines[i].indexOf(":");
      if (colon <= 0) continue;
      out.push([lines[i].substring(0, colon), lines[i].substring(colon + 1)]);
    }
    return out;
  }

  /** Every header by name (lowercase); repeats joined with ", ". */
  headers(): Map<string, string> {
    const map = new Map<string, string>();
    const list = this.headerList();
    for (let i = 0; i < list.length; i++) {
      const name = list[i][0];
      map.set(name, map.has(name) ? map.get(name) + ", " + list[i][1] : list[i][1]);
    }
    return map;
  }

  /** The next piece of the body, at most `max` bytes; empty at the end (or on failure). */
  read(max: i32 = 65536): Uint8Array {
    this.callError = this.failed ? this.error : HttpError.Success;
    if (this.bodyDone || this.failed) return new Uint8Array(0);
    const buf = new Uint8Array(max < 1 ? 1 : max);
    store<u32>(scratch, 0);
    const code = <HttpError>http_body_read(this.handle, buf.dataStart, <usize>buf.length, scratch);
    this.callError = code;
    if (code != HttpError.Success) return new Uint8Array(0);
    const n = min(<i32>load<u32>(scratch), buf.length);
    if (n == 0) this.bodyDone = true;
    return n == buf.length ? buf : buf.slice(0, n);
  }

  /** The rest of the body. On a failed read: what came before it, with `callError` set. */
  bytes(): Uint8Array {
    const pieces = new Array<Uint8Array>();
    let total = 0;
    while (true) {
      const piece = this.read(65536);
      if (piece.length == 0) break;
      pieces.push(piece);
      total += piece.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      out.set(pieces[i], at);
      at += pieces[i].length;
    }
    return out;
  }

  /** The rest of the body as UTF-8 text. */
  text(): string { return fromUtf8(this.bytes()); }

  /** Frees the response on the host; safe to call twice. */
  close(): HttpError {
    if (!this.isOpen) return HttpError.Success;
    this.isOpen = false;
    return <HttpError>http_close(this.handle);
  }

  // A buffer-filling call with the buffer_too_small retry: the needed length when the
  // host stores one bigger than the offer (this host does), else twice the size (the
  // reference host stores nothing), bounded so a host cannot make the guest loop.
  private fill(call: FillCall, initial: i32): Uint8Array | null {
    if (this.failed) {
      this.callError = this.error;
      return null;
    }
    let cap = initial;
    while (true) {
      const buf = new Uint8Array(cap);
      store<u32>(scratch, 0);
      const code = <HttpError>call.call(buf.dataStart, <usize>cap, scratch);
      const len = load<u32>(scratch);
      if (code == HttpError.BufferTooSmall && cap < (64 << 20)) {
        cap = len > <u32>cap && len <= (64 << 20) ? <i32>len : min(cap * 2, 64 << 20);
        continue;
      }
      this.callError = code;
      if (code != HttpError.Success) return null;
      const n = min(<i32>len, cap);
      return n == cap ? buf : buf.slice(0, n);
    }
  }
}

abstract class FillCall {
  abstract call(buf: usize, cap: usize, writtenOut: usize): i32;
}

class HeaderGet extends FillCall {
  constructor(public handle: u32, public name: Uint8Array) { super(); }
  call(buf: usize, cap: usize, writtenOut: usize): i32 {
    return http_header_get(this.handle, this.name.dataStart, <usize>this.name.length, buf, cap,
                           writtenOut);
  }
}

class HeadersGetAll extends FillCall {
  constructor(public handle: u32) { super(); }
  call(buf: usize, cap: usize, writtenOut: usize): i32 {
    return http_headers_get_all(this.handle, buf, cap, writtenOut);
  }
}

/**
 * Sends a request and waits for its status and headers. Never null: check `failed` /
 * `errorName`, then read the body and `close()` the response.
 */
export function fetch(url: string, init: FetchInit = new FetchInit()): HttpResponse {
  const lines = headerLines(init);
  if (lines == null) return new HttpResponse(HttpError.InvalidEncoding, 0, 0);
  const urlBytes = utf8(url);
  const method = utf8(init.method);
  const headers = utf8(lines);
  let body = init.body;
  if (body == null) body = init.bodyText != null ? utf8(init.bodyText!) : new Uint8Array(0);
  store<u32>(scratch, 0);
  store<u32>(scratch + 4, 0);
  const code = <HttpError>http_req(
    urlBytes.dataStart, <usize>urlBytes.length, method.dataStart, <usize>method.length,
    headers.dataStart, <usize>headers.length, body!.dataStart, <usize>body!.length, scratch,
    scratch + 4);
  if (code != HttpError.Success) return new HttpResponse(code, 0, 0);
  return new HttpResponse(code, <i32>load<u16>(scratch), load<u32>(scratch + 4));
}

/**
 * Calls another action of the same developer in process:
 * `http://<name>.actions.internal<path>` (`path` like "/x?y=1"; a missing "/" is added).
 * The callee sees the method, headers, body, PATH_INFO and QUERY_STRING; its CGI response
 * is the response. DestinationNotAllowed unless the `actions` grant lists `name` (or "*");
 * RuntimeError for a chain deeper than 8 or a cycle.
 */
export function callAction(name: string, path: string = "/",
                           init: FetchInit = new FetchInit()): HttpResponse {
  const sep = path.startsWith("/") ? "" : "/";
  return fetch("http://" + name + ".actions.internal" + sep + path, init);
}
