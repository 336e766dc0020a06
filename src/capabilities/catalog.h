// What this server offers an action beyond WASI: one entry per grant key of
// settings.capabilities, for `GET /api/v1/capabilities` and the dashboard.
#pragma once

#include <string_view>
#include <vector>

namespace wa::capabilities {

struct CapabilityInfo {
  std::string_view name;           // the settings.capabilities key
  std::string_view import_module;  // where its functions live
  bool available = false;          // false: accepted in grants, no effect yet
  std::string_view description;
};

const std::vector<CapabilityInfo>& capability_catalog();

}  // namespace wa::capabilities
