// Parses a guest's stdout as a CGI response (RFC 3875 section 6): header lines, a
// blank line, then the body. LF or CRLF line ends are both accepted.
#pragma once

#include <string>
#include <string_view>

#include "gateway/cgi_request.h"
#include "support/expected.h"

namespace wa::gateway {

struct CgiResponse {
  unsigned status = 200;
  std::string reason;   // from "Status: 404 Not Found"; empty → the standard phrase
  HeaderList headers;   // without Status (and without hop-by-hop fields)
  std::string body;
};

// Fails with kind "invalid_cgi_response" and a message that says what is wrong (for
// the action's log). Rules:
//  - at least one header is required; the header block ends at a blank line or at the
//    end of output (a header block with no body is a complete response);
//  - "Status: NNN reason" sets the status (200..599);
//  - "Location:" without Status means a redirect: 302;
//  - Content-Length, Transfer-Encoding and Connection from the guest are dropped: the
//    server frames the body itself.
Expected<CgiResponse> parse_cgi_response(std::string_view output);

}  // namespace wa::gateway
