// ActionCalls: one invocation's entry point for calls to other actions (chaining,
// `http://<action>.actions.internal/<path>`), bound to the caller, its request id and the
// chain of callers above it.
//
// A chained call runs on the caller's own worker thread, nested in the caller's host
// call (the runtime keeps a stack of call frames), so it needs no free worker: however
// busy the pool, a chain never waits for one and cannot deadlock it. The callee runs under
// min(its own limit, the caller's remaining time); chains deeper than kMaxChainDepth and
// cycles (a callee already in the chain) are refused with chain_refused and an error line
// in the caller's log naming the chain. Each call gets the request id
// `<caller's id>.<n>` and an info line in the callee's log naming its caller.
#pragma once

#include <string>
#include <vector>

#include "capabilities/experimental_http_module.h"
#include "gateway/action_invoker.h"
#include "platform/action.h"

namespace wa::gateway {

inline constexpr int kMaxChainDepth = 8;

class ActionCalls final : public capabilities::ActionCaller {
 public:
  // The root of a chain (an HTTP request), or a callee's (parent: its caller's).
  // `request_id` must outlive this object (the gateway's request, or the caller's frame):
  // every HTTP request builds one, so it holds a view, not a copy.
  ActionCalls(ActionInvoker& invoker, const platform::Action& action, std::string_view request_id,
              const ActionCalls* parent = nullptr);

  Expected<capabilities::ChainedResponse> call_action(
      const capabilities::ChainedRequest& request) override;

  int depth() const { return depth_; }  // 0 for the root

 private:
  // "front → mid → back": the chain from the root to this invocation.
  std::string chain_text(std::string_view next) const;
  bool in_chain(std::string_view name) const;

  ActionInvoker& invoker_;
  const platform::Action& action_;
  std::string_view request_id_;
  const ActionCalls* parent_;
  int depth_;
  int calls_made_ = 0;
};

}  // namespace wa::gateway
