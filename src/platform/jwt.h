// JwtSigner: issues and verifies HS256 JSON Web Tokens (session tokens for the API).
//
// Hand-written on purpose, over libsodium's HMAC-SHA256: it accepts exactly one header
// algorithm, compares signatures in constant time and parses nothing before the header
// check but base64url and JSON (nlohmann, with exceptions off). Debian's libjwt 1.10 is
// algorithm-agile (the source of the classic alg-confusion bugs) and needed a security
// update for a non-constant-time signature comparison (CVE-2024-25189, deb12u1);
// libcpp-jwt would add OpenSSL for the same 60 lines. A session is also a server-side row
// (Accounts), so a forged or stale JWT alone grants nothing. The JWT fuzz target
// (tests/fuzz) exercises verify().
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "support/expected.h"

namespace wa::platform {

struct JwtClaims {
  std::string subject;     // "sub": the user id, as a decimal string
  std::string name;        // "name": the username
  int64_t issued_at = 0;   // "iat", Unix seconds
  int64_t expires_at = 0;  // "exp", Unix seconds
  std::string session_id;  // "sid": the server-side session row (revocable); may be empty
};

class JwtSigner {
 public:
  static constexpr size_t kSecretBytes = 32;  // the HMAC-SHA256 key size

  explicit JwtSigner(std::vector<uint8_t> secret);

  // Reads the secret from `file`, or generates one and writes it there (mode 0600).
  static Expected<JwtSigner> from_secret_file(const std::filesystem::path& file);

  std::string issue(const JwtClaims& claims) const;

  // Checks the header (typ JWT, alg exactly HS256), the signature (constant time) and
  // that `now` is before exp. kind "unauthorized" with the reason otherwise.
  Expected<JwtClaims> verify(std::string_view token, TimePoint now = Clock::now()) const;

 private:
  std::string sign(std::string_view signing_input) const;
  std::vector<uint8_t> secret_;
};

// base64url without padding (RFC 7515), via libsodium.
std::string base64url_encode(std::string_view bytes);
Expected<std::string> base64url_decode(std::string_view text);

}  // namespace wa::platform
