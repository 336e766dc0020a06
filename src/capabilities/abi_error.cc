#include "capabilities/abi_error.h"

namespace wa::capabilities {

std::string_view abi_error_name(AbiError error) {
  switch (error) {
    case AbiError::kOk:
      return "ok";
    case AbiError::kInvalidHandle:
      return "invalid_handle";
    case AbiError::kMemoryAccess:
      return "memory_access";
    case AbiError::kInvalidArgument:
      return "invalid_argument";
    case AbiError::kBufferTooSmall:
      return "buffer_too_small";
    case AbiError::kNotFound:
      return "not_found";
    case AbiError::kAccessDenied:
      return "access_denied";
    case AbiError::kTooLarge:
      return "too_large";
    case AbiError::kQuotaExceeded:
      return "quota_exceeded";
    case AbiError::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

AbiError abi_error_for_kind(std::string_view kind) {
  if (kind == "not_found") return AbiError::kNotFound;
  if (kind == "too_large") return AbiError::kTooLarge;
  if (kind == "quota_exceeded") return AbiError::kQuotaExceeded;
  if (kind == "invalid_argument") return AbiError::kInvalidArgument;
  if (kind == "access_denied") return AbiError::kAccessDenied;
  return AbiError::kUnavailable;
}

}  // namespace wa::capabilities
