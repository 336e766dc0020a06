#include "platform/jwt.h"

#include <sodium.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "platform/error_kinds.h"
#include "support/files.h"

namespace wa::platform {

namespace {

Error unauthorized(const std::string& why) {
  return make_error(std::string(error_kind::kUnauthorized), why);
}

// The only header we issue and the only one we accept: accepting "none" or another
// algorithm is the classic JWT forgery.
constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

Expected<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return unauthorized("malformed base64url");
  }
  out.resize(length);
  return out;
}

JwtSigner::JwtSigner(std::vector<uint8_t> secret) : secret_(std::move(secret)) {
  if (sodium_init() < 0) std::abort();
}

Expected<JwtSigner> JwtSigner::from_secret_file(const std::filesystem::path& file) {
  if (sodium_init() < 0) std::abort();
  if (std::filesystem::exists(file)) {
    auto bytes = read_file_bytes(file);
    if (!bytes) return make_error(std::string(error_kind::kStorage), bytes.error().message);
    if (bytes->size() != kSecretBytes) {
      return make_error(std::string(error_kind::kStorage),
                        file.string() + " does not hold a " + std::to_string(kSecretBytes) +
                            "-byte secret; delete it to generate a new one (this logs "
                            "everybody out)");
    }
    return JwtSigner(std::move(bytes).value());
  }
  std::vector<uint8_t> secret(kSecretBytes);
  randombytes_buf(secret.data(), secret.size());
  // The umask narrows the temp file before the rename, so the secret is never world-readable.
  const mode_t old_mask = ::umask(077);
  auto written = write_file_atomically(file, secret);
  ::umask(old_mask);
  if (!written) return make_error(std::string(error_kind::kStorage), written.error().message);
  std::error_code ec;
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
      std::filesystem::perm_options::replace, ec);
  return JwtSigner(std::move(secret));
}

std::string JwtSigner::sign(std::string_view signing_input) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, secret_.data(), secret_.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

std::string JwtSigner::issue(const JwtClaims& claims) const {
  nlohmann::json payload = {{"sub", claims.subject},
                            {"name", claims.name},
                            {"iat", claims.issued_at},
                            {"exp", claims.expires_at}};
  if (!claims.session_id.empty()) payload["sid"] = claims.session_id;
  std::string input = base64url_encode(kHeaderJson) + "." + base64url_encode(payload.dump());
  return input + "." + base64url_encode(sign(input));
}

Expected<JwtClaims> JwtSigner::verify(std::string_view token, TimePoint now) const {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return unauthorized("malformed token");
  }
  auto header = base64url_decode(token.substr(0, first));
  if (!header) return header.error();
  auto header_json = nlohmann::json::parse(*header, nullptr, false);
  // Checked by hand: value() would throw on {"alg": 1}, before the signature is checked.
  auto alg = header_json.is_object() ? header_json.find("alg") : header_json.end();
  if (!header_json.is_object() || alg == header_json.end() || !alg->is_string() ||
      alg->get<std::string>() != "HS256") {
    return unauthorized("token algorithm is not HS256");
  }
  auto signature = base64url_decode(token.substr(second + 1));
  if (!signature) return signature.error();
  const std::string expected = sign(token.substr(0, second));
  if (signature->size() != expected.size() ||
      sodium_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return unauthorized("bad token signature");
  }
  auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return payload.error();
  auto json = nlohmann::json::parse(*payload, nullptr, false);
  if (!json.is_object() || !json["sub"].is_string() || !json["exp"].is_number_integer()) {
    return unauthorized("malformed token claims");
  }
  JwtClaims claims;
  claims.subject = json["sub"].get<std::string>();
  // value() throws on a type mismatch: check the optional claims' types first.
  if (auto name = json.find("name"); name != json.end()) {
    if (!name->is_string()) return unauthorized("malformed token claims");
    claims.name = name->get<std::string>();
  }
  if (auto iat = json.find("iat"); iat != json.end()) {
    if (!iat->is_number_integer()) return unauthorized("malformed token claims");
    claims.issued_at = iat->get<int64_t>();
  }
  claims.expires_at = json["exp"].get<int64_t>();
  if (auto sid = json.find("sid"); sid != json.end()) {
    if (!sid->is_string()) return unauthorized("malformed token claims");
    claims.session_id = sid->get<std::string>();
  }
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (now_s >= claims.expires_at) return unauthorized("token expired");
  return claims;
}

}  // namespace wa::platform
