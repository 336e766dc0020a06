//! The raw `wasm_actions` imports and their error codes. Every parameter is an i32
//! (pointers and lengths into guest memory) unless the contract says i64; every function
//! returns an error code, 0 on success. Imports a guest never calls are not emitted.

use std::fmt;

#[link(wasm_import_module = "wasm_actions")]
extern "C" {
    pub fn kv_open(name_ptr: *const u8, name_len: usize, handle_out: *mut u32) -> u32;
    pub fn kv_get(
        handle: u32,
        key_ptr: *const u8,
        key_len: usize,
        buf_ptr: *mut u8,
        buf_cap: usize,
        len_out: *mut u32,
    ) -> u32;
    pub fn kv_set(
        handle: u32,
        key_ptr: *const u8,
        key_len: usize,
        val_ptr: *const u8,
        val_len: usize,
    ) -> u32;
    pub fn kv_delete(handle: u32, key_ptr: *const u8, key_len: usize) -> u32;
    pub fn kv_exists(handle: u32, key_ptr: *const u8, key_len: usize, bool_out: *mut u32) -> u32;
    pub fn kv_keys(
        handle: u32,
        prefix_ptr: *const u8,
        prefix_len: usize,
        after_ptr: *const u8,
        after_len: usize,
        buf_ptr: *mut u8,
        buf_cap: usize,
        len_out: *mut u32,
    ) -> u32;
    pub fn kv_increment(
        handle: u32,
        key_ptr: *const u8,
        key_len: usize,
        delta: i64,
        result_out: *mut i64,
    ) -> u32;
    pub fn kv_compare_and_swap(
        handle: u32,
        key_ptr: *const u8,
        key_len: usize,
        expected_ptr: *const u8,
        expected_len: usize,
        expect_absent: u32,
        new_ptr: *const u8,
        new_len: usize,
        swapped_out: *mut u32,
    ) -> u32;

    pub fn room_broadcast(
        msg_ptr: *const u8,
        msg_len: usize,
        except_ptr: *const u8,
        except_len: usize,
    ) -> u32;
    pub fn room_send(
        conn_ptr: *const u8,
        conn_len: usize,
        msg_ptr: *const u8,
        msg_len: usize,
    ) -> u32;
    pub fn room_connections(buf_ptr: *mut u8, buf_cap: usize, len_out: *mut u32) -> u32;
    pub fn room_select(name_ptr: *const u8, name_len: usize) -> u32;
    pub fn event_get(buf_ptr: *mut u8, buf_cap: usize, len_out: *mut u32) -> u32;
    pub fn event_payload(buf_ptr: *mut u8, buf_cap: usize, len_out: *mut u32) -> u32;
}

/// A non-zero code a `wasm_actions` function returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    InvalidHandle,
    MemoryAccess,
    InvalidArgument,
    BufferTooSmall,
    NotFound,
    AccessDenied,
    TooLarge,
    QuotaExceeded,
    Unavailable,
    /// A code this SDK does not know (a newer host).
    Other(u32),
}

impl Error {
    pub fn from_code(code: u32) -> Result<(), Error> {
        Err(match code {
            0 => return Ok(()),
            1 => Error::InvalidHandle,
            2 => Error::MemoryAccess,
            3 => Error::InvalidArgument,
            4 => Error::BufferTooSmall,
            5 => Error::NotFound,
            6 => Error::AccessDenied,
            7 => Error::TooLarge,
            8 => Error::QuotaExceeded,
            9 => Error::Unavailable,
            other => Error::Other(other),
        })
    }

    pub fn code(self) -> u32 {
        match self {
            Error::InvalidHandle => 1,
            Error::MemoryAccess => 2,
            Error::InvalidArgument => 3,
            Error::BufferTooSmall => 4,
            Error::NotFound => 5,
            Error::AccessDenied => 6,
            Error::TooLarge => 7,
            Error::QuotaExceeded => 8,
            Error::Unavailable => 9,
            Error::Other(code) => code,
        }
    }

    /// The contract's name: "access_denied", ...
    pub fn name(self) -> &'static str {
        match self {
            Error::InvalidHandle => "invalid_handle",
            Error::MemoryAccess => "memory_access",
            Error::InvalidArgument => "invalid_argument",
            Error::BufferTooSmall => "buffer_too_small",
            Error::NotFound => "not_found",
            Error::AccessDenied => "access_denied",
            Error::TooLarge => "too_large",
            Error::QuotaExceeded => "quota_exceeded",
            Error::Unavailable => "unavailable",
            Error::Other(_) => "unknown",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

impl std::error::Error for Error {}

/// Calls `call(buf, cap, len_out)` with a buffer of `initial` bytes and, while the host
/// answers buffer_too_small, again with the length it asks for.
pub fn with_growing_buffer(
    initial: usize,
    mut call: impl FnMut(*mut u8, usize, *mut u32) -> u32,
) -> Result<Vec<u8>, Error> {
    let mut cap = initial.max(16);
    // A host that keeps asking for more (or for no more than offered) must not make the
    // guest loop forever.
    for _ in 0..8 {
        let mut buf = vec![0u8; cap];
        let mut len: u32 = 0;
        let code = call(buf.as_mut_ptr(), cap, &mut len);
        if code == 4 {
            if (len as usize) <= cap {
                break;
            }
            cap = len as usize;
            continue;
        }
        Error::from_code(code)?;
        if len as usize > cap {
            return Err(Error::MemoryAccess);
        }
        buf.truncate(len as usize);
        return Ok(buf);
    }
    Err(Error::BufferTooSmall)
}
