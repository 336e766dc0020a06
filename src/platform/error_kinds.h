// The stable `wa::Error::kind` tags the platform returns, so callers can map them (e.g. to HTTP).
#pragma once

#include <string_view>

namespace wa::platform::error_kind {

// Bad input from the caller; the message names the field and the problem.  (HTTP 400)
inline constexpr std::string_view kInvalidArgument = "invalid_argument";
// Upload rejected by validation (the engine's kinds, passed through unchanged).  (HTTP 400)
inline constexpr std::string_view kNotWasm = "not_wasm";
inline constexpr std::string_view kInvalidModule = "invalid_module";
inline constexpr std::string_view kUnsupportedFeature = "unsupported_feature";
inline constexpr std::string_view kUnsupportedImport = "unsupported_import";
// A route that is malformed or lies on a reserved path.  (HTTP 400)
inline constexpr std::string_view kInvalidRoute = "invalid_route";
inline constexpr std::string_view kReservedRoute = "reserved_route";
// Missing, bad or expired credentials.  (HTTP 401)
inline constexpr std::string_view kUnauthorized = "unauthorized";
// Authenticated but not allowed (not admin, registration closed, bad invite).  (HTTP 403)
inline constexpr std::string_view kForbidden = "forbidden";
// No such thing, or it belongs to somebody else (never reveal which).  (HTTP 404)
inline constexpr std::string_view kNotFound = "not_found";
// Name or route already taken, nothing to roll back to.  (HTTP 409)
inline constexpr std::string_view kConflict = "conflict";
// A per-user quota (actions, stored module bytes) would be exceeded; nothing was stored.
// (HTTP 403)
inline constexpr std::string_view kQuotaExceeded = "quota_exceeded";
// Too many failed logins; see Accounts::login_retry_after().  (HTTP 429)
inline constexpr std::string_view kRateLimited = "rate_limited";
// Too much expensive work at once (password hashing slots taken); retry shortly.  (HTTP 503)
inline constexpr std::string_view kOverloaded = "overloaded";
// The action is disabled by its owner.  (HTTP 503 or 404, gateway's choice)
inline constexpr std::string_view kDisabled = "disabled";
// The action's module is still compiling; nothing ran. Retry shortly.  (HTTP 503 +
// Retry-After)
inline constexpr std::string_view kCompiling = "compiling";
// The action has no runnable module (its compile failed).  (HTTP 500)
inline constexpr std::string_view kModuleFailed = "module_failed";
// Database or disk trouble.  (HTTP 500)
inline constexpr std::string_view kStorage = "storage";
inline constexpr std::string_view kInternal = "internal";

}  // namespace wa::platform::error_kind
