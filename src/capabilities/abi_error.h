// The error codes every `wasm_actions` host function returns (host-abi.md, a contract:
// never renumber, only append).
#pragma once

#include <cstdint>
#include <string_view>

namespace wa::capabilities {

enum class AbiError : uint32_t {
  kOk = 0,
  kInvalidHandle = 1,    // unknown handle
  kMemoryAccess = 2,     // pointer/length outside guest memory
  kInvalidArgument = 3,  // bad UTF-8, empty key, bad name, value not an integer
  kBufferTooSmall = 4,   // the needed length was stored at the out-pointer
  kNotFound = 5,         // key / connection / store absent
  kAccessDenied = 6,     // not granted, or granted read-only and the call writes
  kTooLarge = 7,         // key or value over the limit
  kQuotaExceeded = 8,    // store or volume quota
  kUnavailable = 9,      // backend down or timed out (the guest may retry)
};

std::string_view abi_error_name(AbiError error);  // "ok", "invalid_handle", ...

// The AbiError for a wa::Error kind a backend returned ("not_found" → kNotFound,
// "too_large", "quota_exceeded", "invalid_argument", "access_denied"; anything else,
// "unavailable" included, → kUnavailable: the guest may retry).
AbiError abi_error_for_kind(std::string_view kind);

}  // namespace wa::capabilities
