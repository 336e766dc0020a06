//! Outbound HTTP and calls between actions: the `wasi_experimental_http` import module
//! (the ABI of deislabs/wasi-experimental-http, which WAGI hosts), with a small safe API
//! over it. The action needs `settings.capabilities.allowed_outbound_hosts` for URLs and
//! `settings.capabilities.actions` for [`call_action`]; without them every request is
//! `Err(Error::DestinationNotAllowed)`.
//!
//! ```no_run
//! use wasm_actions::http;
//! let mut res = http::request("POST", "https://api.example.com/notes",
//!                             &[("Content-Type", "text/plain")], b"hello")?;
//! let etag = res.header("etag")?;            // Option<String>
//! let body = res.body()?;                    // the rest of the body
//! # Ok::<(), http::Error>(())
//! ```
//!
//! The deislabs crate itself is not used: it needs the `http`, `bytes` and `anyhow` crates,
//! which Debian's offline toolchain does not have. The imports below are declared with the
//! same names and wasm types, so a module built with either imports the same functions.

use std::fmt;

/// The raw imports. Pointers and `usize` lengths are i32 on wasm32, handles are i32, and
/// every function returns a `u32` error code (0: success).
pub mod raw {
    #[link(wasm_import_module = "wasi_experimental_http")]
    extern "C" {
        /// Sends a request; stores the status (u16) and a response handle.
        pub fn req(
            url_ptr: *const u8,
            url_len: usize,
            method_ptr: *const u8,
            method_len: usize,
            headers_ptr: *const u8,
            headers_len: usize,
            body_ptr: *const u8,
            body_len: usize,
            status_out: *mut u16,
            handle_out: *mut i32,
        ) -> u32;
        /// Frees a response handle.
        pub fn close(handle: i32) -> u32;
        /// The first value of a response header (any case).
        pub fn header_get(
            handle: i32,
            name_ptr: *const u8,
            name_len: usize,
            value_ptr: *mut u8,
            value_cap: usize,
            written_out: *mut usize,
        ) -> u32;
        /// Every response header as `name:value\n` lines.
        pub fn headers_get_all(
            handle: i32,
            buf_ptr: *mut u8,
            buf_cap: usize,
            written_out: *mut usize,
        ) -> u32;
        /// The next piece of the body; 0 bytes written means the end.
        pub fn body_read(
            handle: i32,
            buf_ptr: *mut u8,
            buf_cap: usize,
            written_out: *mut usize,
        ) -> u32;
    }
}

/// A non-zero code of `wasi_experimental_http` (its own numbering, not `abi::Error`'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    InvalidHandle,
    MemoryNotFound,
    MemoryAccessError,
    BufferTooSmall,
    HeaderNotFound,
    Utf8Error,
    DestinationNotAllowed,
    InvalidMethod,
    InvalidEncoding,
    InvalidUrl,
    RequestError,
    RuntimeError,
    TooManySessions,
    /// A code this SDK does not know (a newer host).
    Other(u32),
}

const NAMES: [&str; 14] = [
    "success",
    "invalid_handle",
    "memory_not_found",
    "memory_access_error",
    "buffer_too_small",
    "header_not_found",
    "utf8_error",
    "destination_not_allowed",
    "invalid_method",
    "invalid_encoding",
    "invalid_url",
    "request_error",
    "runtime_error",
    "too_many_sessions",
];

/// The contract's name of any code, 0 (`success`) included; `unknown` past 13.
pub fn error_name(code: u32) -> &'static str {
    NAMES.get(code as usize).copied().unwrap_or("unknown")
}

impl Error {
    /// `Ok(())` for 0, else the error.
    pub fn from_code(code: u32) -> Result<(), Error> {
        Err(match code {
            0 => return Ok(()),
            1 => Error::InvalidHandle,
            2 => Error::MemoryNotFound,
            3 => Error::MemoryAccessError,
            4 => Error::BufferTooSmall,
            5 => Error::HeaderNotFound,
            6 => Error::Utf8Error,
            7 => Error::DestinationNotAllowed,
            8 => Error::InvalidMethod,
            9 => Error::InvalidEncoding,
            10 => Error::InvalidUrl,
            11 => Error::RequestError,
            12 => Error::RuntimeError,
            13 => Error::TooManySessions,
            other => Error::Other(other),
        })
    }

    pub fn code(self) -> u32 {
        match self {
            Error::InvalidHandle => 1,
            Error::MemoryNotFound => 2,
            Error::MemoryAccessError => 3,
            Error::BufferTooSmall => 4,
            Error::HeaderNotFound => 5,
            Error::Utf8Error => 6,
            Error::DestinationNotAllowed => 7,
            Error::InvalidMethod => 8,
            Error::InvalidEncoding => 9,
            Error::InvalidUrl => 10,
            Error::RequestError => 11,
            Error::RuntimeError => 12,
            Error::TooManySessions => 13,
            Error::Other(code) => code,
        }
    }

    /// The contract's name: "destination_not_allowed", ...
    pub fn name(self) -> &'static str {
        error_name(self.code())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl std::error::Error for Error {}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The request header text the host takes (`name:value\n` lines). A name that is not a
/// token, or a value with CR, LF or another control character but tab, would forge or
/// break a line: `Err(InvalidEncoding)`, as the host would answer, and nothing is sent.
pub fn header_text(headers: &[(&str, &str)]) -> Result<String, Error> {
    let mut text = String::new();
    for (name, value) in headers {
        if !is_token(name) || value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(Error::InvalidEncoding);
        }
        text.push_str(name);
        text.push(':');
        text.push_str(value);
        text.push('\n');
    }
    Ok(text)
}

