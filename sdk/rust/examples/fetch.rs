//! Outbound HTTP from Rust (on the wasm-actions SDK), the flow of WAGI's
//! wasi-experimental-http example: POST a body with a Content-Type and a custom header,
//! then show the response's status, headers and body.
//!   ANY /?url=http://host/path     POSTs the request's body (or a greeting when it has
//!                                  none) to that URL; needs the URL's origin in
//!                                  settings.capabilities.allowed_outbound_hosts
//!   ANY /?action=NAME&path=/p?q=1  the same, to action NAME of the same developer
//!                                  (chaining; needs NAME in settings.capabilities.actions)
//! The answer is 200 text/plain with `X-Upstream-Status`, and lines `status`,
//! `content-type`, `header <name>: <value>` (each, in order), `body <bytes>` and then the
//! body itself; or 502 `error <code> <name>` when the request failed, 400 without a target.
use wasm_actions::http;
use wasm_actions::{Request, Response};

const GREETING: &str = "Hello from a Rust guest on WASM Actions.";
const MAX_BODY: u64 = 4 << 20;

fn failed(e: http::Error, target: &str) -> Response {
    // The log says what was refused; the client gets the code and its name.
    eprintln!("fetch {target}: {e}");
    Response::text(502, format!("error {} {}\n", e.code(), e.name()))
        .header("X-Fetch-Error", e.name())
}

fn handle(req: &Request) -> Response {
    let mut body = req.body(MAX_BODY);
    if body.is_empty() {
        body = GREETING.as_bytes().to_vec();
    }
    let headers = [("Content-Type", "text/plain"), ("X-Example", "rust-fetch")];
    let (target, result) = match (req.query("action"), req.query("url")) {
        (Some(action), _) => {
            let path = req.query("path").unwrap_or_else(|| "/".into());
            let result = http::call_action(&action, &path, "POST", &headers, &body);
            (format!("action {action}"), result)
        }
        (None, Some(url)) => {
            let result = http::request("POST", &url, &headers, &body);
            (url, result)
        }
        (None, None) => {
            return Response::text(
                400,
                "give ?url=http://host/path or ?action=NAME&path=/path\n",
            )
        }
    };
    let mut res = match result {
        Ok(res) => res,
        Err(e) => return failed(e, &target),
    };
    let mut out = format!("status {}\n", res.status);
    match res.header("content-type") {
        Ok(value) => out.push_str(&format!(
            "content-type {}\n",
            value.as_deref().unwrap_or("(none)")
        )),
        Err(e) => return failed(e, &target),
    }
    match res.headers() {
        Ok(all) => {
            for (name, value) in all {
                out.push_str(&format!("header {name}: {value}\n"));
            }
        }
        Err(e) => return failed(e, &target),
    }
    let content = match res.body() {
        Ok(content) => content,
        Err(e) => return failed(e, &target),
    };
    out.push_str(&format!("body {}\n", content.len()));
    let mut answer = out.into_bytes();
    answer.extend_from_slice(&content);
    Response::new(200, "text/plain; charset=utf-8", answer)
        .header("X-Upstream-Status", &res.status.to_string())
}

fn main() {
    handle(&Request::from_env()).send();
}
