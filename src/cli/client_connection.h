// What the client commands share: the server and token they talk to, and the helpers
// that send an API call and turn a failed answer into an error message and exit code 1.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/http_client.h"
#include "support/expected.h"

namespace wa::cli {

struct Connection {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
};

// Prints "error: <message>" and ends the command with exit code 1.
[[noreturn]] void fail(const std::string& message);
// The body of an answer with one of the `ok` statuses; otherwise prints the server's
// error message and fails.
std::string expect_body(const Expected<gateway::ClientResponse>& response,
                        std::initializer_list<unsigned> ok);
// The same, parsed as JSON (fails if it is not).
nlohmann::json expect_json(const Expected<gateway::ClientResponse>& response,
                           std::initializer_list<unsigned> ok);
// One call to /api/v1<target> with the stored or given token.
Expected<gateway::ClientResponse> api(const Connection& conn, std::string method,
                                      std::string target, std::string body = {},
                                      std::string content_type = {});
using gateway::url_segment;
void print_json(const nlohmann::json& value);

}  // namespace wa::cli
