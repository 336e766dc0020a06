// UTF-8 well-formedness (RFC 3629): what the KV API shows as text and what guest strings
// that must be text (URLs, header lines) are checked against.
#pragma once

#include <string_view>

namespace wa {

// No overlong forms, surrogates or code points past U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

}  // namespace wa
