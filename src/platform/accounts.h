// Accounts: users, registration (open | invite | closed), login, JWTs and API tokens.
//
// The first user to register becomes admin, whatever the registration mode (so a fresh
// server can always be claimed). Failed logins are rate limited per (address, username)
// and per address, never per username alone: a stranger's typos must not lock the real
// user out everywhere. Registrations are limited per address, and password hashing (the
// expensive part of both) has a bounded number of concurrent slots.
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
#include "platform/scopes.h"
#include "platform/stream_tickets.h"
#include "platform/work_slots.h"
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
  // Failed logins per (address, username): a typo-prone user is slowed, never the account.
  RateLimitConfig login_limits;  // 5 failures per 5 minutes
  // Failed logins per address over all usernames (a spray from one client).
  RateLimitConfig login_address_limits{50, std::chrono::minutes(5)};
  // Registration attempts that reach password hashing, per address.
  RateLimitConfig register_limits{20, std::chrono::hours(1)};
  // Password hashes (register) and verifications (login) running at once; more are
  // refused with kind overloaded. Keep it below the API worker count.
  unsigned max_concurrent_hashes = 1;
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
  enum class Via { kSession, kApiToken, kStreamTicket } via = Via::kSession;
  int64_t api_token_id = 0;  // when via == kApiToken
  std::string session_id;    // when via == kSession
  Scopes scopes = 0;         // what this credential may do (see scopes.h)

  bool has(Scopes wanted) const { return (scopes & wanted) == wanted; }
};

// Everything the user may do: an admin has every scope, others all but admin.
Scopes owner_scopes(const User& user);

// A session or API token handed to a client once.
struct IssuedToken {
  std::string token;
  int64_t expires_at_ms = 0;  // 0: does not expire (API tokens)
  User user;
  Scopes scopes = 0;
};

struct ApiTokenInfo {
  int64_t id = 0;
  std::string name;
  int64_t created_at_ms = 0;
  std::optional<int64_t> last_used_at_ms;
  std::optional<int64_t> revoked_at_ms;
  Scopes scopes = 0;
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
  // (not for the first user). Returns a session token. The registration mode and the
  // invite are checked before the password is hashed, so refusals cost no hashing.
  // Errors: invalid_argument, conflict (name taken), forbidden (closed, missing/used/
  // unknown invite), rate_limited (see register_retry_after), overloaded (hash slots full).
  Expected<IssuedToken> register_user(std::string_view username, std::string_view password,
                                      std::string_view invite = {},
                                      std::string_view remote_address = {},
                                      TimePoint now = Clock::now());
  std::optional<std::chrono::seconds> register_retry_after(std::string_view remote_address,
                                                           TimePoint now = Clock::now());

  // Errors: unauthorized ("invalid username or password", same for both), rate_limited,
  // overloaded.
  Expected<IssuedToken> login(std::string_view username, std::string_view password,
                              std::string_view remote_address, TimePoint now = Clock::now());
  // After a rate_limited error: seconds to put in Retry-After.
  std::optional<std::chrono::seconds> login_retry_after(std::string_view username,
                                                        std::string_view remote_address,
                                                        TimePoint now = Clock::now());

  // Accepts a session JWT or an API token (the part after "Bearer "). kind unauthorized.
  // A session is valid while its row exists, is not revoked and has not expired.
  Expected<Principal> authenticate(std::string_view bearer_token, TimePoint now = Clock::now());

  // Ends the credential the request came with: a session is revoked server-side (its JWT
  // stops working everywhere at once), an API token is revoked.
  Status logout(const Principal& who, TimePoint now = Clock::now());

  // Stream tickets: `purpose` names the one stream a ticket opens ("logs:<action id>").
  // The ticket's principal has only the read scope.
  Expected<StreamTickets::Minted> mint_stream_ticket(const Principal& who, std::string_view purpose,
                                                     TimePoint now = Clock::now());
  Expected<Principal> redeem_stream_ticket(std::string_view ticket, std::string_view purpose,
                                           TimePoint now = Clock::now());

  Expected<User> find_user(int64_t id);
  Expected<User> find_user(std::string_view username);

  // API tokens (for the CLI): random, stored as sha256, shown once. `scopes` must be a
  // subset of the owner's (forbidden otherwise); 0 means scope::kTokenDefault.
  Expected<IssuedToken> create_api_token(int64_t user_id, std::string_view name, Scopes scopes = 0);
  Expected<std::vector<ApiTokenInfo>> list_api_tokens(int64_t user_id);
  Status revoke_api_token(int64_t user_id, int64_t token_id);  // not_found if not theirs

  // Registration settings and invites (admin only: forbidden otherwise).
  Expected<RegistrationMode> registration_mode();
  Status set_registration_mode(const Principal& admin, RegistrationMode mode);
  Expected<InviteInfo> create_invite(const Principal& admin);              // single use
  Expected<std::vector<InviteInfo>> list_invites(const Principal& admin);  // newest first
  Expected<std::vector<User>> list_users(const Principal& admin);          // by id

  const AuthConfig& config() const { return config_; }
  // The password hashing slots (tests hold them to check that refusals need no hashing).
  WorkSlots& hash_slots() { return hash_slots_; }

 private:
  Accounts(Database& db, JwtSigner signer, AuthConfig config);
  Expected<IssuedToken> issue_session(const User& user, TimePoint now);
  Expected<Principal> authenticate_api_token(std::string_view token, TimePoint now);
  Status consume_invite(std::string_view code, int64_t user_id);

  Database& db_;
  JwtSigner signer_;
  AuthConfig config_;
  PasswordHasher hasher_;
  LoginRateLimiter pair_limiter_;      // key: address + username
  LoginRateLimiter address_limiter_;   // key: address
  LoginRateLimiter register_limiter_;  // key: address
  WorkSlots hash_slots_;
  StreamTickets tickets_;
  std::string dummy_hash_;  // verified against for unknown usernames (equal timing)
};

}  // namespace wa::platform
