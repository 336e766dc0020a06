// SHA-256 digests as lowercase hex (content addresses for modules and artifacts).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wa {

std::string sha256_hex(std::span<const uint8_t> bytes);
std::string sha256_hex(std::string_view text);

}  // namespace wa
