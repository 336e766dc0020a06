//! CGI over WASI: the request's variables are environment variables (RFC 3875 / WAGI),
//! its body is stdin; the response is header lines, a blank line and the body on stdout.

use std::io::{Read, Write};

/// Percent-decodes `text` (`+` as a space when `plus_is_space`); invalid escapes stay.
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(if c == b'+' && plus_is_space { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// `name=value` pairs of a query string or urlencoded form, decoded, in order.
pub fn parse_params(encoded: &str) -> Vec<(String, String)> {
    encoded
        .split('&')
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('=') {
            Some((n, v)) => (percent_decode(n, true), percent_decode(v, true)),
            None => (percent_decode(item, true), String::new()),
        })
        .collect()
}

/// `text` with &, <, >, " and ' as character references.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

pub struct Request {
    pub method: String,
    /// PATH_INFO: the path below the action's route.
    pub path: String,
    pub script_name: String,
    pub query_string: String,
    pub content_type: String,
}

impl Request {
    pub fn from_env() -> Request {
        Request {
            method: std::env::var("REQUEST_METHOD").unwrap_or_else(|_| "GET".into()),
            path: var("PATH_INFO"),
            script_name: var("SCRIPT_NAME"),
            query_string: var("QUERY_STRING"),
            content_type: var("CONTENT_TYPE"),
        }
    }

    /// The first value of query parameter `name`, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        parse_params(&self.query_string)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The request header `name` (any case).
    pub fn header(&self, name: &str) -> Option<String> {
        match name.to_ascii_lowercase().as_str() {
            "content-type" => std::env::var("CONTENT_TYPE").ok(),
            "content-length" => std::env::var("CONTENT_LENGTH").ok(),
            _ => std::env::var(format!(
                "HTTP_{}",
                name.to_ascii_uppercase().replace('-', "_")
            ))
            .ok(),
        }
    }

    /// The body (stdin), at most `max_bytes`.
    pub fn body(&self, max_bytes: u64) -> Vec<u8> {
        let mut body = Vec::new();
        let _ = std::io::stdin().take(max_bytes).read_to_end(&mut body);
        body
    }

    /// An application/x-www-form-urlencoded body, decoded.
    pub fn form(&self, max_bytes: u64) -> Vec<(String, String)> {
        let media = self
            .content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if media != "application/x-www-form-urlencoded" {
            return Vec::new();
        }
        parse_params(&String::from_utf8_lossy(&self.body(max_bytes)))
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn text(status: u16, body: impl Into<String>) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body.into())
    }

    pub fn html(status: u16, body: impl Into<String>) -> Response {
        Response::new(status, "text/html; charset=utf-8", body.into())
    }

    /// `json` is already serialised JSON.
    pub fn json(status: u16, json: impl Into<String>) -> Response {
        Response::new(status, "application/json", json.into())
    }

    /// Adds a header; a name that is not a token is ignored and control characters in the
    /// value become spaces (no response splitting).
    pub fn header(mut self, name: &str, value: &str) -> Response {
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if token && !name.eq_ignore_ascii_case("status") {
            let clean: String = value
                .chars()
                .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
                .collect();
            self.headers.push((name.into(), clean));
        }
        self
    }

    pub fn send(&self) {
        let mut out = format!("Status: {}\r\n", self.status);
        for (name, value) in &self.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("\r\n");
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.write_all(&self.body);
        let _ = stdout.flush();
    }
}

/// `text` as a JSON string literal (quotes included; <, >, & escaped for HTML safety).
pub fn json_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '<' || c == '>' || c == '&' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
