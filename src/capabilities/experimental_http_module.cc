// The host side of `wasi_experimental_http`. Checks run in the reference host's order
// where it matters to guests: guest ranges (3), text (6), sessions (13), method (8),
// headers (9), URL (10), destination (7); then the request, whose failures are 11 (the
// network) or 12 (the platform). Every function runs through wasi::typed_host_call, which
// acts on the deadline when it returns and turns an exception into a host_error trap.
#include "capabilities/experimental_http_module.h"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>

#include "capabilities/call_context.h"
#include "capabilities/header_lines.h"
#include "runtime/guest_thread.h"
#include "runtime/host_imports.h"
#include "support/utf8.h"
#include "wasi/context.h"
#include "wasi/guest_memory.h"
#include "wasi/host_call.h"
#include "wasi/host_hooks.h"

namespace wa::capabilities {

std::string_view http_error_name(HttpError error) {
  switch (error) {
    case HttpError::kSuccess:
      return "success";
    case HttpError::kInvalidHandle:
      return "invalid_handle";
    case HttpError::kMemoryNotFound:
      return "memory_not_found";
    case HttpError::kMemoryAccessError:
      return "memory_access_error";
    case HttpError::kBufferTooSmall:
      return "buffer_too_small";
    case HttpError::kHeaderNotFound:
      return "header_not_found";
    case HttpError::kUtf8Error:
      return "utf8_error";
    case HttpError::kDestinationNotAllowed:
      return "destination_not_allowed";
    case HttpError::kInvalidMethod:
      return "invalid_method";
    case HttpError::kInvalidEncoding:
      return "invalid_encoding";
    case HttpError::kInvalidUrl:
      return "invalid_url";
    case HttpError::kRequestError:
      return "request_error";
    case HttpError::kRuntimeError:
      return "runtime_error";
    case HttpError::kTooManySessions:
      return "too_many_sessions";
  }
  return "unknown";
}

}  // namespace wa::capabilities

