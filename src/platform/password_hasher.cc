#include "platform/password_hasher.h"

#include <sodium.h>

#include "platform/error_kinds.h"

namespace wa::platform {

PasswordHasher::PasswordHasher(PasswordStrength strength) {
  if (sodium_init() < 0) std::abort();  // libsodium unusable: nothing secure can run
  if (strength == PasswordStrength::kMinimal) {
    opslimit_ = crypto_pwhash_OPSLIMIT_MIN;
    memlimit_ = crypto_pwhash_MEMLIMIT_MIN;
  } else {
    opslimit_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    memlimit_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  }
}

Expected<std::string> PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  // crypto_pwhash_str uses argon2id (libsodium >= 1.0.15).
  if (crypto_pwhash_str(out, password.data(), password.size(), opslimit_, memlimit_) != 0) {
    return make_error(std::string(error_kind::kInternal),
                      "cannot hash password (out of memory)");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view encoded_hash, std::string_view password) const {
  std::string hash(encoded_hash);  // must be NUL-terminated
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace wa::platform
