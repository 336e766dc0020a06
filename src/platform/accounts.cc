#include "platform/accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "platform/error_kinds.h"
#include "support/sha256.h"

namespace wa::platform {

namespace {

constexpr std::string_view kApiTokenPrefix = "wat_";
constexpr std::string_view kInvitePrefix = "inv_";
constexpr std::string_view kRegistrationModeKey = "registration_mode";
// Writing last_used_at on every request would turn each API call into a write; once a
// minute is precise enough for "last used".
constexpr int64_t kLastUsedResolutionMs = 60'000;
constexpr size_t kMaxPasswordBytes = 1024;  // bounds hashing work per request

Error err(std::string_view kind, std::string message) {
  return make_error(std::string(kind), std::move(message));
}

std::string random_token(std::string_view prefix, size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return std::string(prefix) + base64url_encode(raw);
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status validate_username(std::string_view name) {
  auto ok_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  if (name.empty() || name.size() > 32 || !std::isalnum(static_cast<unsigned char>(name[0])) ||
      !std::all_of(name.begin(), name.end(), ok_char)) {
    return err(error_kind::kInvalidArgument,
               "username must be 1-32 characters of letters, digits, '_', '.', '-', starting "
               "with a letter or digit");
  }
  return ok_status();
}

User user_from_row(const SqlRow& row) {
  return User{row.integer(0), row.text(1), row.integer(2) != 0, row.integer(3)};
}

// The limiter key of a client address. An IPv6 client usually holds a whole /64, so it
// counts as one address; anything else (IPv4, v4-mapped, unparsable) is used as given.
std::string address_key(std::string_view remote_address) {
  std::string address(remote_address);
  if (address.find(':') == std::string::npos || address.starts_with("::ffff:")) return address;
  // Expand "::" just enough to find the first four groups.
  std::vector<std::string> head, tail;
  auto split = [](std::string_view text, std::vector<std::string>& out) {
    size_t start = 0;
    while (start <= text.size() && !text.empty()) {
      size_t end = text.find(':', start);
      if (end == std::string_view::npos) end = text.size();
      out.emplace_back(text.substr(start, end - start));
      start = end + 1;
    }
  };
  auto gap = address.find("::");
  if (gap == std::string::npos) {
    split(address, head);
  } else {
    split(std::string_view(address).substr(0, gap), head);
    split(std::string_view(address).substr(gap + 2), tail);
    while (head.size() + tail.size() < 8) head.emplace_back("0");
    head.insert(head.end(), tail.begin(), tail.end());
  }
  if (head.size() < 4) return address;
  return lowercase(head[0] + ":" + head[1] + ":" + head[2] + ":" + head[3]) + "::/64";
}

constexpr size_t kInviteIdLength = 12;
constexpr std::string_view kUserColumns = "id, username, is_admin, created_at";

}  // namespace

Scopes owner_scopes(const User& user) {
  return user.is_admin ? scope::kAll : scope::kAll & ~scope::kAdmin;
}

std::string_view registration_mode_name(RegistrationMode mode) {
  switch (mode) {
    case RegistrationMode::kOpen:
      return "open";
    case RegistrationMode::kInvite:
      return "invite";
    case RegistrationMode::kClosed:
      return "closed";
  }
  return "closed";
}

Expected<RegistrationMode> parse_registration_mode(std::string_view text) {
  for (auto mode :
       {RegistrationMode::kOpen, RegistrationMode::kInvite, RegistrationMode::kClosed}) {
    if (text == registration_mode_name(mode)) return mode;
  }
  return err(error_kind::kInvalidArgument,
             "registration mode must be open, invite or closed, not '" + std::string(text) + "'");
}

Accounts::Accounts(Database& db, JwtSigner signer, AuthConfig config)
    : db_(db),
      signer_(std::move(signer)),
      config_(config),
      hasher_(config.password_strength),
      pair_limiter_(config.login_limits),
      address_limiter_(config.login_address_limits),
      register_limiter_(config.register_limits),
      hash_slots_(config.max_concurrent_hashes) {}

Expected<std::unique_ptr<Accounts>> Accounts::open(Database& db,
                                                   const std::filesystem::path& data_dir,
                                                   AuthConfig config) {
  auto signer = JwtSigner::from_secret_file(data_dir / "jwt.secret");
  if (!signer) return signer.error();
  auto seeded = db.query("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                         {std::string(kRegistrationModeKey),
                          std::string(registration_mode_name(config.initial_registration_mode))});
  if (!seeded) return seeded.error();
  auto accounts = std::unique_ptr<Accounts>(new Accounts(db, std::move(signer).value(), config));
  // A hash to verify against when the username is unknown, so a login takes as long
  // whether or not the user exists.
  auto dummy = accounts->hasher_.hash("not a password");
  if (!dummy) return dummy.error();
  accounts->dummy_hash_ = std::move(dummy).value();
  return accounts;
}

Expected<IssuedToken> Accounts::issue_session(const User& user, TimePoint now) {
  JwtClaims claims;
  claims.subject = std::to_string(user.id);
  claims.name = user.username;
  claims.issued_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  claims.expires_at = claims.issued_at + config_.session_ttl.count();
  claims.session_id = random_token("", 18);
  // Expired rows are useless (the JWT is refused by its exp anyway): drop them here, where
  // sessions are made, so the table stays the size of the live sessions.
  auto swept = db_.query("DELETE FROM sessions WHERE expires_at <= ?", {to_unix_ms(now)});
  if (!swept) return swept.error();
  auto inserted =
      db_.query("INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                {claims.session_id, user.id, to_unix_ms(now), claims.expires_at * 1000});
  if (!inserted) return inserted.error();
  return IssuedToken{signer_.issue(claims), claims.expires_at * 1000, user, owner_scopes(user)};
}

Expected<IssuedToken> Accounts::register_user(std::string_view username, std::string_view password,
                                              std::string_view invite,
                                              std::string_view remote_address, TimePoint now) {
  if (auto st = validate_username(username); !st) return st.error();
  if (password.size() < config_.min_password_length || password.size() > kMaxPasswordBytes) {
    return err(error_kind::kInvalidArgument,
               "password must be " + std::to_string(config_.min_password_length) + " to " +
                   std::to_string(kMaxPasswordBytes) + " bytes long");
  }
  // Everything cheap comes before the hash, so a refused registration costs no hashing:
  // the mode, the invite, a taken name, then the per-address limit. The transaction
  // below checks them again (another registration may have raced this one).
  auto count = db_.query("SELECT count(*) FROM users");
  if (!count) return count.error();
  if (count->rows.at(0).integer(0) > 0) {
    auto mode = registration_mode();
    if (!mode) return mode.error();
    if (*mode == RegistrationMode::kClosed) {
      return err(error_kind::kForbidden, "registration is closed on this server");
    }
    if (*mode == RegistrationMode::kInvite) {
      if (invite.empty()) {
        return err(error_kind::kForbidden, "registration needs an invite code on this server");
      }
      auto unused = db_.query("SELECT 1 FROM invites WHERE code_hash = ? AND used_by IS NULL",
                              {sha256_hex(invite)});
      if (!unused) return unused.error();
      if (unused->rows.empty()) {
        return err(error_kind::kForbidden, "the invite code is unknown or already used");
      }
    }
  }
  if (find_user(username)) {
    return err(error_kind::kConflict, "username '" + std::string(username) + "' is taken");
  }
  const std::string client = "reg:" + address_key(remote_address);
  if (register_limiter_.retry_after(client, now)) {
    return err(error_kind::kRateLimited, "too many registrations from this address; try later");
  }
  register_limiter_.record_failure(client, now);  // every attempt that costs a hash counts
  auto slot = hash_slots_.try_take();
  if (!slot) {
    return err(error_kind::kOverloaded, "the server is busy hashing passwords; retry shortly");
  }
  // Hash outside the transaction: it is deliberately slow.
  auto hash = hasher_.hash(password);
  slot.reset();
  if (!hash) return hash.error();
  User user;
  auto done = db_.transaction([&]() -> Status {
    auto count = db_.query("SELECT count(*) FROM users");
    if (!count) return count.error();
    const bool first_user = count->rows.at(0).integer(0) == 0;
    if (!first_user) {
      auto mode = registration_mode();
      if (!mode) return mode.error();
      if (*mode == RegistrationMode::kClosed) {
        return err(error_kind::kForbidden, "registration is closed on this server");
      }
      if (*mode == RegistrationMode::kInvite && invite.empty()) {
        return err(error_kind::kForbidden, "registration needs an invite code on this server");
      }
    }
    user.username = std::string(username);
    user.is_admin = first_user;
    user.created_at_ms = now_unix_ms();
    auto inserted = db_.query(
        "INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?)",
        {user.username, *hash, int64_t{user.is_admin}, user.created_at_ms});
    if (!inserted) {
      if (inserted.error().kind == error_kind::kConflict) {
        return err(error_kind::kConflict, "username '" + user.username + "' is taken");
      }
      return inserted.error();
    }
    user.id = inserted->last_insert_id;
    // An invite given in open mode is not needed and stays unused.
    auto mode = registration_mode();
    if (!first_user && mode && *mode == RegistrationMode::kInvite) {
      return consume_invite(invite, user.id);
    }
    return ok_status();
  });
  if (!done) return done.error();
  return issue_session(user, now);
}

std::optional<std::chrono::seconds> Accounts::register_retry_after(std::string_view remote_address,
                                                                   TimePoint now) {
  return register_limiter_.retry_after("reg:" + address_key(remote_address), now);
}

Status Accounts::consume_invite(std::string_view code, int64_t user_id) {
  auto used = db_.query(
      "UPDATE invites SET used_by = ?, used_at = ? WHERE code_hash = ? AND used_by IS NULL",
      {user_id, now_unix_ms(), sha256_hex(code)});
  if (!used) return used.error();
  if (used->changes != 1) {
    return err(error_kind::kForbidden, "the invite code is unknown or already used");
  }
  return ok_status();
}

Expected<IssuedToken> Accounts::login(std::string_view username, std::string_view password,
                                      std::string_view remote_address, TimePoint now) {
  const std::string client = address_key(remote_address);
  const std::string pair_key = client + "|" + lowercase(username);
  if (login_retry_after(username, remote_address, now)) {
    return err(error_kind::kRateLimited, "too many failed logins; try again later");
  }
  if (password.size() > kMaxPasswordBytes) {
    pair_limiter_.record_failure(pair_key, now);
    address_limiter_.record_failure(client, now);
    return err(error_kind::kUnauthorized, "invalid username or password");
  }
  auto found = db_.query(
      "SELECT id, username, is_admin, created_at, password_hash FROM users "
      "WHERE username = ?",
      {std::string(username)});
  if (!found) return found.error();
  const bool known = !found->rows.empty();
  const std::string stored = known ? found->rows[0].text(4) : dummy_hash_;
  auto slot = hash_slots_.try_take();
  if (!slot) {
    return err(error_kind::kOverloaded, "the server is busy checking passwords; retry shortly");
  }
  const bool matches = hasher_.verify(stored, password);
  slot.reset();
  if (!known || !matches) {
    pair_limiter_.record_failure(pair_key, now);
    address_limiter_.record_failure(client, now);
    return err(error_kind::kUnauthorized, "invalid username or password");
  }
  pair_limiter_.reset(pair_key);
  return issue_session(user_from_row(found->rows[0]), now);
}

std::optional<std::chrono::seconds> Accounts::login_retry_after(std::string_view username,
                                                                std::string_view remote_address,
                                                                TimePoint now) {
  const std::string client = address_key(remote_address);
  auto by_pair = pair_limiter_.retry_after(client + "|" + lowercase(username), now);
  auto by_address = address_limiter_.retry_after(client, now);
  if (by_pair && by_address) return std::max(*by_pair, *by_address);
  return by_pair ? by_pair : by_address;
}

Expected<Principal> Accounts::authenticate(std::string_view bearer_token, TimePoint now) {
  if (bearer_token.empty()) return err(error_kind::kUnauthorized, "missing token");
  if (bearer_token.starts_with(kApiTokenPrefix)) return authenticate_api_token(bearer_token, now);
  auto claims = signer_.verify(bearer_token, now);
  if (!claims) return claims.error();
  int64_t id = 0;
  try {
    id = std::stoll(claims->subject);
  } catch (...) {
    return err(error_kind::kUnauthorized, "malformed token subject");
  }
  if (claims->session_id.empty()) {
    // Issued before sessions could be revoked: such a token cannot be signed out.
    return err(error_kind::kUnauthorized, "the session is no longer valid; sign in again");
  }
  auto found = db_.query(
      "SELECT u.id, u.username, u.is_admin, u.created_at FROM sessions s "
      "JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ? "
      "AND s.revoked_at IS NULL AND s.expires_at > ?",
      {claims->session_id, id, to_unix_ms(now)});
  if (!found) return found.error();
  if (found->rows.empty()) {
    return err(error_kind::kUnauthorized, "the session has ended (signed out); sign in again");
  }
  User user = user_from_row(found->rows[0]);
  Principal principal{user, Principal::Via::kSession, 0, claims->session_id, owner_scopes(user)};
  return principal;
}

Status Accounts::logout(const Principal& who, TimePoint now) {
  if (who.via == Principal::Via::kApiToken) return revoke_api_token(who.user.id, who.api_token_id);
  if (who.via != Principal::Via::kSession || who.session_id.empty()) {
    return err(error_kind::kInvalidArgument, "this credential cannot be signed out");
  }
  auto revoked = db_.query(
      "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND "
      "revoked_at IS NULL",
      {to_unix_ms(now), who.session_id, who.user.id});
  if (!revoked) return revoked.error();
  return ok_status();
}

Expected<StreamTickets::Minted> Accounts::mint_stream_ticket(const Principal& who,
                                                             std::string_view purpose,
                                                             TimePoint now) {
  if (!who.has(scope::kRead)) return err(error_kind::kForbidden, "needs the read scope");
  return tickets_.mint(who.user.id, purpose, now);
}

Expected<Principal> Accounts::redeem_stream_ticket(std::string_view ticket,
                                                   std::string_view purpose, TimePoint now) {
  auto user_id = tickets_.redeem(ticket, purpose, now);
  if (!user_id) return user_id.error();
  auto user = find_user(*user_id);
  if (!user) return err(error_kind::kUnauthorized, "the ticket's user no longer exists");
  return Principal{*user, Principal::Via::kStreamTicket, 0, {}, scope::kRead};
}

Expected<Principal> Accounts::authenticate_api_token(std::string_view token, TimePoint now) {
  auto found = db_.query(
      "SELECT u.id, u.username, u.is_admin, u.created_at, t.id, t.last_used_at, t.scopes "
      "FROM api_tokens t JOIN users u ON u.id = t.user_id "
      "WHERE t.token_hash = ? AND t.revoked_at IS NULL",
      {sha256_hex(token)});
  if (!found) return found.error();
  if (found->rows.empty()) return err(error_kind::kUnauthorized, "unknown or revoked API token");
  const auto& row = found->rows[0];
  const int64_t now_ms = to_unix_ms(now);
  if (now_ms - row.optional_integer(5).value_or(0) >= kLastUsedResolutionMs) {
    auto touched =
        db_.query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now_ms, row.integer(4)});
    if (!touched) return touched.error();
  }
  User user = user_from_row(row);
  // A stored scope list this build cannot parse grants nothing rather than everything.
  auto scopes = parse_scopes(row.text(6));
  Scopes granted = scopes ? (*scopes & owner_scopes(user)) : 0;
  return Principal{user, Principal::Via::kApiToken, row.integer(4), {}, granted};
}

