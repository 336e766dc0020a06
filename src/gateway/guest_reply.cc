#include "gateway/guest_reply.h"

#include "gateway/cgi_response.h"

namespace wa::gateway {

using runtime::TrapKind;

std::string_view call_outcome_name(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kOk:
      return "ok";
    case CallOutcome::kTimeout:
      return "timeout";
    case CallOutcome::kTrap:
      return "trap";
    case CallOutcome::kExitError:
      return "exit_error";
    case CallOutcome::kInvalidResponse:
      return "invalid_response";
    case CallOutcome::kResponseTooLarge:
      return "response_too_large";
    case CallOutcome::kHostError:
      return "host_error";
  }
  return "unknown";
}

GuestReply error_reply(unsigned status, CallOutcome outcome, std::string message) {
  GuestReply reply;
  reply.status = status;
  reply.outcome = outcome;
  reply.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  reply.body = message + "\n";
  reply.log_note = std::move(message);
  return reply;
}

GuestReply reply_from_call(runtime::CallResult result, const ReplyLimits& limits) {
  switch (result.trap) {
    case TrapKind::kNone:
      break;
    case TrapKind::kTimeout:
      return error_reply(
          504, CallOutcome::kTimeout,
          "the action did not finish within " + std::to_string(limits.timeout.count()) + " ms");
    case TrapKind::kOutputLimit:
      return error_reply(502, CallOutcome::kResponseTooLarge,
                         "the action's output exceeded the response size limit");
    case TrapKind::kHostError:
      return error_reply(500, CallOutcome::kHostError,
                         "the action could not be run: " + result.message);
    default:
      return error_reply(
          500, CallOutcome::kTrap,
          "the action trapped: " +
              (result.message.empty() ? std::string("runtime error") : result.message));
  }
  if (result.stdout_data.size() > limits.max_response_bytes) {
    return error_reply(502, CallOutcome::kResponseTooLarge,
                       "the action's response (" + std::to_string(result.stdout_data.size()) +
                           " bytes) exceeds the limit of " +
                           std::to_string(limits.max_response_bytes) + " bytes");
  }
  auto parsed = parse_cgi_response_in_place(std::move(result.stdout_data));
  if (!parsed) {
    if (result.exit_code != 0) {
      return error_reply(500, CallOutcome::kExitError,
                         "the action exited with code " + std::to_string(result.exit_code) +
                             " without a response");
    }
    return error_reply(
        502, CallOutcome::kInvalidResponse,
        "the action's output is not a valid CGI response: " + parsed.error().message);
  }
  GuestReply reply;
  reply.status = parsed->status;
  reply.reason = std::move(parsed->reason);
  reply.headers = std::move(parsed->headers);
  reply.body = std::move(parsed->body);
  if (result.exit_code != 0) {
    // The guest answered, then failed: the answer stands, the log says why.
    reply.log_note = "the action exited with code " + std::to_string(result.exit_code);
  }
  if (parsed->dropped_body_bytes > 0) {
    if (!reply.log_note.empty()) reply.log_note += "; ";
    reply.log_note += "Status " + std::to_string(reply.status) +
                      " cannot carry a body: " + std::to_string(parsed->dropped_body_bytes) +
                      " bytes dropped";
  }
  return reply;
}

}  // namespace wa::gateway
