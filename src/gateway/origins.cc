#include "gateway/origins.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cctype>

#include "gateway/cgi_request.h"
#include "gateway/json_response.h"

namespace wa::gateway {

namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The host part of a Host header, if it is a plain name, an IPv4 address or a bracketed
// IPv6 address; anything else (empty, odd characters) is not used to build a URL.
std::optional<std::string> host_name(std::string_view host_header) {
  std::string_view host = host_header;
  if (host.starts_with('[')) {
    auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view inside = host.substr(1, close - 1);
    if (inside.empty() || !std::all_of(inside.begin(), inside.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
        })) {
      return std::nullopt;
    }
    return lowercase(host.substr(0, close + 1));
  }
  host = host.substr(0, host.find(':'));
  if (host.empty() || host.size() > 253 || !std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
      })) {
    return std::nullopt;
  }
  return lowercase(host);
}

// The host of `listen` ("127.0.0.1:8080" → "127.0.0.1"), for requests without a usable
// Host header; the unspecified address is no place to send a browser.
std::string listen_host(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::") return "localhost";
  if (host.find(':') != std::string::npos && !host.starts_with('[')) host = "[" + host + "]";
  return host;
}

std::string origin_for(const std::string& configured, const ServerConfig& config,
                       const HttpRequest& request, uint16_t port) {
  if (!configured.empty()) {
    if (auto origin = origin_of_url(configured, "")) return *origin;
  }
  auto host = host_name(std::string_view(request[http::field::host]));
  return "http://" + host.value_or(listen_host(config.listen)) + ":" + std::to_string(port);
}

bool is_dashboard_path(std::string_view path) {
  auto under = [&](std::string_view prefix) {
    return path == prefix ||
           (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/');
  };
  return path == "/" || under("/dashboard") || under("/static");
}

// Header names a preflight may ask for: tokens only (no CR/LF, no separators).
std::string sanitized_header_list(std::string_view requested) {
  std::string out;
  for (char c : requested) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ',' ||
        c == ' ') {
      out += c;
    }
  }
  return out;
}

}  // namespace

Expected<std::string> origin_of_url(std::string_view url, std::string_view setting) {
  std::string text = lowercase(url);
  while (text.ends_with('/')) text.pop_back();
  auto scheme_end = text.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : text.substr(0, scheme_end);
  std::string authority = scheme_end == std::string::npos ? "" : text.substr(scheme_end + 3);
  if ((scheme != "http" && scheme != "https") || authority.empty() ||
      authority.find_first_of("/?#@ ") != std::string::npos) {
    return make_error("config", std::string(setting) +
                                    " must be an origin like "
                                    "https://dash.example.com (scheme, host, optional port), "
                                    "not \"" +
                                    std::string(url) + "\"");
  }
  return scheme + "://" + authority;
}

std::string dashboard_origin(const ServerConfig& config, const HttpRequest& request) {
  return origin_for(config.dashboard_url, config, request, config.bound_dashboard_port);
}

std::string actions_origin(const ServerConfig& config, const HttpRequest& request) {
  return origin_for(config.actions_url, config, request, config.bound_port);
}

bool addressed_to_dashboard(const ServerConfig& config, const HttpRequest& request) {
  if (config.dashboard_url.empty()) return false;
  auto origin = origin_of_url(config.dashboard_url, "");
  if (!origin) return false;
  std::string authority = origin->substr(origin->find("://") + 3);
  std::string host = lowercase(std::string_view(request[http::field::host]));
  if (host == authority) return true;
  // "https://dash.example.com" is reached with "Host: dash.example.com:443" by some clients.
  auto default_port = origin->starts_with("https:") ? ":443" : ":80";
  return host == authority + default_port;
}

ActionsOriginHandler::ActionsOriginHandler(platform::Platform& platform, const ServerConfig& config,
                                           HttpHandler& inner, HttpHandler* dashboard)
    : platform_(platform), config_(config), inner_(inner), dashboard_(dashboard) {}

uint64_t ActionsOriginHandler::body_limit(const http::request_header<>& header) const {
  return inner_.body_limit(header);
}

HttpResponse ActionsOriginHandler::error_response(unsigned status, std::string_view kind,
                                                  std::string_view message) const {
  return inner_.error_response(status, kind, message);
}

void ActionsOriginHandler::handle(HttpRequest request, const RequestInfo& info, Responder respond) {
  if (dashboard_ && addressed_to_dashboard(config_, request)) {
    return dashboard_->handle(std::move(request), info, std::move(respond));
  }
  std::string_view target(request.target().data(), request.target().size());
  std::string path(split_target(target).first);
  const bool is_api = path == "/api/v1" || path.starts_with("/api/v1/");
  const bool read = request.method() == http::verb::get || request.method() == http::verb::head;

  // The dashboard moved to its own origin; "/" and old dashboard links lead there.
  if (read && is_dashboard_path(path) && !platform_.match(path)) {
    HttpResponse moved{http::status::found, 11};
    moved.set(http::field::location, dashboard_origin(config_, request) + std::string(target));
    moved.set(http::field::cache_control, "no-store");
    moved.set(http::field::content_type, "text/plain; charset=utf-8");
    moved.body() = "The dashboard is at " + dashboard_origin(config_, request) + "/\n";
    return respond(std::move(moved));
  }

  // The dashboard's request tester calls actions from the dashboard origin. Action
  // responses carry no credentials (there are no cookies), so letting that one origin
  // read them reveals nothing curl could not fetch. The API is not opened this way.
  std::string origin(request[http::field::origin]);
  if (is_api || origin.empty() || origin != dashboard_origin(config_, request)) {
    return inner_.handle(std::move(request), info, std::move(respond));
  }
  if (request.method() == http::verb::options &&
      !request[http::field::access_control_request_method].empty()) {
    HttpResponse preflight{http::status::no_content, 11};
    preflight.set(http::field::access_control_allow_origin, origin);
    preflight.set(http::field::access_control_allow_methods,
                  "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    auto asked = sanitized_header_list(request[http::field::access_control_request_headers]);
    if (!asked.empty()) preflight.set(http::field::access_control_allow_headers, asked);
    preflight.set(http::field::access_control_max_age, "600");
    preflight.set(http::field::vary, "Origin");
    return respond(std::move(preflight));
  }
  inner_.handle(std::move(request), info, [origin, respond](HandlerResult result) {
    if (auto* response = std::get_if<HttpResponse>(&result)) {
      response->set(http::field::access_control_allow_origin, origin);
      response->set(http::field::access_control_expose_headers, "*");
      response->set(http::field::vary, "Origin");
    }
    respond(std::move(result));
  });
}

}  // namespace wa::gateway
