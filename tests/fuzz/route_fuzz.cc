// Fuzzes route parsing (platform/route). A route that parses must print back to a text
// that parses to the same route, stay within the documented syntax, and never sit on a
// reserved path; is_reserved_path must accept any bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "platform/route.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "route invariant violated: %s (input %zu bytes)\n", what, input.size());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)wa::platform::is_reserved_path(text);
  auto route = wa::platform::parse_route(text);
  if (!route) {
    if (route.error().message.empty()) fail("error without a message", text);
    return 0;
  }
  const auto& path = route->path;
  if (path.empty() || path.front() != '/') fail("path does not start with '/'", text);
  if (path.size() > 1 && path.back() == '/') fail("trailing '/'", text);
  if (path.find("//") != std::string::npos) fail("empty segment", text);
  if (path.find('\0') != std::string::npos || path.find('?') != std::string::npos ||
      path.find('#') != std::string::npos || path.find('*') != std::string::npos) {
    fail("character outside the route alphabet", text);
  }
  if (wa::platform::is_reserved_path(path)) fail("a reserved path was accepted", text);
  auto again = wa::platform::parse_route(route->text());
  if (!again) fail("text() of a parsed route does not parse", text);
  if (!(*again == *route)) fail("text() does not round-trip", text);
  return 0;
}
