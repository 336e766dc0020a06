// The `wasi_experimental_http` import module: outbound HTTP exactly as
// deislabs/wasi-experimental-http (WAGI) defines it, and calls to other actions of the
// same developer through the same functions (chaining, `http://<action>.actions.internal/`).
//
//   req(url, url_len, method, method_len, headers, headers_len, body, body_len,
//       status_out /*u16*/, handle_out /*u32*/) -> err
//   close(handle) -> err
//   header_get(handle, name, name_len, value_buf, value_cap, written_out) -> err
//   headers_get_all(handle, buf, buf_cap, written_out) -> err      // "name:value\n" lines
//   body_read(handle, buf, buf_cap, written_out) -> err            // 0 written: the end
//
// The platform builds one ExperimentalHttpState per call (grants, client, the chaining
// entry point, a log sink) and binds it; unbound, every request is destination_not_allowed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capabilities/action_caller.h"
#include "capabilities/host_allowlist.h"
#include "capabilities/outbound_client.h"
#include "support/expected.h"

namespace wa::capabilities {

inline constexpr std::string_view kExperimentalHttpModule = "wasi_experimental_http";

// The module's own error codes (its witx; never renumber).
enum class HttpError : uint32_t {
  kSuccess = 0,
  kInvalidHandle = 1,
  kMemoryNotFound = 2,
  kMemoryAccessError = 3,
  kBufferTooSmall = 4,
  kHeaderNotFound = 5,
  kUtf8Error = 6,
  kDestinationNotAllowed = 7,
  kInvalidMethod = 8,
  kInvalidEncoding = 9,
  kInvalidUrl = 10,
  kRequestError = 11,
  kRuntimeError = 12,  // also: a chained call refused for depth or a cycle
  kTooManySessions = 13,
};
std::string_view http_error_name(HttpError error);  // "success", "invalid_handle", ...

struct ExperimentalHttpLimits {
  unsigned max_open_responses = 16;     // open handles at once (13 beyond)
  unsigned max_requests_per_call = 64;  // req calls per guest call (13 beyond)
};

struct ExperimentalHttpState {
  static constexpr std::string_view kImportModule = kExperimentalHttpModule;

  // The action's grants (nullptr: none): `allowed_outbound_hosts` and `actions`.
  const std::vector<std::string>* allowed_hosts = nullptr;
  const std::vector<std::string>* callable_actions = nullptr;
  OutboundClient* client = nullptr;  // nullptr: no outbound HTTP at all
  ActionCaller* actions = nullptr;   // nullptr: no chaining
  // Says in the action's log why a request was refused (host and reason).
  std::function<void(const std::string&)> log_refusal;
  ExperimentalHttpLimits limits;

  // Per call.
  struct Response {
    unsigned status = 0;
    HttpHeaders headers;
    std::string body;
    size_t read = 0;
  };
  std::vector<std::optional<Response>> responses;  // handle = index
  unsigned requests = 0;
  std::optional<HostAllowlist> allowlist;  // compiled from allowed_hosts on first use
};

// Adds `wasi_experimental_http` to the engine's host-import registry (idempotent).
void register_experimental_http_module();

}  // namespace wa::capabilities