Expected<User> Accounts::find_user(int64_t id) {
  auto found = db_.query("SELECT " + std::string(kUserColumns) + " FROM users WHERE id = ?", {id});
  if (!found) return found.error();
  if (found->rows.empty()) return err(error_kind::kNotFound, "no such user");
  return user_from_row(found->rows[0]);
}

Expected<User> Accounts::find_user(std::string_view username) {
  auto found = db_.query("SELECT " + std::string(kUserColumns) + " FROM users WHERE username = ?",
                         {std::string(username)});
  if (!found) return found.error();
  if (found->rows.empty()) return err(error_kind::kNotFound, "no such user");
  return user_from_row(found->rows[0]);
}

Expected<IssuedToken> Accounts::create_api_token(int64_t user_id, std::string_view name,
                                                 Scopes scopes) {
  if (name.empty() || name.size() > 64) {
    return err(error_kind::kInvalidArgument, "token name must be 1-64 characters");
  }
  auto user = find_user(user_id);
  if (!user) return user.error();
  if (scopes == 0) scopes = scope::kTokenDefault;
  if ((scopes & ~owner_scopes(*user)) != 0) {
    return err(error_kind::kForbidden, "a token cannot have scopes its owner lacks (" +
                                           scopes_to_text(scopes & ~owner_scopes(*user)) + ")");
  }
  std::string token = random_token(kApiTokenPrefix, 32);
  auto inserted = db_.query(
      "INSERT INTO api_tokens (user_id, name, token_hash, created_at, scopes) "
      "VALUES (?, ?, ?, ?, ?)",
      {user_id, std::string(name), sha256_hex(token), now_unix_ms(), scopes_to_text(scopes)});
  if (!inserted) return inserted.error();
  return IssuedToken{std::move(token), 0, *user, scopes};
}