namespace {

using u32 = uint32_t;
using wa::capabilities::current_call_deadline;
using wa::capabilities::current_guest_memory;
using wa::capabilities::HttpError;

using State = wa::capabilities::ExperimentalHttpState;

u32 code(HttpError error) { return static_cast<u32>(error); }

// Unbound: no grants, no client, no chaining — every request is refused (7). Shared by
// every call that bound no state, so nothing may write to it.
State& unbound_state() {
  static State unbound;
  return unbound;
}

void refuse(State& state, const std::string& why) {
  if (state.log_refusal) state.log_refusal(why);
}

bool grants_action(const State& state, std::string_view name) {
  if (!state.callable_actions) return false;
  return std::any_of(state.callable_actions->begin(), state.callable_actions->end(),
                     [&](const std::string& granted) { return granted == "*" || granted == name; });
}

u32 from_outbound_error(State& state, const wa::Error& error) {
  namespace oe = wa::capabilities::outbound_error;
  if (error.kind == oe::kTimeout) {
    // The request ran into the guest's deadline (its timeout is the time left): the
    // guest's time is up, so let the deadline pass and end it as a timeout instead of
    // handing it an error with a few milliseconds to spare.
    auto deadline = current_call_deadline();
    if (deadline - std::chrono::steady_clock::now() < std::chrono::milliseconds(50))
      std::this_thread::sleep_until(deadline);
    return code(HttpError::kRequestError);
  }
  if (error.kind == oe::kDestinationNotAllowed) {
    refuse(state, error.message);
    return code(HttpError::kDestinationNotAllowed);
  }
  if (error.kind == oe::kInvalidUrl) return code(HttpError::kInvalidUrl);
  if (error.kind == oe::kInvalidMethod) return code(HttpError::kInvalidMethod);
  if (error.kind == oe::kInvalidEncoding) return code(HttpError::kInvalidEncoding);
  return code(HttpError::kRequestError);
}

// The outbound (non-chained) request.
u32 fetch(State& state, wa::capabilities::OutboundRequest request, State::Response& response) {
  if (!state.client || !state.allowed_hosts || state.allowed_hosts->empty()) {
    refuse(state, "outbound request to " + request.url +
                      " refused: the action has no allowed_outbound_hosts");
    return code(HttpError::kDestinationNotAllowed);
  }
  if (!state.allowlist) {
    auto compiled = wa::capabilities::HostAllowlist::parse(*state.allowed_hosts);
    if (!compiled) return code(HttpError::kRuntimeError);  // grants are validated on save
    state.allowlist = std::move(*compiled);
  }
  auto fetched = state.client->fetch(request, *state.allowlist, current_call_deadline(),
                                     [] { return wa::wasi::host_hooks().interrupted(); });
  if (!fetched) return from_outbound_error(state, fetched.error());
  response.status = fetched->status;
  response.headers = std::move(fetched->headers);
  response.body = std::move(fetched->body);
  return code(HttpError::kSuccess);
}

u32 chain(State& state, wa::capabilities::ChainedRequest request, State::Response& response) {
  if (!state.actions || !grants_action(state, request.action)) {
    refuse(state, "call to action \"" + request.action +
                      "\" refused: the action's `actions` grant does not list it");
    return code(HttpError::kDestinationNotAllowed);
  }
  auto answered = state.actions->call_action(request);
  if (!answered) {
    const auto& kind = answered.error().kind;
    if (kind == "not_found") {
      refuse(state, answered.error().message);
      return code(HttpError::kDestinationNotAllowed);
    }
    return code(kind == "chain_refused" ? HttpError::kRuntimeError : HttpError::kRequestError);
  }
  response.status = answered->status;
  response.headers = std::move(answered->headers);
  response.body = std::move(answered->body);
  return code(HttpError::kSuccess);
}

u32 req(State& state, u32 url_ptr, u32 url_len, u32 method_ptr, u32 method_len, u32 headers_ptr,
        u32 headers_len, u32 body_ptr, u32 body_len, u32 status_out, u32 handle_out) {
  wasm_rt_memory_t* memory_object = current_guest_memory();
  if (!memory_object) return code(HttpError::kMemoryNotFound);
  wa::wasi::GuestMemory memory(memory_object);
  std::string_view url, method, headers_text, body;
  if (!memory.string(url_ptr, url_len, url) || !memory.string(method_ptr, method_len, method) ||
      !memory.string(headers_ptr, headers_len, headers_text) ||
      !memory.string(body_ptr, body_len, body) || !memory.contains(status_out, 2) ||
      !memory.contains(handle_out, 4)) {
    return code(HttpError::kMemoryAccessError);
  }
  if (!wa::is_valid_utf8(url) || !wa::is_valid_utf8(method) || !wa::is_valid_utf8(headers_text))
    return code(HttpError::kUtf8Error);
  size_t open = std::count_if(state.responses.begin(), state.responses.end(),
                              [](const auto& r) { return r.has_value(); });
  if (open >= state.limits.max_open_responses ||
      state.requests >= state.limits.max_requests_per_call) {
    return code(HttpError::kTooManySessions);
  }
  if (!wa::capabilities::is_http_token(method)) return code(HttpError::kInvalidMethod);
  auto headers = wa::capabilities::parse_header_lines(headers_text);
  if (!headers) return code(HttpError::kInvalidEncoding);
  auto chained = wa::capabilities::parse_chain_url(url);
  if (!chained) return code(HttpError::kInvalidUrl);

  // The unbound state is shared by every call that bound none: refuse before touching it.
  if (&state == &unbound_state()) return code(HttpError::kDestinationNotAllowed);
  ++state.requests;
  State::Response response;
  u32 result;
  // The body stays a view into the caller's memory: a chained callee runs with a memory of
  // its own, and the caller's cannot grow or move before this host call returns.
  if (chained->has_value()) {
    wa::capabilities::ChainedRequest request = std::move(**chained);
    request.method = std::string(method);
    request.headers = std::move(*headers);
    request.body = body;
    result = chain(state, std::move(request), response);
  } else {
    result = fetch(state,
                   wa::capabilities::OutboundRequest{std::string(method), std::string(url),
                                                     std::move(*headers), body},
                   response);
  }
  if (result != code(HttpError::kSuccess)) return result;

  // The first free handle, from 0 as in the reference host.
  size_t handle = 0;
  while (handle < state.responses.size() && state.responses[handle].has_value()) ++handle;
  if (handle == state.responses.size()) state.responses.emplace_back();
  const auto status = static_cast<uint16_t>(response.status);
  state.responses[handle] = std::move(response);
  memory.store<uint16_t>(status_out, status);
  memory.store<u32>(handle_out, static_cast<u32>(handle));
  return code(HttpError::kSuccess);
}

State::Response* response_of(State& state, u32 handle) {
  if (handle >= state.responses.size() || !state.responses[handle]) return nullptr;
  return &*state.responses[handle];
}

// Writes `text` into the guest buffer, or (4) stores the length it needs: an extension
// of ours, the reference host writes nothing then (guests ignoring it work the same).
u32 write_text(const wa::wasi::GuestMemory& memory, std::string_view text, u32 buf_ptr, u32 buf_cap,
               u32 written_out) {
  memory.store<u32>(written_out, static_cast<u32>(text.size()));
  if (text.size() > buf_cap) return code(HttpError::kBufferTooSmall);
  memory.write(buf_ptr, text.data(), text.size());
  return code(HttpError::kSuccess);
}

u32 close_handle(State& state, u32 handle) {
  // Like the reference host: closing what is not open is not an error.
  if (handle < state.responses.size()) state.responses[handle].reset();
  return code(HttpError::kSuccess);
}

u32 header_get(State& state, u32 handle, u32 name_ptr, u32 name_len, u32 value_ptr, u32 value_cap,
               u32 written_out) {
  wasm_rt_memory_t* memory_object = current_guest_memory();
  if (!memory_object) return code(HttpError::kMemoryNotFound);
  wa::wasi::GuestMemory memory(memory_object);
  std::string_view name;
  if (!memory.string(name_ptr, name_len, name) || !memory.contains(value_ptr, value_cap) ||
      !memory.contains(written_out, 4)) {
    return code(HttpError::kMemoryAccessError);
  }
  State::Response* response = response_of(state, handle);
  if (!response) return code(HttpError::kInvalidHandle);
  if (!wa::is_valid_utf8(name)) return code(HttpError::kUtf8Error);
  for (const auto& [header, value] : response->headers) {
    if (boost::algorithm::iequals(header, name))
      return write_text(memory, value, value_ptr, value_cap, written_out);
  }
  return code(HttpError::kHeaderNotFound);
}

// What headers_get_all and body_read share: the output buffer and the open response.
// Returns nullptr and sets `error` when either is not usable.
State::Response* output_and_response(State& state, u32 handle, u32 buf_ptr, u32 buf_cap,
                                     u32 written_out, wa::wasi::GuestMemory& memory, u32& error) {
  wasm_rt_memory_t* memory_object = current_guest_memory();
  if (!memory_object) {
    error = code(HttpError::kMemoryNotFound);
    return nullptr;
  }
  memory = wa::wasi::GuestMemory(memory_object);
  if (!memory.contains(buf_ptr, buf_cap) || !memory.contains(written_out, 4)) {
    error = code(HttpError::kMemoryAccessError);
    return nullptr;
  }
  State::Response* response = response_of(state, handle);
  if (!response) error = code(HttpError::kInvalidHandle);
  return response;
}

u32 headers_get_all(State& state, u32 handle, u32 buf_ptr, u32 buf_cap, u32 written_out) {
  wa::wasi::GuestMemory memory(nullptr);
  u32 error = 0;
  State::Response* response =
      output_and_response(state, handle, buf_ptr, buf_cap, written_out, memory, error);
  if (!response) return error;
  return write_text(memory, wa::capabilities::format_header_lines(response->headers), buf_ptr,
                    buf_cap, written_out);
}

u32 body_read(State& state, u32 handle, u32 buf_ptr, u32 buf_cap, u32 written_out) {
  wa::wasi::GuestMemory memory(nullptr);
  u32 error = 0;
  State::Response* response =
      output_and_response(state, handle, buf_ptr, buf_cap, written_out, memory, error);
  if (!response) return error;
  size_t n = std::min<size_t>(buf_cap, response->body.size() - response->read);
  memory.write(buf_ptr, response->body.data() + response->read, n);
  response->read += n;
  memory.store<u32>(written_out, static_cast<u32>(n));
  return code(HttpError::kSuccess);
}

}  // namespace

