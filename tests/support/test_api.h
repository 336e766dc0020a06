// Helpers shared by the tests that drive a real server: the REST calls (register,
// deploy), calls that wait for a first tier, and a raw HTTP client that shows exactly
// what went over the wire (status line, header block) for responses a normal client
// refuses to parse.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gateway/http_client.h"
#include "gateway/multipart.h"
#include "server_process.h"

namespace wa::testing {

// A fixture with a fresh temporary data dir per test (`temp_prefix` names it) and at most
// one server on it; TearDown stops the server, then removes the dir.
class ServerTest : public ::testing::Test {
 protected:
  explicit ServerTest(std::string temp_prefix) : temp_prefix_(std::move(temp_prefix)) {}
  void SetUp() override { data_ = make_temp_dir(temp_prefix_); }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(data_);
  }
  // Stops the server if one runs, then starts a new one on data_ with `args`.
  ServerProcess& start(std::vector<std::string> args = {}, ProcessOptions options = {}) {
    server_.reset();
    server_ = std::make_unique<ServerProcess>(data_, std::move(args), std::move(options));
    return *server_;
  }

  std::filesystem::path data_;
  std::unique_ptr<ServerProcess> server_;

 private:
  std::string temp_prefix_;
};

// The lines of a guest's answer, without their "\n".
std::vector<std::string> lines_of(const std::string& text);

// The bytes of <guests_dir>/<name>.wasm (throws if missing).
std::string read_guest(const std::string& name);

// The last `bytes` of `file` ("..." first if it was cut; "" if it cannot be read).
std::string file_tail(const std::filesystem::path& file, size_t bytes = 3000);

// An HTTP client for the server's main listener (throws if it cannot be made).
gateway::HttpClient client_for(const ServerProcess& server);
// An HTTP client for `url`, e.g. a dashboard listener (throws if it cannot be made).
gateway::HttpClient client_for(const std::string& url);
// The response, or throws with the connection error.
gateway::ClientResponse must(Expected<gateway::ClientResponse> response);
// The response body parsed as JSON (a discarded value if it is not JSON).
nlohmann::json body_json(const gateway::ClientResponse& response);

using HeaderList = std::vector<std::pair<std::string, std::string>>;
// Sends one request with `headers`, plus "Authorization: Bearer TOKEN" if `token` is not
// empty and "Content-Type: application/json" if `body` is not empty (throws like must).
gateway::ClientResponse send_request(gateway::HttpClient& client, std::string method,
                                     std::string target, const std::string& token = {},
                                     std::string body = {}, HeaderList headers = {});

// Registers `name` (password "correct-horse"); returns the session token ("" and a
// test failure unless 201).
std::string register_user(gateway::HttpClient& client, const std::string& name);
// POST /api/v1/actions (multipart: name, route, module, settings if not empty).
gateway::ClientResponse deploy(gateway::HttpClient& client, const std::string& token,
                               const std::string& name, const std::string& route,
                               const std::string& module,
                               const nlohmann::json& settings = nlohmann::json::object());
// POST /api/v1/actions with exactly these multipart `parts` (for deploys that need their
// own part list or file name).
gateway::ClientResponse deploy_parts(gateway::HttpClient& client, const std::string& token,
                                     const std::vector<gateway::MultipartPart>& parts);
// Deploys like deploy() and fails the test (ASSERT) unless the answer is 201.
void deploy_or_fail(gateway::HttpClient& client, const std::string& token, const std::string& name,
                    const std::string& route, const std::string& module,
                    const nlohmann::json& settings = nlohmann::json::object());
// Deploys the hello guest as `name` at `route` (module part file name "hello.wasm").
gateway::ClientResponse deploy_hello(gateway::HttpClient& client, const std::string& token,
                                     const std::string& name, const std::string& route);
// PUT /api/v1/actions/NAME/module.
gateway::ClientResponse put_module(gateway::HttpClient& client, const std::string& token,
                                   const std::string& name, const std::string& module);
// Calls `target` until it answers 200 (the first tier may still be compiling).
gateway::ClientResponse call_until_ok(gateway::HttpClient& client, const std::string& target,
                                      std::chrono::seconds limit = std::chrono::seconds(60));
// Calls `target` (GET with `headers`) until it answers 200, for at most 60 s.
gateway::ClientResponse call_until_ok_with_headers(gateway::HttpClient& client,
                                                   const std::string& target, HeaderList headers);
// Calls `target` until it answers `status`, for at most 60 s.
gateway::ClientResponse call_until_status(gateway::HttpClient& client, const std::string& target,
                                          unsigned status);
// Calls `target` until it answers something other than 503 "compiling".
gateway::ClientResponse call_until_compiled(gateway::HttpClient& client, const std::string& target,
                                            std::chrono::seconds limit = std::chrono::seconds(60));

// GET /api/v1/actions/NAME: the action object (expects 200; unwraps {"action": ...}).
nlohmann::json action_state(gateway::HttpClient& client, const std::string& token,
                            const std::string& name);
// Polls action_state until its status is no longer "compiling" (at most 5 minutes);
// returns the last state seen, whatever it is.
nlohmann::json wait_while_compiling(gateway::HttpClient& client, const std::string& token,
                                    const std::string& name);
// Polls the action until its status is "ready" or "optimized" (at most 120 s); fails the
// test (ASSERT) if it becomes "failed" or the time runs out.
void wait_until_ready_or_fail(gateway::HttpClient& client, const std::string& token,
                              const std::string& name);
// The body of GET /api/v1/actions/NAME/logs.
std::string action_logs(gateway::HttpClient& client, const std::string& token,
                        const std::string& name);

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
