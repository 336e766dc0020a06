// Calls between actions (chaining): what a guest's `http://<action>.actions.internal/<path>`
// request becomes, and the entry point the platform provides to run it. No runtime here,
// so the URL parser is fuzzed on its own (tests/fuzz/outbound_fuzz.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "capabilities/outbound_client.h"
#include "support/expected.h"

namespace wa::capabilities {

// A call to another action (chaining), as the callee will see it.
struct ChainedRequest {
  std::string action;  // the callee's name, as stored
  std::string method;
  std::string path_and_query;  // "/x/y?z=1" ("/" at least): PATH_INFO and QUERY_STRING
  HttpHeaders headers;
  std::string_view body;
};

struct ChainedResponse {
  unsigned status = 200;
  HttpHeaders headers;  // names lowercase
  std::string body;
};

// Runs a chained call for the current invocation (the platform knows the caller, its
// owner, its request id and the chain so far). Errors: not_found (no such action of the
// owner: the module answers destination_not_allowed, like a missing grant, so a guest
// cannot probe for names), chain_refused (depth or cycle: runtime_error), anything else:
// request_error. A callee that fails still answers (a 5xx response), like over HTTP.
class ActionCaller {
 public:
  virtual ~ActionCaller() = default;
  virtual Expected<ChainedResponse> call_action(const ChainedRequest& request) = 0;
};

// `http(s)://<action>.actions.internal[:80|:443]/<path>`: the callee's name and
// "/<path>[?query]". nullopt when the host is not under actions.internal; invalid_url when
// it is but the rest is malformed (no name, a name outside [A-Za-z0-9_.-]{1,64}, userinfo,
// another port, a fragment-only or non-origin path).
Expected<std::optional<ChainedRequest>> parse_chain_url(std::string_view url);

}  // namespace wa::capabilities
