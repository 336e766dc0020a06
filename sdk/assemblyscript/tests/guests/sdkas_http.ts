// SDK test guest for fetch / callAction (tests/integration/sdk_http_test.cc): the same
// cases, query parameters and `key=value` answer lines as tests/guests/sdk_http.c, so one
// test drives both SDKs against the real server.
import {
  callAction, fetch, FetchInit, HttpError, httpErrorName, HttpResponse, Request,
} from "../../assembly/index";

let out = "";
function say(line: string): void { out += line + "\n"; }

function reportError(what: string, code: HttpError): void {
  say(what + "_err=" + (<i32>code).toString());
  say(what + "_name=" + httpErrorName(code));
}

function fnv1a(h: u32, bytes: Uint8Array): u32 {
  for (let i = 0; i < bytes.length; i++) h = (h ^ <u32>bytes[i]) * 16777619;
  return h;
}

function hex8(v: u32): string {
  let s = v.toString(16);
  while (s.length < 8) s = "0" + s;
  return s;
}

function caseGet(url: string): void {
  const bad = fetch(url, { headerList: [["x-bad", "a\r\nx-forged:1"]] });
  say("builder_refuses_crlf=" + (bad.error == HttpError.InvalidEncoding ? "yes" : "no"));
  const headers = new Map<string, string>();
  headers.set("X-Test", "hello-sdk");
  const r = fetch(url, { headers, headerList: [["Accept", "text/plain"]] });
  reportError("fetch", r.error);
  if (r.failed) return;
  say("status=" + r.status.toString());
  const type = r.header("Content-Type");
  say("content_type=" + (type == null ? r.callErrorName : type!));
  say("content_type_len=" + (type == null ? "0" : type!.length.toString()));
  r.header("x-not-there");
  reportError("missing_header", r.callError);
  say("headers_all_has_type=" + (r.headers().has("content-type") ? "yes" : "no"));
  const body = r.text();
  reportError("body", r.callError);
  say("body=" + body);
  const more = r.read(4);
  say("after_end=" + (<i32>r.callError).toString() + "/" + more.length.toString());
  reportError("close", r.close());
  reportError("close_again", r.close());
}

function casePost(url: string): void {
  const input = Request.current().body();
  const headers = new Map<string, string>();
  headers.set("content-type", "text/plain");
  const r = fetch(url, { method: "POST", headers, body: input });
  reportError("fetch", r.error);
  if (r.failed) return;
  say("status=" + r.status.toString());
  say("body=" + r.text());
  r.close();
}

function caseBig(url: string): void {
  const r = fetch(url);
  reportError("fetch", r.error);
  if (r.failed) return;
  let total = 0;
  let pieces = 0;
  let hash: u32 = 2166136261;
  while (true) {
    const piece = r.read(4000);
    if (piece.length == 0) break;
    hash = fnv1a(hash, piece);
    total += piece.length;
    pieces++;
  }
  reportError("read", r.callError);
  say("status=" + r.status.toString());
  say("total=" + total.toString());
  say("pieces_ok=" + (pieces >= (total + 3999) / 4000 ? "yes" : "no"));
  say("fnv=" + hex8(hash));
  r.close();
}

function caseLongHeader(url: string): void {
  const r = fetch(url);
  reportError("fetch", r.error);
  if (r.failed) return;
  const value = r.header("X-LONG");
  reportError("alloc", r.callError);
  const bytes = value == null ? new Uint8Array(0) : Uint8Array.wrap(String.UTF8.encode(value!));
  say("alloc_len=" + bytes.length.toString());
  say("alloc_fnv=" + hex8(value == null ? 0 : fnv1a(2166136261, bytes)));
  r.close();
}

function caseRefused(url: string): void {
  const r = fetch(url);
  reportError("fetch", r.error);
  say("open=" + (r.open ? "yes" : "no"));
  r.close();
}

function caseChain(action: string, path: string): void {
  const headers = new Map<string, string>();
  headers.set("x-chain", "from-caller");
  const r: HttpResponse = callAction(action, path, { method: "PUT", headers, bodyText: "chain-body" });
  reportError("call", r.error);
  if (r.failed) return;
  say("status=" + r.status.toString());
  const callee = r.header("x-callee");
  say("x_callee=" + (callee == null ? r.callErrorName : callee));
  const lines = r.text().split("\n");
  for (let i = 0; i < lines.length; i++) if (lines[i].length > 0) say("callee." + lines[i]);
  r.close();
}

function main(): void {
  const req = Request.current();
  const which = req.query("case");
  const url = req.query("url");
  const u = url == null ? "" : url!;
  let head = "Status: 200 OK\r\nContent-Type: text/plain\r\n";
  if (which == null) {
    head += "X-Callee: " + req.path + "\r\n";
    say("method=" + req.method);
    say("path=" + req.path);
    say("query=" + req.queryString);
    say("body=" + req.text());
    const chain = req.header("X-Chain");
    say("x_chain=" + (chain == null ? "" : chain!));
  } else if (which == "get") {
    caseGet(u);
  } else if (which == "post") {
    casePost(u);
  } else if (which == "big") {
    caseBig(u);
  } else if (which == "longheader") {
    caseLongHeader(u);
  } else if (which == "refused") {
    caseRefused(u);
  } else if (which == "chain") {
    const action = req.query("action");
    const path = req.query("path");
    caseChain(action == null ? "" : action, path == null ? "/" : path);
  } else {
    say("unknown_case=" + which);
  }
  say("done=1");
  process.stdout.write(head + "\r\n" + out);
}

main();
