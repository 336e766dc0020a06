// The header format of `wasi_experimental_http` (deislabs/wasi-experimental-http): one
// header per line, "name:value", lines separated by "\n" (a "\r" before it is dropped);
// the value is everything after the first ':' (not trimmed). An empty text is no headers.
#pragma once

#include <string>
#include <string_view>

#include "capabilities/outbound_client.h"
#include "support/expected.h"

namespace wa::capabilities {

// invalid_argument (the module answers invalid_encoding) for a line without ':', an empty
// or non-token name, or a value with control characters other than tab.
Expected<HttpHeaders> parse_header_lines(std::string_view text);

// "name:value\n" per header, in order.
std::string format_header_lines(const HttpHeaders& headers);

// RFC 9110 token (a method, a header name): one or more tchar.
bool is_http_token(std::string_view text);
// A header value that cannot end its line early: no control characters but tab (a CR or
// NUL would let a guest inject another header or request).
bool is_http_field_value(std::string_view text);

}  // namespace wa::capabilities
