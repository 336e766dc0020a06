// Standard base64 (RFC 4648 section 4, with padding), via libsodium.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wa {

std::string base64_encode(std::string_view bytes);
// std::nullopt if `text` is not base64 (whitespace is not accepted).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace wa
