//! Visit counter (Rust, on the wasm-actions SDK): counts visits per page in the key-value
//! store `default`.
//!   GET  /<page>        {"page", "visits"}: counts this visit (atomic kv_increment); on a
//!                       read-only grant, 403 with the current count
//!   GET  /?list         {"pages": {"<page>": visits, ...}}: every counter, page by page
//!   POST /<page>?reset  {"reset": true|false}: deletes the counter
//!   POST /<page>?claim=NAME  {"claimed": bool, "owner"}: the first claim wins (atomic
//!                       compare-and-swap on an absent key)
use wasm_actions::cgi::json_quote;
use wasm_actions::{Error, KvStore, Request, Response};

fn error(status: u16, e: Error, message: &str) -> Response {
    Response::json(
        status,
        format!(
            r#"{{"error":{{"kind":{},"message":{}}}}}"#,
            json_quote(e.name()),
            json_quote(message)
        ),
    )
}

fn status_of(e: Error) -> u16 {
    match e {
        Error::AccessDenied => 403,
        Error::TooLarge | Error::InvalidArgument => 400,
        Error::Unavailable => 503,
        _ => 500,
    }
}

fn handle(req: &Request) -> Response {
    let kv = match KvStore::open("default") {
        Ok(kv) => kv,
        Err(e) => {
            return error(
                503,
                e,
                "the action has no key-value store `default` granted",
            )
        }
    };
    let page = if req.path.is_empty() {
        "/".to_string()
    } else {
        req.path.clone()
    };
    let key = format!("visits:{page}");
    if req.query_string.split('&').any(|p| p == "list") {
        let keys = match kv.all_keys(b"visits:") {
            Ok(keys) => keys,
            Err(e) => return error(status_of(e), e, "listing failed"),
        };
        let mut members = Vec::new();
        for k in keys {
            let count = kv.get(&k).ok().flatten().unwrap_or_default();
            let name = String::from_utf8_lossy(&k["visits:".len()..]).into_owned();
            members.push(format!(
                "{}:{}",
                json_quote(&name),
                String::from_utf8_lossy(&count)
            ));
        }
        return Response::json(200, format!(r#"{{"pages":{{{}}}}}"#, members.join(",")));
    }
    match req.method.as_str() {
        "GET" => match kv.increment(key.as_bytes(), 1) {
            Ok(n) => Response::json(
                200,
                format!(r#"{{"page":{},"visits":{n}}}"#, json_quote(&page)),
            ),
            Err(Error::AccessDenied) => {
                let current = kv
                    .get_str(&key)
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| "0".into());
                error(
                    403,
                    Error::AccessDenied,
                    &format!("read-only: {page} has {current} visits"),
                )
            }
            Err(e) => error(status_of(e), e, "counting failed"),
        },
        "POST" if req.query("claim").is_some() => {
            let name = req.query("claim").unwrap_or_default();
            let owner_key = format!("owner:{page}");
            match kv.compare_and_swap(owner_key.as_bytes(), None, name.as_bytes()) {
                Ok(claimed) => {
                    let owner = kv.get_str(&owner_key).ok().flatten().unwrap_or_default();
                    Response::json(
                        200,
                        format!(r#"{{"claimed":{claimed},"owner":{}}}"#, json_quote(&owner)),
                    )
                }
                Err(e) => error(status_of(e), e, "claim failed"),
            }
        }
        "POST" if req.query("reset").is_some() => {
            let existed = kv.exists(key.as_bytes()).unwrap_or(false);
            match kv.delete(key.as_bytes()) {
                Ok(()) => Response::json(200, format!(r#"{{"reset":{existed}}}"#)),
                Err(e) => error(status_of(e), e, "reset failed"),
            }
        }
        _ => error(405, Error::InvalidArgument, "GET, or POST with ?reset")
            .header("Allow", "GET, POST"),
    }
}

fn main() {
    handle(&Request::from_env()).send();
}
