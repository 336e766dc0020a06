// Fuzzes the CGI response parser (gateway/cgi_response) with arbitrary guest stdout.
// Beyond "does not crash", it checks what the gateway relies on when it copies the
// parsed response into an HTTP reply: a status in 200..599, header names that are
// tokens, no CR/LF/NUL anywhere in a header, and no framing headers from the guest.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "gateway/cgi_response.h"

namespace {

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f ||
        std::string_view("\"(),/:;<=>?@[\\]{}").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "cgi_response invariant violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view output(reinterpret_cast<const char*>(data), size);
  auto parsed = wa::gateway::parse_cgi_response(output);
  if (!parsed) {
    if (parsed.error().kind.empty() || parsed.error().message.empty())
      fail("error without a message");
    return 0;
  }
  if (parsed->status < 200 || parsed->status > 599) fail("status outside 200..599");
  if (has_line_break(parsed->reason)) fail("line break in the reason phrase");
  if (parsed->body.size() > output.size()) fail("body longer than the output");
  for (const auto& [name, value] : parsed->headers) {
    if (!is_token(name)) fail("header name is not a token");
    if (has_line_break(value)) fail("line break or NUL in a header value");
    if (iequals(name, "Status") || iequals(name, "Content-Length") ||
        iequals(name, "Transfer-Encoding") || iequals(name, "Connection")) {
      fail("a header the parser must consume or drop was passed through");
    }
  }
  return 0;
}
