// Helpers shared by the tests that drive a real server: the REST calls (register,
// deploy), calls that wait for a first tier, and a raw HTTP client that shows exactly
// what went over the wire (status line, header block) for responses a normal client
// refuses to parse.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/http_client.h"
#include "server_process.h"

namespace wa::testing {

// The bytes of <guests_dir>/<name>.wasm (throws if missing).
std::string read_guest(const std::string& name);

gateway::HttpClient client_for(const ServerProcess& server);
// The response, or throws with the connection error.
gateway::ClientResponse must(Expected<gateway::ClientResponse> response);
nlohmann::json body_json(const gateway::ClientResponse& response);

// Registers `name` (password "correct-horse"); returns the session token ("" and a
// test failure unless 201).
std::string register_user(gateway::HttpClient& client, const std::string& name);
// POST /api/v1/actions (multipart: name, route, module, settings if not empty).
gateway::ClientResponse deploy(gateway::HttpClient& client, const std::string& token,
                               const std::string& name, const std::string& route,
                               const std::string& module,
                               const nlohmann::json& settings = nlohmann::json::object());
// PUT /api/v1/actions/NAME/module.
gateway::ClientResponse put_module(gateway::HttpClient& client, const std::string& token,
                                   const std::string& name, const std::string& module);
// Calls `target` until it answers 200 (the first tier may still be compiling).
gateway::ClientResponse call_until_ok(gateway::HttpClient& client, const std::string& target,
                                      std::chrono::seconds limit = std::chrono::seconds(60));
// Calls `target` until it answers something other than 503 "compiling".
gateway::ClientResponse call_until_compiled(gateway::HttpClient& client, const std::string& target,
                                            std::chrono::seconds limit = std::chrono::seconds(60));

// One HTTP exchange on its own connection (Connection: close), read to EOF.
struct RawResponse {
  std::string error;  // set when no complete response arrived (and why)
  unsigned status = 0;
  std::string status_line;   // "HTTP/1.1 200 OK", without CRLF
  std::string header_block;  // the header lines after the status line, CRLF-separated
  std::string body;          // everything after the blank line (as framed on the wire)
  size_t bytes = 0;          // total received

  bool ok() const { return error.empty(); }
  // The value of the first header called `name` (case-insensitive), or "".
  std::string header(const std::string& name) const;
};
// Sends `method target` with `body` to 127.0.0.1:port; reads at most `max_bytes`.
RawResponse raw_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        std::chrono::milliseconds timeout = std::chrono::seconds(60),
                        size_t max_bytes = 64u << 20);

}  // namespace wa::testing
