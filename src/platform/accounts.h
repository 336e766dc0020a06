// Accounts: users, registration (open | invite | closed), login, JWTs and API tokens.
//
// The first user to register becomes admin, whatever the registration mode (so a fresh
// server can always be claimed). Failed logins are rate limited per username and per
// remote address.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "platform/database.h"
#include "platform/jwt.h"
#include "platform/login_rate_limiter.h"
#include "platform/password_hasher.h"
#include "support/expected.h"

namespace wa::platform {

enum class RegistrationMode { kOpen, kInvite, kClosed };
std::string_view registration_mode_name(RegistrationMode mode);  // "open", "invite", "closed"
Expected<RegistrationMode> parse_registration_mode(std::string_view text);

struct AuthConfig {
  PasswordStrength password_strength = PasswordStrength::kInteractive;
  std::chrono::seconds session_ttl{std::chrono::hours(24)};  // JWT lifetime
  // Used until an admin changes it (the change is persisted and wins from then on).
  RegistrationMode initial_registration_mode = RegistrationMode::kOpen;
  RateLimitConfig login_limits;  // 5 failures per 5 minutes
  size_t min_password_length = 8;
};

struct User {
  int64_t id = 0;
  std::string username;
  bool is_admin = false;
  int64_t created_at_ms = 0;
};

// Who is making a request, as established by authenticate().
struct Principal {
  User user;
  enum class Via { kSession, kApiToken } via = Via::kSession;
  int64_t api_token_id = 0;  // when via == kApiToken
};

// A session or API token handed to a client once.
struct IssuedToken {
  std::string token;
  int64_t expires_at_ms = 0;  // 0: does not expire (API tokens)
  User user;
};

struct ApiTokenInfo {
  int64_t id = 0;
  std::string name;
  int64_t created_at_ms = 0;
  std::optional<int64_t> last_used_at_ms;
  std::optional<int64_t> revoked_at_ms;
};

struct InviteInfo {
  std::string code;  // only returned by create_invite(): codes are stored hashed
  std::string id;    // a prefix of the code's hash, to tell invites apart in listings
  int64_t created_at_ms = 0;
  std::optional<int64_t> used_at_ms;
  std::string used_by;  // username, when used
};

class Accounts {
 public:
  // `db` must outlive this object. `data_dir` holds jwt.secret (created on first start).
  static Expected<std::unique_ptr<Accounts>> open(Database& db,
                                                  const std::filesystem::path& data_dir,
                                                  AuthConfig config = {});

  // Usernames: 1-32 of [A-Za-z0-9_.-], starting with a letter or digit, unique ignoring
  // case. Passwords: at least min_password_length bytes. `invite` is needed in invite mode
  // (not for the first user). Returns a session token. Errors: invalid_argument,
  // conflict (name taken), forbidden (closed, missing/used/unknown invite).
  Expected<IssuedToken> register_user(std::string_view username, std::string_view password,
                                      std::string_view invite = {});

  // Errors: unauthorized ("invalid username or password", same for both), rate_limited.
  Expected<IssuedToken> login(std::string_view username, std::string_view password,
                              std::string_view remote_address, TimePoint now = Clock::now());
  // After a rate_limited error: seconds to put in Retry-After.
  std::optional<std::chrono::seconds> login_retry_after(std::string_view username,
                                                        std::string_view remote_address,
                                                        TimePoint now = Clock::now());

  // Accepts a session JWT or an API token (the part after "Bearer "). kind unauthorized.
  Expected<Principal> authenticate(std::string_view bearer_token, TimePoint now = Clock::now());

  Expected<User> find_user(int64_t id);
  Expected<User> find_user(std::string_view username);

  // API tokens (for the CLI): random, stored as sha256, shown once.
  Expected<IssuedToken> create_api_token(int64_t user_id, std::string_view name);
  Expected<std::vector<ApiTokenInfo>> list_api_tokens(int64_t user_id);
  Status revoke_api_token(int64_t user_id, int64_t token_id);  // not_found if not theirs

  // Registration settings and invites (admin only: forbidden otherwise).
  Expected<RegistrationMode> registration_mode();
  Status set_registration_mode(const Principal& admin, RegistrationMode mode);
  Expected<InviteInfo> create_invite(const Principal& admin);              // single use
  Expected<std::vector<InviteInfo>> list_invites(const Principal& admin);  // newest first
  Expected<std::vector<User>> list_users(const Principal& admin);          // by id

  const AuthConfig& config() const { return config_; }

 private:
  Accounts(Database& db, JwtSigner signer, AuthConfig config);
  Expected<IssuedToken> issue_session(const User& user, TimePoint now);
  Expected<Principal> authenticate_api_token(std::string_view token, TimePoint now);
  Status consume_invite(std::string_view code, int64_t user_id);

  Database& db_;
  JwtSigner signer_;
  AuthConfig config_;
  PasswordHasher hasher_;
  LoginRateLimiter limiter_;
  std::string dummy_hash_;  // verified against for unknown usernames (equal timing)
};

}  // namespace wa::platform
