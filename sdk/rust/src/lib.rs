//! WASM Actions guests in Rust: the `wasm_actions` host imports (host ABI contract v1,
//! docs/host-abi.md) with safe wrappers for key-value stores, room handlers (module
//! [`rooms`]), outbound HTTP and calls between actions (`wasi_experimental_http`, module
//! [`http`]), and CGI helpers (the request arrives as environment variables and stdin;
//! the response goes to stdout).
//!
//! Build for `wasm32-wasi` (Debian's `rustc` with `libstd-rust-dev-wasm32`).

pub mod abi;
pub mod cgi;
pub mod http;
pub mod kv;
pub mod rooms;

pub use abi::Error;
pub use cgi::{Request, Response};
pub use kv::KvStore;
