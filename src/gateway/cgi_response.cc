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
  std::string_view reason = trim(value.substr(3));
  if (reason.size() > kMaxCgiReasonBytes) {
    return invalid("the Status reason phrase is " + std::to_string(reason.size()) +
                   " bytes; the limit is " + std::to_string(kMaxCgiReasonBytes));
  }
  response.status = code;
  response.reason = std::string(reason);
  return ok_status();
}

bool is_dropped_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection");
}

// RFC 9110 section 6.4.1: these statuses never carry content.
bool status_forbids_body(unsigned status) { return status == 204 || status == 304; }

// Parses the header block into `response`; returns where the body starts in `output`.
Expected<size_t> parse_header_block(std::string_view output, CgiResponse& response) {
  if (output.empty()) return invalid("the action wrote nothing to stdout");
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
      break;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return invalid("expected a header line \"Name: value\", got " + quoted(line) +
                     (saw_header ? "" : " (did the action forget \"Content-Type: ...\\n\\n\"?)"));
    }
    std::string_view name = line.substr(0, colon);
    if (name.size() > kMaxCgiHeaderNameBytes) {
      return invalid("a header name of " + std::to_string(name.size()) +
                     " bytes exceeds the limit of " + std::to_string(kMaxCgiHeaderNameBytes));
    }
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
    if (value.size() > kMaxCgiHeaderValueBytes) {
      return invalid("the value of header " + quoted(name) + " is " + std::to_string(value.size()) +
                     " bytes; the limit is " + std::to_string(kMaxCgiHeaderValueBytes));
    }
    if (output.size() - rest.size() > kMaxCgiHeaderBlockBytes) {
      return invalid("the header block exceeds " + std::to_string(kMaxCgiHeaderBlockBytes) +
                     " bytes");
    }
    if (iequals(name, "Location")) {
      if (value.empty()) return invalid("empty Location header");
      has_location = true;
    }
    if (is_dropped_header(name)) continue;
    if (response.headers.size() >= kMaxCgiHeaderCount) {
      return invalid("more than " + std::to_string(kMaxCgiHeaderCount) + " headers");
    }
    response.headers.emplace_back(std::string(name), std::string(value));
  }
  if (!saw_header) return invalid("no CGI headers in the output");
  if (has_location && !has_status) response.status = 302;
  return output.size() - rest.size();  // where the body starts
}

}  // namespace

Expected<CgiResponse> parse_cgi_response(std::string_view output) {
  CgiResponse response;
  auto body_start = parse_header_block(output, response);
  if (!body_start) return body_start.error();
  std::string_view body = output.substr(std::min(*body_start, output.size()));
  if (status_forbids_body(response.status)) {
    response.dropped_body_bytes = body.size();
  } else {
    response.body = std::string(body);
  }
  return response;
}

Expected<CgiResponse> parse_cgi_response_in_place(std::string&& output) {
  CgiResponse response;
  auto body_start = parse_header_block(output, response);
  if (!body_start) return body_start.error();
  output.erase(0, std::min(*body_start, output.size()));
  if (status_forbids_body(response.status)) {
    response.dropped_body_bytes = output.size();
  } else {
    response.body = std::move(output);
  }
  return response;
}

}  // namespace wa::gateway
