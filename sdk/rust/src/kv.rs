//! Key-value stores granted to the action (`settings.capabilities.key_value_stores`).

use crate::abi::{self, with_growing_buffer, Error};

/// A store opened with [`KvStore::open`]. Keys and values are bytes; the `_str` variants
/// take and give UTF-8.
#[derive(Debug, Clone, Copy)]
pub struct KvStore {
    handle: u32,
}

impl KvStore {
    /// `Err(AccessDenied)` when the store is not in the action's grant.
    pub fn open(name: &str) -> Result<KvStore, Error> {
        let mut handle = 0u32;
        Error::from_code(unsafe { abi::kv_open(name.as_ptr(), name.len(), &mut handle) })?;
        Ok(KvStore { handle })
    }

    /// `Ok(None)` when the key is absent.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let h = self.handle;
        match with_growing_buffer(256, |buf, cap, len| unsafe {
            abi::kv_get(h, key.as_ptr(), key.len(), buf, cap, len)
        }) {
            Ok(value) => Ok(Some(value)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The value as UTF-8 (lossy for values that are not).
    pub fn get_str(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self
            .get(key.as_bytes())?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn set(&self, key: &[u8], value: &[u8]) -> Result<(), Error> {
        Error::from_code(unsafe {
            abi::kv_set(
                self.handle,
                key.as_ptr(),
                key.len(),
                value.as_ptr(),
                value.len(),
            )
        })
    }

    pub fn set_str(&self, key: &str, value: &str) -> Result<(), Error> {
        self.set(key.as_bytes(), value.as_bytes())
    }

    /// Ok also when the key was absent.
    pub fn delete(&self, key: &[u8]) -> Result<(), Error> {
        Error::from_code(unsafe { abi::kv_delete(self.handle, key.as_ptr(), key.len()) })
    }

    pub fn exists(&self, key: &[u8]) -> Result<bool, Error> {
        let mut out = 0u32;
        Error::from_code(unsafe {
            abi::kv_exists(self.handle, key.as_ptr(), key.len(), &mut out)
        })?;
        Ok(out != 0)
    }

    /// One page of keys with `prefix`, in byte order, strictly after `after` (empty: from
    /// the start), as many as fit in `page_bytes`. An empty page means no more keys.
    pub fn keys(
        &self,
        prefix: &[u8],
        after: &[u8],
        page_bytes: usize,
    ) -> Result<Vec<Vec<u8>>, Error> {
        let h = self.handle;
        let page = with_growing_buffer(page_bytes, |buf, cap, len| unsafe {
            abi::kv_keys(
                h,
                prefix.as_ptr(),
                prefix.len(),
                after.as_ptr(),
                after.len(),
                buf,
                cap,
                len,
            )
        })?;
        let mut keys = Vec::new();
        let mut at = 0usize;
        while at + 4 <= page.len() {
            let len =
                u32::from_le_bytes([page[at], page[at + 1], page[at + 2], page[at + 3]]) as usize;
            at += 4;
            if at + len > page.len() {
                break;
            }
            keys.push(page[at..at + len].to_vec());
            at += len;
        }
        Ok(keys)
    }

    /// Every key with `prefix`, page by page.
    pub fn all_keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
        let mut all: Vec<Vec<u8>> = Vec::new();
        loop {
            let after = all.last().cloned().unwrap_or_default();
            let page = self.keys(prefix, &after, 4096)?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
        }
    }

    /// Atomically adds `delta` to the decimal integer at `key` (absent counts as 0).
    pub fn increment(&self, key: &[u8], delta: i64) -> Result<i64, Error> {
        let mut out = 0i64;
        Error::from_code(unsafe {
            abi::kv_increment(self.handle, key.as_ptr(), key.len(), delta, &mut out)
        })?;
        Ok(out)
    }

    /// Atomically sets `value` if the current value equals `expected` (`None`: only if the
    /// key is absent). Returns whether it swapped.
    pub fn compare_and_swap(
        &self,
        key: &[u8],
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, Error> {
        let mut swapped = 0u32;
        let (ptr, len, absent) = match expected {
            Some(e) => (e.as_ptr(), e.len(), 0),
            None => (std::ptr::null(), 0, 1),
        };
        Error::from_code(unsafe {
            abi::kv_compare_and_swap(
                self.handle,
                key.as_ptr(),
                key.len(),
                ptr,
                len,
                absent,
                value.as_ptr(),
                value.len(),
                &mut swapped,
            )
        })?;
        Ok(swapped != 0)
    }
}