Expected<std::vector<ApiTokenInfo>> Accounts::list_api_tokens(int64_t user_id) {
  auto found = db_.query(
      "SELECT id, name, created_at, last_used_at, revoked_at, scopes FROM api_tokens "
      "WHERE user_id = ? ORDER BY id",
      {user_id});
  if (!found) return found.error();
  std::vector<ApiTokenInfo> tokens;
  for (const auto& row : found->rows) {
    auto scopes = parse_scopes(row.text(5));
    tokens.push_back({row.integer(0), row.text(1), row.integer(2), row.optional_integer(3),
                      row.optional_integer(4), scopes ? *scopes : 0});
  }
  return tokens;
}

Status Accounts::revoke_api_token(int64_t user_id, int64_t token_id) {
  auto revoked = db_.query(
      "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? "
      "AND revoked_at IS NULL",
      {now_unix_ms(), token_id, user_id});
  if (!revoked) return revoked.error();
  if (revoked->changes == 0) return err(error_kind::kNotFound, "no such API token");
  return ok_status();
}

Expected<RegistrationMode> Accounts::registration_mode() {
  auto found =
      db_.query("SELECT value FROM settings WHERE key = ?", {std::string(kRegistrationModeKey)});
  if (!found) return found.error();
  if (found->rows.empty()) return config_.initial_registration_mode;
  return parse_registration_mode(found->rows[0].text(0));
}

