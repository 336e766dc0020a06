// The host functions a guest may import (module "wasi_snapshot_preview1").
#pragma once

#include <string_view>

namespace wa::runtime {

inline constexpr std::string_view kWasiModule = "wasi_snapshot_preview1";

bool is_provided_host_function(std::string_view module, std::string_view name);

}  // namespace wa::runtime
