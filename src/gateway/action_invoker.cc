#include "gateway/action_invoker.h"

#include "gateway/json_response.h"

namespace wa::gateway {

namespace {

// Guest stderr kept per call. It only feeds the action's log (which keeps far less), so
// past this it is cut, never turned into a failed reply.
constexpr uint64_t kMaxStderrBytes = 1u << 20;

std::string metrics_kind(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kInvalidResponse:
      return "bad_gateway";
    default:
      return std::string(call_outcome_name(outcome));
  }
}

}  // namespace

ActionInvoker::Invocation ActionInvoker::run(const platform::Action& action, const CgiRequest& cgi,
                                             const std::string& body, const std::string& request_id,
                                             capabilities::ActionCaller* calls) {
  // The platform adds the action's own env vars (CGI names win there too).
  CgiInvocation invocation = build_cgi_invocation(cgi, {});
  runtime::CallOptions options;
  options.wasi.args = std::move(invocation.args);
  options.wasi.env = std::move(invocation.env);
  options.wasi.stdin_data = body;
  options.wasi.stdout_config.limit_bytes = config_.max_response_bytes;
  options.wasi.stderr_config.limit_bytes = kMaxStderrBytes;
  options.wasi.stderr_config.trap_on_limit = false;

  Invocation result;
  // Only room handlers reach their rooms: other requests skip the hub's lock.
  const bool rooms = hub_ && action.settings.capabilities.rooms;
  auto invoked = platform_.invoke(action, std::move(options), request_id, calls,
                                  rooms ? &hub_->directory(action.id) : nullptr);
  if (!invoked) {
    platform_.record_error(action, request_id, invoked.error().kind, invoked.error().message, true);
    result.error = invoked.error();
    return result;
  }
  result.version_number = invoked->version_number;
  if (hub_ && !invoked->room_events.empty()) hub_->deliver(action.id, invoked->room_events);
  ReplyLimits limits;
  limits.max_response_bytes = config_.max_response_bytes;
  limits.timeout = action.settings.timeout;
  // Timeouts and traps are already recorded by the platform; what only the gateway
  // can judge (bad CGI output, exit codes, size) is recorded here.
  bool platform_saw_it = invoked->call.trapped();
  result.reply = reply_from_call(std::move(invoked->call), limits);
  if (halting_ && result.reply.outcome == CallOutcome::kTimeout) {
    // Halted by the shutdown, not by its own limit.
    result.reply = error_reply(503, CallOutcome::kTimeout,
                               "the server is shutting down: the action was halted");
  }
  if (!result.reply.log_note.empty() && !platform_saw_it) {
    platform_.record_error(action, request_id, metrics_kind(result.reply.outcome),
                           result.reply.log_note, false);
  }
  return result;
}

}  // namespace wa::gateway
