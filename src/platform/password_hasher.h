// PasswordHasher: argon2id password hashes (libsodium crypto_pwhash_str).
#pragma once

#include <string>
#include <string_view>

#include "support/expected.h"

namespace wa::platform {

enum class PasswordStrength {
  kInteractive,  // libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE (64 MiB): production
  kMinimal,      // OPSLIMIT/MEMLIMIT_MIN: tests only, so they stay fast
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordStrength strength = PasswordStrength::kInteractive);

  // The encoded hash string (includes algorithm, parameters and salt).
  Expected<std::string> hash(std::string_view password) const;
  // Constant-time check; false for a wrong password or a malformed hash.
  bool verify(std::string_view encoded_hash, std::string_view password) const;

 private:
  unsigned long long opslimit_;
  size_t memlimit_;
};

}  // namespace wa::platform
