// Maps the end of a guest call (exit, trap, output) to the HTTP response the client
// gets, and to an outcome tag plus a note for the action's log.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "gateway/cgi_request.h"
#include "runtime/call.h"

namespace wa::gateway {

// Stable outcome tags used in logs and metrics.
enum class CallOutcome {
  kOk,                // valid CGI response (any status the guest chose)
  kTimeout,           // 504
  kTrap,              // 500
  kExitError,         // exit code != 0 and no valid headers: 500
  kInvalidResponse,   // stdout is not CGI: 502
  kResponseTooLarge,  // stdout over the limit: 502
  kHostError,         // the platform could not run the guest: 500
};

std::string_view call_outcome_name(CallOutcome outcome);

struct GuestReply {
  unsigned status = 200;
  std::string reason;
  HeaderList headers;
  std::string body;
  CallOutcome outcome = CallOutcome::kOk;
  std::string log_note;  // why the guest failed, for the action's log; empty if ok
};

struct ReplyLimits {
  uint64_t max_response_bytes = 16u << 20;
  std::chrono::milliseconds timeout{5000};  // only for the 504 message
};

// Total: every call result maps to a reply (a bad one to a 5xx with a log note). Takes
// the result by value so a large stdout becomes the body without a copy.
GuestReply reply_from_call(runtime::CallResult result, const ReplyLimits& limits);

// A plain-text error reply (the guest failed, or never ran).
GuestReply error_reply(unsigned status, CallOutcome outcome, std::string message);

}  // namespace wa::gateway
