#include "capabilities/header_lines.h"

#include <algorithm>

namespace wa::capabilities {
namespace {

// RFC 9110 tchar.
bool is_token_char(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

Error bad(size_t line, const std::string& why) {
  return make_error("invalid_argument", "header line " + std::to_string(line) + " " + why);
}

}  // namespace

Expected<HttpHeaders> parse_header_lines(std::string_view text) {
  HttpHeaders headers;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad(number, "has no ':'");
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    if (name.empty()) return bad(number, "has an empty name");
    if (!is_http_token(name)) return bad(number, "has a name that is not an HTTP token");
    if (!is_http_field_value(value)) return bad(number, "has a control character in its value");
    headers.emplace_back(std::string(name), std::string(value));
  }
  return headers;
}

std::string format_header_lines(const HttpHeaders& headers) {
  std::string out;
  for (const auto& [name, value] : headers) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  return out;
}

bool is_http_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return is_token_char(static_cast<unsigned char>(c));
  });
}

bool is_http_field_value(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

}  // namespace wa::capabilities
