#include "platform/scopes.h"

#include <array>
#include <utility>

#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

constexpr std::array<std::pair<std::string_view, Scopes>, 5> kNames = {{
    {"read", scope::kRead},
    {"deploy", scope::kDeploy},
    {"kv", scope::kKv},
    {"events", scope::kEvents},
    {"admin", scope::kAdmin},
}};

Expected<Scopes> scope_named(std::string_view name) {
  for (const auto& [text, bit] : kNames) {
    if (text == name) return bit;
  }
  return make_error(
      std::string(error_kind::kInvalidArgument),
      "unknown scope \"" + std::string(name) + "\" (scopes: read, deploy, kv, events, admin)");
}

}  // namespace

std::vector<std::string> scopes_to_list(Scopes scopes) {
  std::vector<std::string> out;
  for (const auto& [text, bit] : kNames) {
    if (scopes & bit) out.emplace_back(text);
  }
  return out;
}

std::string scopes_to_text(Scopes scopes) {
  std::string out;
  for (const auto& name : scopes_to_list(scopes)) {
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

Expected<Scopes> parse_scopes(std::string_view text) {
  Scopes scopes = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(" ,", start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) {
      auto bit = scope_named(text.substr(start, end - start));
      if (!bit) return bit.error();
      scopes |= *bit;
    }
    start = end + 1;
  }
  return scopes;
}

Expected<Scopes> parse_scopes(const std::vector<std::string>& names) {
  Scopes scopes = 0;
  for (const auto& name : names) {
    auto bit = scope_named(name);
    if (!bit) return bit.error();
    scopes |= *bit;
  }
  return scopes;
}

}  // namespace wa::platform