/// Sends `method url` with `headers` and `body` (empty: none) and waits for the status and
/// headers; the body is read from the [`Response`]. Redirects are followed by the host.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, Error> {
    let headers = header_text(headers)?;
    let mut status: u16 = 0;
    let mut handle: i32 = -1;
    Error::from_code(unsafe {
        raw::req(
            url.as_ptr(),
            url.len(),
            method.as_ptr(),
            method.len(),
            headers.as_ptr(),
            headers.len(),
            body.as_ptr(),
            body.len(),
            &mut status,
            &mut handle,
        )
    })?;
    Ok(Response {
        handle,
        status,
        ended: false,
    })
}

/// A bare GET.
pub fn get(url: &str) -> Result<Response, Error> {
    request("GET", url, &[], &[])
}

/// Calls action `name` of the same developer in process
/// (`http://<name>.actions.internal<path>`): it sees `method`, `headers`, `body`, and
/// `path` (with its query) as PATH_INFO and QUERY_STRING. Needs the caller's `actions`
/// grant to list `name` (or `"*"`), else `Err(DestinationNotAllowed)`; a chain deeper
/// than 8 calls or a cycle is `Err(RuntimeError)`.
pub fn call_action(
    name: &str,
    path: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, Error> {
    // Only an action name may become the host part: anything else (`/`, `@`, `:`) would
    // send the request somewhere other than the action.
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if !valid {
        return Err(Error::InvalidUrl);
    }
    let slash = if path.starts_with('/') { "" } else { "/" };
    request(
        method,
        &format!("http://{name}.actions.internal{slash}{path}"),
        headers,
        body,
    )
}

/// Calls `call(buf, cap, written)` until the text fits: on 4 `buffer_too_small` with the
/// length the host stored at `written` (our host's extension), or twice the buffer when
/// it stored nothing larger (the reference host writes nothing there).
fn grow_until_fits(
    initial: usize,
    mut call: impl FnMut(*mut u8, usize, *mut usize) -> u32,
) -> Result<Vec<u8>, Error> {
    // Bounded: a host that keeps asking for more must not make the guest loop or allocate
    // without end (the host's header limits are far below this).
    const MAX: usize = 64 << 20;
    let mut cap = initial.max(64);
    loop {
        let mut buf = vec![0u8; cap];
        let mut written: usize = 0;
        let code = call(buf.as_mut_ptr(), cap, &mut written);
        if code == 4 {
            let next = if written > cap { written } else { cap * 2 };
            if next > MAX {
                return Err(Error::BufferTooSmall);
            }
            cap = next;
            continue;
        }
        Error::from_code(code)?;
        if written > cap {
            return Err(Error::MemoryAccessError);
        }
        buf.truncate(written);
        return Ok(buf);
    }
}

/// A response: its status, headers and body. Dropping it closes the host handle (at most
/// 16 may be open at once).
#[derive(Debug)]
pub struct Response {
    handle: i32,
    /// The status of the last hop (after redirects).
    pub status: u16,
    ended: bool,
}

impl Response {
    /// The host's handle, for the raw functions.
    pub fn handle(&self) -> i32 {
        self.handle
    }

    /// The first value of header `name` (any case), `None` if absent.
    pub fn header(&self, name: &str) -> Result<Option<String>, Error> {
        let handle = self.handle;
        match grow_until_fits(256, |buf, cap, written| unsafe {
            raw::header_get(handle, name.as_ptr(), name.len(), buf, cap, written)
        }) {
            Ok(value) => Ok(Some(String::from_utf8_lossy(&value).into_owned())),
            Err(Error::HeaderNotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every header as (lowercase name, value), in arrival order, repeats kept.
    pub fn headers(&self) -> Result<Vec<(String, String)>, Error> {
        let handle = self.handle;
        let text = grow_until_fits(1024, |buf, cap, written| unsafe {
            raw::headers_get_all(handle, buf, cap, written)
        })?;
        Ok(String::from_utf8_lossy(&text)
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect())
    }

    /// The next piece of the body into `buf`; `Ok(0)` at the end (and after it).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        if self.ended || buf.is_empty() {
            return Ok(0);
        }
        let mut written: usize = 0;
        Error::from_code(unsafe {
            raw::body_read(self.handle, buf.as_mut_ptr(), buf.len(), &mut written)
        })?;
        if written > buf.len() {
            return Err(Error::MemoryAccessError);
        }
        if written == 0 {
            self.ended = true;
        }
        Ok(written)
    }

    /// The rest of the body, read in 64 KiB pieces.
    pub fn body(&mut self) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        let mut piece = vec![0u8; 64 << 10];
        loop {
            let n = self.read(&mut piece)?;
            if n == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&piece[..n]);
        }
    }

    /// The rest of the body as UTF-8 (lossy).
    pub fn text(&mut self) -> Result<String, Error> {
        Ok(String::from_utf8_lossy(&self.body()?).into_owned())
    }

    /// Closes the handle now, reporting the host's answer (Drop ignores it).
    pub fn close(self) -> Result<(), Error> {
        let handle = self.handle;
        std::mem::forget(self);
        Error::from_code(unsafe { raw::close(handle) })
    }
}

impl std::io::Read for Response {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Response::read(self, buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::Other, e))
    }
}

impl Drop for Response {
    fn drop(&mut self) {
        unsafe {
            raw::close(self.handle);
        }
    }
}
