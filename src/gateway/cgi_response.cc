#include "gateway/cgi_response.h"

#include <algorithm>
#include <boost/algorithm/string/predicate.hpp>
#include <cctype>

namespace wa::gateway {

namespace {

using boost::algorithm::iequals;

// RFC 9110 token characters.
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error invalid(std::string message) {
  return make_error("invalid_cgi_response", std::move(message));
}

std::string quoted(std::string_view line) {
  constexpr size_t kMaxShown = 60;
  std::string shown;
  for (char c : line.substr(0, kMaxShown)) {
    shown += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (line.size() > kMaxShown) shown += "...";
  return "\"" + shown + "\"";
}

// Takes one line off `rest`; `ended` tells whether it had a line terminator.
std::string_view next_line(std::string_view& rest, bool& ended) {
  auto lf = rest.find('\n');
  std::string_view line = rest.substr(0, lf);
  ended = lf != std::string_view::npos;
  rest = ended ? rest.substr(lf + 1) : std::string_view{};
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Status apply_status(std::string_view value, CgiResponse& response) {
  if (value.size() < 3 || !std::all_of(value.begin(), value.begin() + 3, ::isdigit) ||
      (value.size() > 3 && value[3] != ' ' && value[3] != '\t')) {
    return invalid("Status must start with a three-digit code, got " + quoted(value));
  }
  unsigned code = std::stoul(std::string(value.substr(0, 3)));
  if (code < 200 || code > 599) {
    return invalid("Status " + std::to_string(code) + " is outside 200..599");
  }
  response.status = code;
  response.reason = std::string(trim(value.substr(3)));
  return ok_status();
}

bool is_dropped_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection");
}

}  // namespace

Expected<CgiResponse> parse_cgi_response(std::string_view output) {
  if (output.empty()) return invalid("the action wrote nothing to stdout");
  CgiResponse response;
  bool has_status = false;
  bool has_location = false;
  bool saw_header = false;
  std::string_view rest = output;
  while (true) {
    if (rest.empty()) break;  // end of output closes the header block
    bool ended = false;
    std::string_view line = next_line(rest, ended);
    if (line.empty()) {
      if (!saw_header) return invalid("output starts with a blank line: no CGI headers");
      response.body = std::string(rest);
      break;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return invalid("expected a header line \"Name: value\", got " + quoted(line) +
                     (saw_header ? "" : " (did the action forget \"Content-Type: ...\\n\\n\"?)"));
    }
    std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char)) {
      return invalid("invalid header name " + quoted(name));
    }
    std::string_view value = trim(line.substr(colon + 1));
    if (std::any_of(value.begin(), value.end(), [](char c) {
          return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
        })) {
      return invalid("control character in the value of header " + quoted(name));
    }
    saw_header = true;
    if (iequals(name, "Status")) {
      if (has_status) return invalid("more than one Status header");
      if (auto status = apply_status(value, response); !status) return status.error();
      has_status = true;
      continue;
    }
    if (iequals(name, "Location")) {
      if (value.empty()) return invalid("empty Location header");
      has_location = true;
    }
    if (is_dropped_header(name)) continue;
    response.headers.emplace_back(std::string(name), std::string(value));
  }
  if (!saw_header) return invalid("no CGI headers in the output");
  if (has_location && !has_status) response.status = 302;
  return response;
}

}  // namespace wa::gateway
