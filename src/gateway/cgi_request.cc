#include "gateway/cgi_request.h"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <cctype>
#include <map>

namespace wa::gateway {

namespace {

using boost::algorithm::iequals;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "/api/..." → "/api"; an exact route is its own prefix.
std::string_view route_prefix(std::string_view route) {
  constexpr std::string_view kWildcard = "/...";
  if (route.size() >= kWildcard.size() &&
      route.substr(route.size() - kWildcard.size()) == kWildcard) {
    return route.substr(0, route.size() - kWildcard.size());
  }
  return route;
}

std::string header_value(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

std::string full_url(const CgiRequest& request) {
  std::string url = request.scheme + "://" + request.server_name;
  bool default_port = (request.scheme == "http" && request.server_port == 80) ||
                      (request.scheme == "https" && request.server_port == 443);
  if (!default_port && request.server_port != 0) {
    url += ":" + std::to_string(request.server_port);
  }
  return url + request.target;
}

}  // namespace

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string decode_query_component(std::string_view text) {
  return percent_decode(text, /*plus_is_space=*/true);
}

std::vector<std::string> query_arguments(std::string_view query) {
  std::vector<std::string> args;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      args.push_back(decode_query_component(item));
    } else {
      args.push_back(decode_query_component(item.substr(0, eq)) + "=" +
                     decode_query_component(item.substr(eq + 1)));
    }
  }
  return args;
}

std::string cgi_header_variable(std::string_view header_name) {
  if (header_name.empty() || iequals(header_name, "Content-Type") ||
      iequals(header_name, "Content-Length")) {
    return {};
  }
  std::string name = "HTTP_";
  for (char c : header_name) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      name += static_cast<char>(std::toupper(u));
    } else if (c == '-') {
      name += '_';
    } else {
      return {};
    }
  }
  return name;
}

CgiInvocation build_cgi_invocation(
    const CgiRequest& request, const std::vector<std::pair<std::string, std::string>>& action_env) {
  auto [path, query] = split_target(request.target);
  std::string_view script_name = route_prefix(request.matched_route);
  std::string_view path_info = path.substr(0, script_name.size()) == script_name
                                   ? path.substr(script_name.size())
                                   : std::string_view{};
  // RFC 3875: PATH_INFO is not URL-encoded.
  std::string path_info_decoded = percent_decode(path_info, /*plus_is_space=*/false);

  CgiInvocation call;
  call.args.emplace_back(script_name);
  for (auto& arg : query_arguments(query)) call.args.push_back(std::move(arg));

  // Ordered map: deterministic env order, and later writers cannot override CGI names.
  std::map<std::string, std::string> env;
  auto set = [&](std::string name, std::string value) {
    env.emplace(std::move(name), std::move(value));
  };
  set("GATEWAY_INTERFACE", "CGI/1.1");
  set("SERVER_SOFTWARE", std::string(kServerSoftware));
  set("SERVER_PROTOCOL", request.protocol);
  set("SERVER_NAME", request.server_name);
  set("SERVER_PORT", std::to_string(request.server_port));
  set("REQUEST_METHOD", request.method);
  set("QUERY_STRING", std::string(query));
  set("SCRIPT_NAME", std::string(script_name));
  set("PATH_INFO", path_info_decoded);
  // No filesystem mapping exists for an action's path: WAGI reports PATH_INFO again.
  set("PATH_TRANSLATED", path_info_decoded);
  set("REMOTE_ADDR", request.remote_addr);
  // No reverse DNS lookups on the request path: RFC 3875 allows REMOTE_ADDR here.
  set("REMOTE_HOST", request.remote_addr);
  set("CONTENT_TYPE", header_value(request.headers, "Content-Type"));
  set("CONTENT_LENGTH", request.body_size > 0 ? std::to_string(request.body_size) : "");
  // Action routes are public; the platform authenticates no one on them.
  set("AUTH_TYPE", "");
  set("REMOTE_USER", "");
  set("X_MATCHED_ROUTE", request.matched_route);
  set("X_FULL_URL", full_url(request));

  // Repeated headers are joined with ", " as HTTP allows.
  std::map<std::string, std::string> http_vars;
  for (const auto& [name, value] : request.headers) {
    std::string var = cgi_header_variable(name);
    if (var.empty()) continue;
    auto [it, inserted] = http_vars.emplace(var, value);
    if (!inserted) it->second += ", " + value;
  }
  for (auto& [name, value] : http_vars) set(name, std::move(value));
  for (const auto& [name, value] : action_env) set(name, value);

  call.env.assign(env.begin(), env.end());
  return call;
}

}  // namespace wa::gateway
