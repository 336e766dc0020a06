// multipart/form-data (RFC 7578): parsing uploads on the server, encoding them in the
// CLI and the tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/expected.h"

namespace wa::gateway {

struct MultipartPart {
  std::string name;          // Content-Disposition name
  std::string filename;      // empty for plain fields
  std::string content_type;  // empty if the part did not say
  std::string data;
};

// Extracts the boundary from a Content-Type header value; fails with kind
// "bad_request" unless it is multipart/form-data with a usable boundary.
Expected<std::string> multipart_boundary(std::string_view content_type);

// Splits `body` into its parts. Fails with kind "bad_request" and a message naming the
// problem (missing boundary, unterminated headers, missing name, missing final boundary,
// more than `max_parts` parts).
Expected<std::vector<MultipartPart>> parse_multipart(std::string_view body,
                                                     std::string_view boundary,
                                                     size_t max_parts = 32);

// The first part called `name`, or nullptr.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);

// Encodes parts with `boundary` (which must not occur in any part's data).
std::string encode_multipart(const std::vector<MultipartPart>& parts, std::string_view boundary);

// A random boundary that is practically certain not to occur in the data.
std::string random_multipart_boundary();

}  // namespace wa::gateway