Status Accounts::set_registration_mode(const Principal& admin, RegistrationMode mode) {
  if (!admin.user.is_admin || !admin.has(scope::kAdmin))
    return err(error_kind::kForbidden, "only an admin can do this");
  auto saved = db_.query(
      "INSERT INTO settings (key, value) VALUES (?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      {std::string(kRegistrationModeKey), std::string(registration_mode_name(mode))});
  if (!saved) return saved.error();
  return ok_status();
}

Expected<InviteInfo> Accounts::create_invite(const Principal& admin) {
  if (!admin.user.is_admin || !admin.has(scope::kAdmin))
    return err(error_kind::kForbidden, "only an admin can do this");
  InviteInfo invite;
  invite.code = random_token(kInvitePrefix, 16);
  invite.created_at_ms = now_unix_ms();
  std::string hash = sha256_hex(invite.code);
  invite.id = hash.substr(0, kInviteIdLength);
  auto inserted =
      db_.query("INSERT INTO invites (code_hash, created_by, created_at) VALUES (?, ?, ?)",
                {hash, admin.user.id, invite.created_at_ms});
  if (!inserted) return inserted.error();
  return invite;
}

Expected<std::vector<InviteInfo>> Accounts::list_invites(const Principal& admin) {
  if (!admin.user.is_admin || !admin.has(scope::kAdmin))
    return err(error_kind::kForbidden, "only an admin can do this");
  auto found = db_.query(
      "SELECT i.code_hash, i.created_at, i.used_at, u.username FROM invites i "
      "LEFT JOIN users u ON u.id = i.used_by ORDER BY i.created_at DESC, i.code_hash");
  if (!found) return found.error();
  std::vector<InviteInfo> invites;
  for (const auto& row : found->rows) {
    InviteInfo invite;
    invite.id = row.text(0).substr(0, kInviteIdLength);
    invite.created_at_ms = row.integer(1);
    invite.used_at_ms = row.optional_integer(2);
    if (invite.used_at_ms) invite.used_by = row.text(3);
    invites.push_back(std::move(invite));
  }
  return invites;
}

Expected<std::vector<User>> Accounts::list_users(const Principal& admin) {
  if (!admin.user.is_admin || !admin.has(scope::kAdmin))
    return err(error_kind::kForbidden, "only an admin can do this");
  auto found = db_.query("SELECT " + std::string(kUserColumns) + " FROM users ORDER BY id");
  if (!found) return found.error();
  std::vector<User> users;
  for (const auto& row : found->rows) users.push_back(user_from_row(row));
  return users;
}

}  // namespace wa::platform
