// Parses a guest's stdout as a CGI response (RFC 3875 section 6): header lines, a
// blank line, then the body. LF or CRLF line ends are both accepted.
#pragma once

#include <string>
#include <string_view>

#include "gateway/cgi_request.h"
#include "support/expected.h"

namespace wa::gateway {

// Bounds on what a guest may put in its header block. Beast cannot represent a field
// over 65,535 bytes (it throws), and no client needs anything near that; a reply over
// any of these is invalid (502), not truncated.
inline constexpr size_t kMaxCgiReasonBytes = 256;
inline constexpr size_t kMaxCgiHeaderNameBytes = 256;
inline constexpr size_t kMaxCgiHeaderValueBytes = 16 * 1024;
inline constexpr size_t kMaxCgiHeaderBlockBytes = 64 * 1024;
inline constexpr size_t kMaxCgiHeaderCount = 100;

struct CgiResponse {
  unsigned status = 200;
  std::string reason;  // from "Status: 404 Not Found"; empty → the standard phrase
  HeaderList headers;  // without Status (and without hop-by-hop fields)
  std::string body;
  // Bytes of body dropped because the status forbids one (204, 304): the reply stands,
  // the action's log says why its body vanished.
  size_t dropped_body_bytes = 0;
};

// Fails with kind "invalid_cgi_response" and a message that says what is wrong (for
// the action's log). Rules:
//  - at least one header is required; the header block ends at a blank line or at the
//    end of output (a header block with no body is a complete response);
//  - "Status: NNN reason" sets the status (200..599);
//  - "Location:" without Status means a redirect: 302;
//  - Content-Length, Transfer-Encoding and Connection from the guest are dropped: the
//    server frames the body itself;
//  - the reason phrase, header names and values, their count and the whole block are
//    bounded (kMaxCgi*);
//  - a body after Status 204 or 304 is dropped (see dropped_body_bytes).
Expected<CgiResponse> parse_cgi_response(std::string_view output);
// The same, reusing `output`'s buffer for the body (no copy of a large response).
Expected<CgiResponse> parse_cgi_response_in_place(std::string&& output);

}  // namespace wa::gateway
