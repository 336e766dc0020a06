// Fuzzes JWT verification (platform/jwt), the first thing every API request meets.
// The first byte picks a mode:
//   0: the rest is a token, verified as it arrives (no forgery may pass: the fuzzer does
//      not know the secret);
//   1: the rest is a payload the fuzzer signs with the server's secret: the claims
//      parser behind the signature check must reject bad claims, not throw;
//   2: claims from the input are issued, verified (same claims back) and their payload
//      swapped for another under the same signature (must be refused).
#include <fuzzer/FuzzedDataProvider.h>
#include <sodium.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "platform/jwt.h"

namespace {

using wa::platform::base64url_encode;
using wa::platform::JwtClaims;
using wa::platform::JwtSigner;

const std::vector<uint8_t> kSecret(JwtSigner::kSecretBytes, 0x42);
// A fixed "now": the result must not depend on when the fuzzer runs.
const wa::platform::TimePoint kNow{std::chrono::seconds(1'700'000'000)};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "jwt invariant violated: %s\n", what);
  std::abort();
}

std::string hmac(const std::string& input) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, kSecret.data(), kSecret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

std::string signed_token(const std::string& header_json, const std::string& payload_json) {
  std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(hmac(input));
}

std::string printable(std::string s) {
  for (char& c : s) {
    if (c < 0x20 || c > 0x7e) c = '_';
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const JwtSigner signer(kSecret);
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto claims = signer.verify(rest, kNow);
      if (claims) {
        // Only a token we could have issued verifies; the fuzzer cannot produce one
        // (its HMAC would be a forgery) unless it is a seed issued with kSecret.
        auto signature = wa::platform::base64url_decode(rest.substr(rest.rfind('.') + 1));
        if (!signature || *signature != hmac(rest.substr(0, rest.rfind('.')))) {
          fail("a token whose signature is not ours verified");
        }
      } else if (claims.error().message.empty()) {
        fail("error without a message");
      }
      break;
    }
    case 1: {
      auto claims = signer.verify(signed_token(R"({"alg":"HS256","typ":"JWT"})", rest), kNow);
      if (!claims && claims.error().message.empty()) fail("error without a message");
      break;
    }
    default: {
      FuzzedDataProvider in(data + 1, size - 1);
      JwtClaims claims;
      // What accounts put in a token: a decimal user id and a username (ASCII).
      claims.subject = std::to_string(in.ConsumeIntegral<int64_t>());
      claims.name = printable(in.ConsumeRandomLengthString(64));
      claims.issued_at = in.ConsumeIntegral<int64_t>();
      claims.expires_at = in.ConsumeIntegral<int64_t>();
      const std::string token = signer.issue(claims);
      auto verified = signer.verify(token, kNow);
      const int64_t now_s = 1'700'000'000;
      if (claims.expires_at > now_s) {
        if (!verified) {
          std::fprintf(stderr, "%s\n", verified.error().message.c_str());
          fail("a token we issued does not verify");
        }
        if (verified->subject != claims.subject || verified->name != claims.name ||
            verified->issued_at != claims.issued_at || verified->expires_at != claims.expires_at) {
          fail("verified claims differ from the issued ones");
        }
      } else if (verified) {
        fail("an expired token verified");
      }
      // Same signature, another payload: a forgery.
      const size_t first = token.find('.');
      const size_t second = token.rfind('.');
      std::string other = in.ConsumeRemainingBytesAsString();
      std::string forged =
          token.substr(0, first + 1) + base64url_encode(other) + token.substr(second);
      if (forged != token && signer.verify(forged, kNow)) fail("a swapped payload verified");
      break;
    }
  }
  return 0;
}
