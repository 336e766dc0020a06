#include "gateway/action_calls.h"

#include <boost/algorithm/string/case_conv.hpp>
#include <chrono>
#include <cstdio>

#include "gateway/json_response.h"

namespace wa::gateway {

namespace {

std::string milliseconds_text(std::chrono::steady_clock::duration elapsed) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms",
                std::chrono::duration<double, std::milli>(elapsed).count());
  return buffer;
}

}  // namespace

ActionCalls::ActionCalls(ActionInvoker& invoker, const platform::Action& action,
                         std::string_view request_id, const ActionCalls* parent)
    : invoker_(invoker),
      action_(action),
      request_id_(request_id),
      parent_(parent),
      depth_(parent ? parent->depth_ + 1 : 0) {}

std::string ActionCalls::chain_text(std::string_view next) const {
  std::vector<std::string_view> names;
  for (const ActionCalls* at = this; at; at = at->parent_) names.push_back(at->action_.name);
  std::string text;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    text += *it;
    text += " → ";
  }
  text += next;
  return text;
}

bool ActionCalls::in_chain(std::string_view name) const {
  for (const ActionCalls* at = this; at; at = at->parent_)
    if (at->action_.name == name) return true;
  return false;
}

Expected<capabilities::ChainedResponse> ActionCalls::call_action(
    const capabilities::ChainedRequest& request) {
  platform::Platform& platform = invoker_.platform();
  auto refuse = [&](const std::string& why) -> Error {
    platform.record_error(action_, request_id_, "chain_refused", why, false);
    return make_error("chain_refused", why);
  };
  if (depth_ + 1 > kMaxChainDepth) {
    return refuse("chained call refused: deeper than " + std::to_string(kMaxChainDepth) +
                  " calls (" + chain_text(request.action) + ")");
  }
  if (in_chain(request.action)) {
    return refuse("chained call refused: a cycle (" + chain_text(request.action) + ")");
  }
  std::shared_ptr<const platform::Action> callee =
      platform.find_action(action_.owner_id, request.action);
  if (!callee) {
    return make_error("not_found", "call to action \"" + request.action +
                                       "\" refused: you have no action of that name");
  }

  // The callee sees the request as if it came over HTTP to its route + `path`.
  CgiRequest cgi;
  cgi.method = request.method;
  cgi.target = callee->route.path + request.path_and_query;
  cgi.headers = request.headers;
  cgi.body_size = request.body.size();
  cgi.remote_addr = "127.0.0.1";  // in process: the caller is this server
  cgi.server_name = callee->name + ".actions.internal";
  cgi.server_port = 80;
  cgi.matched_route = callee->route.text();

  std::string child_id = std::string(request_id_) + "." + std::to_string(++calls_made_);
  ActionCalls child(invoker_, *callee, child_id, this);
  const auto started = std::chrono::steady_clock::now();
  ActionInvoker::Invocation invocation =
      invoker_.run(*callee, cgi, std::string(request.body), child_id, &child);
  const auto elapsed = std::chrono::steady_clock::now() - started;

  capabilities::ChainedResponse response;
  std::string outcome;
  if (invocation.error) {
    // Like over HTTP: the callee could not run, the caller gets the status for it.
    response.status = status_for_error_kind(invocation.error->kind);
    response.headers = {{"content-type", "text/plain; charset=utf-8"}};
    response.body = invocation.error->message + "\n";
    outcome = invocation.error->kind;
  } else {
    GuestReply& reply = invocation.reply;
    response.status = reply.status;
    for (auto& [name, value] : reply.headers)
      response.headers.emplace_back(boost::algorithm::to_lower_copy(name), std::move(value));
    response.body = std::move(reply.body);
    outcome = std::string(call_outcome_name(reply.outcome));
  }
  platform.record_chained_call(
      *callee, child_id, outcome,
      "called by \"" + action_.name + "\" (request " + std::string(request_id_) +
          "): " + std::to_string(response.status) + " in " + milliseconds_text(elapsed));
  return response;
}

}  // namespace wa::gateway
