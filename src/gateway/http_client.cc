#include "gateway/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <functional>
#include <optional>

namespace wa::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  uint16_t port = 0;
  std::chrono::milliseconds timeout;
  net::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  Expected<bool> connect(std::optional<beast::tcp_stream>& target) {
    beast::error_code ec;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return make_error("connection", "cannot resolve " + host + ": " + ec.message());
    target.emplace(io);
    target->expires_after(timeout);
    target->connect(results, ec);
    if (ec) {
      target.reset();
      return make_error("connection", "cannot connect to " + host + ":" + std::to_string(port) +
                                          ": " + ec.message());
    }
    return true;
  }

  http::request<http::string_body> build(const ClientRequest& request) const {
    http::request<http::string_body> message{http::string_to_verb(request.method), request.target,
                                             11};
    message.set(http::field::host, host + ":" + std::to_string(port));
    message.set(http::field::user_agent, "wasm-actions-cli");
    for (const auto& [name, value] : request.headers) message.set(name, value);
    message.body() = request.body;
    message.prepare_payload();
    message.keep_alive(true);
    return message;
  }

  // One attempt on the current connection. `fresh` says whether it was just opened.
  Expected<ClientResponse> attempt(const http::request<http::string_body>& message, bool& retry) {
    bool fresh = !stream.has_value();
    if (fresh) {
      auto connected = connect(stream);
      if (!connected) return connected.error();
    }
    beast::error_code ec;
    stream->expires_after(timeout);
    http::write(*stream, message, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    if (!ec) http::read(*stream, buffer, parser, ec);
    if (ec) {
      stream.reset();
      buffer.clear();
      // A kept-alive connection the server closed meanwhile: try once on a new one.
      retry = !fresh && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                         ec == net::error::broken_pipe || ec == net::error::eof);
      return make_error("connection", "request to " + host + ":" + std::to_string(port) +
                                          " failed: " + ec.message());
    }
    auto response = parser.release();
    ClientResponse out;
    out.status = response.result_int();
    for (const auto& field : response) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response.body());
    if (!response.keep_alive()) {
      stream.reset();
      buffer.clear();
    }
    return out;
  }
};

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Expected<HttpClient> HttpClient::create(std::string_view server,
                                        std::chrono::milliseconds timeout) {
  std::string_view rest = server;
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  if (rest.substr(0, 8) == "https://") {
    return make_error("invalid_argument", "https is not supported by this client; use http://");
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  auto colon = rest.rfind(':');
  std::string host(rest.substr(0, colon));
  unsigned long port = 80;
  if (colon != std::string_view::npos) {
    try {
      port = std::stoul(std::string(rest.substr(colon + 1)));
    } catch (...) {
      port = 0;
    }
  }
  if (host.empty() || port == 0 || port > 65535) {
    return make_error("invalid_argument", "server must look like http://host:port, got \"" +
                                              std::string(server) + "\"");
  }
  auto impl = std::make_unique<Impl>();
  impl->host = host;
  impl->port = static_cast<uint16_t>(port);
  impl->timeout = timeout;
  return HttpClient(std::move(impl));
}

Expected<ClientResponse> HttpClient::send(const ClientRequest& request) {
  auto message = impl_->build(request);
  bool retry = false;
  auto result = impl_->attempt(message, retry);
  if (!result && retry) result = impl_->attempt(message, retry);
  return result;
}

Expected<ClientResponse> HttpClient::get(std::string target, std::string bearer) {
  ClientRequest request;
  request.target = std::move(target);
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  return send(request);
}

Expected<ClientResponse> HttpClient::post_json(std::string target, std::string json,
                                               std::string bearer) {
  ClientRequest request;
  request.method = "POST";
  request.target = std::move(target);
  request.body = std::move(json);
  request.headers.emplace_back("Content-Type", "application/json");
  if (!bearer.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer);
  return send(request);
}

Expected<std::string> HttpClient::read_event_stream(
    const ClientRequest& request, std::chrono::milliseconds max_wait,
    const std::function<bool(const std::string&)>& stop) {
  std::optional<beast::tcp_stream> stream;
  auto connected = impl_->connect(stream);
  if (!connected) return connected.error();
  auto message = impl_->build(request);
  beast::error_code ec;
  http::write(*stream, message, ec);
  if (ec) return make_error("connection", "cannot send: " + ec.message());
  std::string data;
  auto deadline = std::chrono::steady_clock::now() + max_wait;
  char chunk[4096];
  while (!stop(data) && std::chrono::steady_clock::now() < deadline) {
    stream->expires_at(deadline);
    size_t n = stream->read_some(net::buffer(chunk), ec);
    if (ec) break;
    data.append(chunk, n);
  }
  return data;
}

const std::string& HttpClient::host() const { return impl_->host; }
uint16_t HttpClient::port() const { return impl_->port; }

std::string url_segment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace wa::gateway
