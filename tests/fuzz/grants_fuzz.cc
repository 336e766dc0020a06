// Fuzzes the grant parser (capabilities/grants: settings.capabilities from a developer's
// PATCH) and the host-pattern check. Any bytes: never crash; a document that parses must
// print back to JSON that parses to the same grants. The first byte picks the mode.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "capabilities/grants.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "grants invariant violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    auto checked = wa::capabilities::validate_host_pattern(text);
    if (!checked && checked.error().message.empty()) fail("host pattern error without a message");
    return 0;
  }
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;
  auto grants = wa::capabilities::grants_from_json(json);
  if (!grants) {
    if (grants.error().message.empty()) fail("error without a message");
    return 0;
  }
  for (const auto& pattern : grants->allowed_outbound_hosts)
    if (!wa::capabilities::validate_host_pattern(pattern)) fail("accepted a bad host pattern");
  auto again = wa::capabilities::grants_from_json(wa::capabilities::grants_to_json(*grants));
  if (!again) fail("printed grants do not parse");
  if (!(*again == *grants)) fail("printed grants parse to different grants");
  return 0;
}