// The symbols wasm2c-generated code links against (module `wasi_experimental_http`).
extern "C" {
u32 Z_wasi_experimental_httpZ_req(State* s, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f, u32 g, u32 h,
                                  u32 i, u32 j) {
  return wa::wasi::typed_host_call<req>("req", s, a, b, c, d, e, f, g, h, i, j);
}
u32 Z_wasi_experimental_httpZ_close(State* s, u32 handle) {
  return wa::wasi::typed_host_call<close_handle>("close", s, handle);
}
u32 Z_wasi_experimental_httpZ_header_get(State* s, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f) {
  return wa::wasi::typed_host_call<header_get>("header_get", s, a, b, c, d, e, f);
}
u32 Z_wasi_experimental_httpZ_headers_get_all(State* s, u32 a, u32 b, u32 c, u32 d) {
  return wa::wasi::typed_host_call<headers_get_all>("headers_get_all", s, a, b, c, d);
}
u32 Z_wasi_experimental_httpZ_body_read(State* s, u32 a, u32 b, u32 c, u32 d) {
  return wa::wasi::typed_host_call<body_read>("body_read", s, a, b, c, d);
}
}

namespace wa::capabilities {

void register_experimental_http_module() {
  using runtime::make_host_function;
  runtime::register_host_import_module(runtime::HostImportModule{
      kExperimentalHttpModule,
      {
          make_host_function("req", &Z_wasi_experimental_httpZ_req),
          make_host_function("close", &Z_wasi_experimental_httpZ_close),
          make_host_function("header_get", &Z_wasi_experimental_httpZ_header_get),
          make_host_function("headers_get_all", &Z_wasi_experimental_httpZ_headers_get_all),
          make_host_function("body_read", &Z_wasi_experimental_httpZ_body_read),
      },
      &unbound_state()});
}

}  // namespace wa::capabilities
