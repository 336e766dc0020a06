#include "test_api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gateway/multipart.h"
#include "support/files.h"

namespace wa::testing {

using gateway::ClientRequest;
using gateway::ClientResponse;
using gateway::HttpClient;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string read_guest(const std::string& name) {
  auto bytes = read_file_bytes(guests_dir() / (name + ".wasm"));
  if (!bytes) throw std::runtime_error("missing guest " + name + ": " + bytes.error().message);
  return std::string(bytes->begin(), bytes->end());
}

std::string file_tail(const std::filesystem::path& file, size_t bytes) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

HttpClient client_for(const ServerProcess& server) {
  auto client = HttpClient::create(server.url());
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(*client);
}

HttpClient client_for(const std::string& url) {
  auto client = HttpClient::create(url);
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(*client);
}

ClientResponse must(Expected<ClientResponse> response) {
  if (!response) throw std::runtime_error(response.error().message);
  return std::move(*response);
}

json body_json(const ClientResponse& response) {
  return json::parse(response.body, nullptr, false);
}

ClientResponse send_request(HttpClient& client, std::string method, std::string target,
                            const std::string& token, std::string body, HeaderList headers) {
  ClientRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  request.headers = std::move(headers);
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return must(client.send(request));
}

std::string register_user(HttpClient& client, const std::string& name) {
  auto response = must(client.post_json(
      "/api/v1/auth/register", json{{"username", name}, {"password", "correct-horse"}}.dump()));
  EXPECT_EQ(response.status, 201u) << response.body;
  return body_json(response).value("token", "");
}

ClientResponse deploy(HttpClient& client, const std::string& token, const std::string& name,
                      const std::string& route, const std::string& module, const json& settings) {
  std::vector<gateway::MultipartPart> parts = {
      {"name", "", "", name},
      {"route", "", "", route},
      {"module", name + ".wasm", "application/wasm", module}};
  if (!settings.empty()) parts.push_back({"settings", "", "application/json", settings.dump()});
  return deploy_parts(client, token, parts);
}

ClientResponse deploy_parts(HttpClient& client, const std::string& token,
                            const std::vector<gateway::MultipartPart>& parts) {
  std::string boundary = gateway::random_multipart_boundary();
  ClientRequest request;
  request.method = "POST";
  request.target = "/api/v1/actions";
  request.body = gateway::encode_multipart(parts, boundary);
  request.headers = {{"Authorization", "Bearer " + token},
                     {"Content-Type", "multipart/form-data; boundary=" + boundary}};
  return must(client.send(request));
}

void deploy_or_fail(HttpClient& client, const std::string& token, const std::string& name,
                    const std::string& route, const std::string& module, const json& settings) {
  auto response = deploy(client, token, name, route, module, settings);
  ASSERT_EQ(response.status, 201u) << response.body;
}

ClientResponse deploy_hello(HttpClient& client, const std::string& token, const std::string& name,
                            const std::string& route) {
  auto bytes = read_file_bytes(guests_dir() / "hello.wasm");
  if (!bytes) throw std::runtime_error(bytes.error().message);
  return deploy_parts(
      client, token,
      {{"name", "", "", name},
       {"route", "", "", route},
       {"module", "hello.wasm", "application/wasm", std::string(bytes->begin(), bytes->end())}});
}

ClientResponse put_module(HttpClient& client, const std::string& token, const std::string& name,
                          const std::string& module) {
  ClientRequest request;
  request.method = "PUT";
  request.target = "/api/v1/actions/" + name + "/module";
  request.body = module;
  request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/wasm"}};
  return must(client.send(request));
}

ClientResponse call_until_ok(HttpClient& client, const std::string& target,
                             std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  ClientResponse last;
  while (Clock::now() < deadline) {
    last = must(client.get(target));
    if (last.status == 200) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return last;
}

ClientResponse call_until_ok_with_headers(HttpClient& client, const std::string& target,
                                          HeaderList headers) {
  auto deadline = Clock::now() + std::chrono::seconds(60);
  ClientResponse last;
  while (Clock::now() < deadline) {
    last = send_request(client, "GET", target, {}, {}, headers);
    if (last.status == 200) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return last;
}

ClientResponse call_until_status(HttpClient& client, const std::string& target, unsigned status) {
  auto deadline = Clock::now() + std::chrono::seconds(60);
  ClientResponse last;
  while (Clock::now() < deadline) {
    last = must(client.get(target));
    if (last.status == status) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return last;
}

ClientResponse call_until_compiled(HttpClient& client, const std::string& target,
                                   std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  ClientResponse last;
  while (Clock::now() < deadline) {
    last = must(client.get(target));
    if (last.status != 503) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return last;
}

json action_state(HttpClient& client, const std::string& token, const std::string& name) {
  auto response = must(client.get("/api/v1/actions/" + name, token));
  EXPECT_EQ(response.status, 200u) << response.body;
  json body = body_json(response);
  return body.contains("action") ? body["action"] : body;
}

json wait_while_compiling(HttpClient& client, const std::string& token, const std::string& name) {
  auto deadline = Clock::now() + std::chrono::minutes(5);
  json state;
  while (Clock::now() < deadline) {
    state = action_state(client, token, name);
    if (state.value("status", "") != "compiling") return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return state;
}

void wait_until_ready_or_fail(HttpClient& client, const std::string& token,
                              const std::string& name) {
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    auto shown = must(client.get("/api/v1/actions/" + name, token));
    auto status = json::parse(shown.body, nullptr, false).value("status", "");
    if (status == "ready" || status == "optimized") return;
    ASSERT_NE(status, "failed") << shown.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL() << name << " did not compile";
}

std::string action_logs(HttpClient& client, const std::string& token, const std::string& name) {
  return must(client.get("/api/v1/actions/" + name + "/logs", token)).body;
}

std::string RawResponse::header(const std::string& name) const {
  size_t pos = 0;
  while (pos < header_block.size()) {
    size_t end = header_block.find("\r\n", pos);
    if (end == std::string::npos) end = header_block.size();
    std::string_view line(header_block.data() + pos, end - pos);
    auto colon = line.find(':');
    if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    pos = end + 2;
  }
  return "";
}

RawResponse raw_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, std::chrono::milliseconds timeout,
                        size_t max_bytes) {
  RawResponse out;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    out.error = std::string("socket: ") + std::strerror(errno);
    return out;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    out.error = std::string("connect: ") + std::strerror(errno);
    close(fd);
    return out;
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Connection: close\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      out.error = std::string("send: ") + std::strerror(errno);
      close(fd);
      return out;
    }
    sent += static_cast<size_t>(n);
  }
  std::string data;
  auto deadline = Clock::now() + timeout;
  char buffer[65536];
  bool eof = false;
  while (data.size() < max_bytes) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = true;
      break;
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  out.bytes = data.size();
  auto line_end = data.find("\r\n");
  auto head_end = data.find("\r\n\r\n");
  if (line_end == std::string::npos || head_end == std::string::npos) {
    out.error = data.empty()
                    ? (eof ? "the server closed the connection without answering"
                           : "no answer within the time limit")
                    : "incomplete response head (" + std::to_string(data.size()) + " bytes)";
    return out;
  }
  out.status_line = data.substr(0, line_end);
  if (out.status_line.size() >= 12 && out.status_line.starts_with("HTTP/1.")) {
    out.status = static_cast<unsigned>(std::atoi(out.status_line.c_str() + 9));
  }
  out.header_block = head_end > line_end ? data.substr(line_end + 2, head_end - line_end - 2) : "";
  out.body = data.substr(head_end + 4);
  if (!eof) out.error = "the response did not end within the time limit or size cap";
  return out;
}

}  // namespace wa::testing
