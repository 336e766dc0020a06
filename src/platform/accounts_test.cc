#include "platform/accounts.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "platform/test_support.h"

namespace wa::platform {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen(AuthConfig config = test_config()) {
    accounts_.reset();
    db_.reset();
    db_ = std::move(open_sqlite_database(dir_.path() / "wasm-actions.db")).value();
    auto opened = Accounts::open(*db_, dir_.path(), config);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    accounts_ = std::move(opened).value();
  }

  static AuthConfig test_config() {
    AuthConfig config;
    config.password_strength = PasswordStrength::kMinimal;
    return config;
  }

  Principal principal(const IssuedToken& token) {
    auto p = accounts_->authenticate(token.token);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return p.ok() ? *p : Principal{};
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsTest, FirstUserIsAdminAndOthersAreNot) {
  auto ann = accounts_->register_user("ann", "password-1");
  ASSERT_TRUE(ann.ok()) << ann.error().message;
  auto bob = accounts_->register_user("bob", "password-2");
  ASSERT_TRUE(bob.ok()) << bob.error().message;
  EXPECT_TRUE(ann->user.is_admin);
  EXPECT_FALSE(bob->user.is_admin);
  EXPECT_EQ(principal(*bob).user.username, "bob");
}

TEST_F(AccountsTest, RegistrationRejectsBadInput) {
  EXPECT_EQ(accounts_->register_user("", "password-1").error().kind, "invalid_argument");
  EXPECT_EQ(accounts_->register_user("a b", "password-1").error().kind, "invalid_argument");
  EXPECT_EQ(accounts_->register_user("-x", "password-1").error().kind, "invalid_argument");
  EXPECT_EQ(accounts_->register_user("ann", "short").error().kind, "invalid_argument");
  ASSERT_TRUE(accounts_->register_user("ann", "password-1").ok());
  auto duplicate = accounts_->register_user("ANN", "password-2");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().kind, "conflict");
}

TEST_F(AccountsTest, LoginChecksThePassword) {
  ASSERT_TRUE(accounts_->register_user("ann", "password-1").ok());
  auto good = accounts_->login("ann", "password-1", "10.0.0.1");
  ASSERT_TRUE(good.ok()) << good.error().message;
  EXPECT_EQ(principal(*good).user.username, "ann");
  auto bad = accounts_->login("ann", "password-2", "10.0.0.1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, "unauthorized");
  auto unknown = accounts_->login("nobody", "password-1", "10.0.0.1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, bad.error().message);  // no user enumeration
}

TEST_F(AccountsTest, TamperedOrExpiredSessionIsRejected) {
  auto ann = accounts_->register_user("ann", "password-1");
  ASSERT_TRUE(ann.ok());
  std::string token = ann->token;
  ASSERT_TRUE(accounts_->authenticate(token).ok());

  // Change one character of the payload: the signature no longer matches.
  std::string tampered = token;
  const size_t dot = tampered.find('.');
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  auto forged = accounts_->authenticate(tampered);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().kind, "unauthorized");

  auto later = accounts_->authenticate(token, Clock::now() + hours(25));
  ASSERT_FALSE(later.ok());
  EXPECT_NE(later.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(accounts_->authenticate("").ok());
  EXPECT_FALSE(accounts_->authenticate("not.a.jwt").ok());
}

TEST_F(AccountsTest, AlgNoneTokenIsRejected) {
  auto ann = accounts_->register_user("ann", "password-1");
  ASSERT_TRUE(ann.ok());
  const std::string& token = ann->token;
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  std::string none = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                     token.substr(first + 1, second - first - 1) + ".";
  auto result = accounts_->authenticate(none);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, "unauthorized");
}

TEST_F(AccountsTest, SecretIsPrivateAndSessionsSurviveRestart) {
  auto ann = accounts_->register_user("ann", "password-1");
  ASSERT_TRUE(ann.ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() / "jwt.secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  reopen();
  EXPECT_TRUE(accounts_->authenticate(ann->token).ok());
}

// Issue 8, item 11: five bad logins from one address used to lock the user out from
// every address. Now only that (address, user) pair waits.
TEST_F(AccountsTest, FailedLoginsFromOneAddressNeverLockTheUserOutElsewhere) {
  ASSERT_TRUE(accounts_->register_user("ann", "password-1").ok());
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) {
    auto r = accounts_->login("ann", "wrong-pass", "10.6.6.6", t0);
    EXPECT_EQ(r.error().kind, "unauthorized");
  }
  // The attacker's address is blocked for this user, even with the right password...
  auto blocked = accounts_->login("ANN", "password-1", "10.6.6.6", t0 + seconds(10));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().kind, "rate_limited");
  auto retry = accounts_->login_retry_after("ann", "10.6.6.6", t0 + seconds(10));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->count(), 290);
  // ...but the real user, from anywhere else, signs in at once.
  auto real = accounts_->login("ann", "password-1", "10.0.0.1", t0 + seconds(10));
  EXPECT_TRUE(real.ok()) << real.error().message;
  EXPECT_FALSE(accounts_->login_retry_after("ann", "10.0.0.1", t0 + seconds(10)).has_value());
  auto after = accounts_->login("ann", "password-1", "10.6.6.6", t0 + minutes(5) + seconds(1));
  EXPECT_TRUE(after.ok()) << after.error().message;
}

TEST_F(AccountsTest, FailedLoginsAreRateLimitedPerAddress) {
  AuthConfig config = test_config();
  config.login_address_limits = {5, minutes(5)};
  reopen(config);
  ASSERT_TRUE(accounts_->register_user("ann", "password-1").ok());
  const auto t0 = Clock::now();
  for (int i = 0; i < 5; ++i) {
    (void)accounts_->login("user" + std::to_string(i), "wrong-pass", "10.9.9.9", t0);
  }
  auto blocked = accounts_->login("ann", "password-1", "10.9.9.9", t0);
  EXPECT_EQ(blocked.error().kind, "rate_limited");
  EXPECT_TRUE(accounts_->login("ann", "password-1", "10.1.1.1", t0).ok());
}

TEST_F(AccountsTest, AnIpv6ClientCountsAsItsSlash64) {
  ASSERT_TRUE(accounts_->register_user("ann", "password-1").ok());
  const auto t0 = Clock::now();
  for (int i = 1; i <= 5; ++i) {
    (void)accounts_->login("ann", "wrong-pass", "2001:db8:1:2::" + std::to_string(i), t0);
  }
  EXPECT_EQ(accounts_->login("ann", "password-1", "2001:db8:1:2:ffff::9", t0).error().kind,
            "rate_limited");
  EXPECT_TRUE(accounts_->login("ann", "password-1", "2001:db8:1:3::1", t0).ok());
}

// Item 12: the registration mode and the invite are checked before any hashing. With
// every hash slot held, a refusal still answers forbidden (not overloaded).
TEST_F(AccountsTest, RegistrationRefusalsNeedNoHashing) {
  auto admin = accounts_->register_user("admin", "password-1");
  ASSERT_TRUE(admin.ok());
  Principal p = principal(*admin);
  std::vector<WorkSlots::Held> held;
  while (auto slot = accounts_->hash_slots().try_take()) held.push_back(std::move(*slot));
  ASSERT_EQ(held.size(), accounts_->hash_slots().capacity());

  ASSERT_TRUE(accounts_->set_registration_mode(p, RegistrationMode::kClosed).ok());
  EXPECT_EQ(accounts_->register_user("bob", "password-2").error().kind, "forbidden");
  ASSERT_TRUE(accounts_->set_registration_mode(p, RegistrationMode::kInvite).ok());
  EXPECT_EQ(accounts_->register_user("bob", "password-2").error().kind, "forbidden");
  EXPECT_EQ(accounts_->register_user("bob", "password-2", "inv_bogus").error().kind, "forbidden");
  EXPECT_EQ(accounts_->register_user("admin", "password-2").error().kind, "forbidden");
  ASSERT_TRUE(accounts_->set_registration_mode(p, RegistrationMode::kOpen).ok());
  EXPECT_EQ(accounts_->register_user("admin", "password-2").error().kind, "conflict");
  // Only a registration that would be accepted reaches the (full) hashing slots.
  auto busy = accounts_->register_user("bob", "password-2");
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().kind, "overloaded");
  EXPECT_EQ(accounts_->login("admin", "password-1", "10.0.0.1").error().kind, "overloaded");
  held.clear();
  EXPECT_TRUE(accounts_->register_user("bob", "password-2").ok());
}

TEST_F(AccountsTest, RegistrationsAreRateLimitedPerAddress) {
  AuthConfig config = test_config();
  config.register_limits = {3, hours(1)};
  reopen(config);
  const auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) {
    auto made = accounts_->register_user("user" + std::to_string(i), "password-1", {}, "10.0.0.7",
                                         t0 + seconds(i));
    ASSERT_TRUE(made.ok()) << made.error().message;
  }
  auto refused = accounts_->register_user("user3", "password-1", {}, "10.0.0.7", t0 + seconds(5));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, "rate_limited");
  auto wait = accounts_->register_retry_after("10.0.0.7", t0 + seconds(5));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->count(), 3595);
  EXPECT_TRUE(accounts_->register_user("user3", "password-1", {}, "10.0.0.8", t0).ok());
  EXPECT_TRUE(accounts_->register_user("user4", "password-1", {}, "10.0.0.7", t0 + hours(1)).ok());
}

// Item 8: logout revokes the session server-side; the same JWT is refused afterwards,
// also after a restart, while the user's other sessions keep working.
TEST_F(AccountsTest, LogoutRevokesTheSession) {
  ASSERT_TRUE(accounts_->register_user("ann", "password-1").ok());
  auto laptop = accounts_->login("ann", "password-1", "10.0.0.1");
  auto phone = accounts_->login("ann", "password-1", "10.0.0.2");
  ASSERT_TRUE(laptop.ok() && phone.ok());
  Principal p = principal(*laptop);
  EXPECT_EQ(p.via, Principal::Via::kSession);
  EXPECT_FALSE(p.session_id.empty());
  ASSERT_TRUE(accounts_->logout(p).ok());
  auto after = accounts_->authenticate(laptop->token);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().kind, "unauthorized");
  EXPECT_NE(after.error().message.find("signed out"), std::string::npos);
  EXPECT_TRUE(accounts_->authenticate(phone->token).ok());
  reopen();
  EXPECT_FALSE(accounts_->authenticate(laptop->token).ok());
  EXPECT_TRUE(accounts_->authenticate(phone->token).ok());
}

TEST_F(AccountsTest, ScopesOfSessionsAndApiTokens) {
  auto admin = accounts_->register_user("admin", "password-1");
  auto bob = accounts_->register_user("bob", "password-2");
  ASSERT_TRUE(admin.ok() && bob.ok());
  EXPECT_EQ(principal(*admin).scopes, scope::kAll);
  EXPECT_EQ(principal(*bob).scopes, scope::kAll & ~scope::kAdmin);

  auto plain = accounts_->create_api_token(admin->user.id, "ci");
  ASSERT_TRUE(plain.ok());
  Principal by_token = principal(*plain);
  EXPECT_EQ(by_token.scopes, scope::kRead | scope::kDeploy);  // the default
  // An admin's token without the admin scope cannot act as admin.
  EXPECT_EQ(accounts_->list_users(by_token).error().kind, "forbidden");
  auto admin_token = accounts_->create_api_token(admin->user.id, "ops", scope::kAdmin);
  ASSERT_TRUE(admin_token.ok());
  EXPECT_TRUE(accounts_->list_users(principal(*admin_token)).ok());
  auto reader = accounts_->create_api_token(bob->user.id, "dash", scope::kRead);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(principal(*reader).scopes, scope::kRead);
  EXPECT_EQ(accounts_->create_api_token(bob->user.id, "x", scope::kAdmin).error().kind,
            "forbidden");
  auto listed = accounts_->list_api_tokens(bob->user.id);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).scopes, scope::kRead);
  // Logging out with an API token revokes that token.
  ASSERT_TRUE(accounts_->logout(principal(*reader)).ok());
  EXPECT_FALSE(accounts_->authenticate(reader->token).ok());
}

TEST(ScopesTest, ParseAndPrint) {
  EXPECT_EQ(parse_scopes("read deploy").value(), scope::kRead | scope::kDeploy);
  EXPECT_EQ(parse_scopes("admin,kv").value(), scope::kAdmin | scope::kKv);
  EXPECT_EQ(parse_scopes("").value(), 0u);
  EXPECT_EQ(parse_scopes("read root").error().kind, "invalid_argument");
  EXPECT_EQ(scopes_to_text(scope::kAll), "read deploy kv events admin");
  EXPECT_EQ(parse_scopes(std::vector<std::string>{"events"}).value(), scope::kEvents);
}

// Item 14: a stream ticket opens one stream, once, within a minute.
TEST_F(AccountsTest, StreamTicketsAreSingleUseSinglePurposeAndShortLived) {
  auto ann = accounts_->register_user("ann", "password-1");
  ASSERT_TRUE(ann.ok());
  Principal p = principal(*ann);
  const auto t0 = Clock::now();
  auto ticket = accounts_->mint_stream_ticket(p, "logs:1", t0);
  ASSERT_TRUE(ticket.ok());
  EXPECT_TRUE(ticket->ticket.starts_with("wst_"));
  EXPECT_FALSE(accounts_->authenticate(ticket->ticket).ok()) << "a ticket is no bearer token";
  auto used = accounts_->redeem_stream_ticket(ticket->ticket, "logs:1", t0 + seconds(1));
  ASSERT_TRUE(used.ok()) << used.error().message;
  EXPECT_EQ(used->user.username, "ann");
  EXPECT_EQ(used->scopes, scope::kRead);
  EXPECT_EQ(accounts_->redeem_stream_ticket(ticket->ticket, "logs:1", t0).error().kind,
            "unauthorized")
      << "single use";

  auto other = accounts_->mint_stream_ticket(p, "logs:1", t0).value();
  EXPECT_FALSE(accounts_->redeem_stream_ticket(other.ticket, "logs:2", t0).ok());
  EXPECT_FALSE(accounts_->redeem_stream_ticket(other.ticket, "logs:1", t0).ok())
      << "a ticket shown for the wrong stream is burnt";

  auto late = accounts_->mint_stream_ticket(p, "logs:1", t0).value();
  EXPECT_FALSE(accounts_->redeem_stream_ticket(late.ticket, "logs:1", t0 + seconds(60)).ok());

  // Unused tickets are bounded per user; they stop counting once expired.
  const auto t1 = t0 + minutes(2);
  for (size_t i = 0; i < StreamTickets::kMaxPerUser; ++i) {
    ASSERT_TRUE(accounts_->mint_stream_ticket(p, "logs:1", t1).ok());
  }
  EXPECT_EQ(accounts_->mint_stream_ticket(p, "logs:1", t1).error().kind, "rate_limited");
  EXPECT_TRUE(accounts_->mint_stream_ticket(p, "logs:1", t1 + minutes(1)).ok());
}

TEST(JwtTest, MistypedHeaderOrClaimsAreRefusedNotThrown) {
  JwtSigner signer(std::vector<uint8_t>(JwtSigner::kSecretBytes, 7));
  auto token = [&](std::string_view header, std::string_view payload) {
    std::string input = base64url_encode(header) + "." + base64url_encode(payload);
    return input + ".AAAA";
  };
  EXPECT_EQ(signer.verify(token(R"({"alg":1})", "{}")).error().kind, "unauthorized");
  EXPECT_EQ(signer.verify(token(R"([1])", "{}")).error().kind, "unauthorized");
  JwtClaims claims{"1", "ann", 0, 4102444800, "sid-1"};
  auto good = signer.verify(signer.issue(claims), Clock::now());
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->session_id, "sid-1");
}

TEST_F(AccountsTest, InviteModeNeedsASingleUseInvite) {
  auto admin_token = accounts_->register_user("admin", "password-1");
  ASSERT_TRUE(admin_token.ok());
  Principal admin = principal(*admin_token);
  ASSERT_TRUE(accounts_->set_registration_mode(admin, RegistrationMode::kInvite).ok());

  auto without = accounts_->register_user("bob", "password-2");
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().kind, "forbidden");
  EXPECT_EQ(accounts_->register_user("bob", "password-2", "inv_made_up").error().kind, "forbidden");

  auto invite = accounts_->create_invite(admin);
  ASSERT_TRUE(invite.ok());
  EXPECT_TRUE(accounts_->register_user("bob", "password-2", invite->code).ok());
  auto reused = accounts_->register_user("carol", "password-3", invite->code);
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().kind, "forbidden");
  EXPECT_FALSE(accounts_->find_user("carol").ok());  // nothing half-created

  Principal bob = principal(accounts_->login("bob", "password-2", "1.2.3.4").value());
  EXPECT_EQ(accounts_->create_invite(bob).error().kind, "forbidden");
}

TEST_F(AccountsTest, AdminListsInvitesAndUsers) {
  Principal admin = principal(accounts_->register_user("admin", "password-1").value());
  ASSERT_TRUE(accounts_->set_registration_mode(admin, RegistrationMode::kInvite).ok());
  auto used = accounts_->create_invite(admin);
  auto unused = accounts_->create_invite(admin);
  ASSERT_TRUE(used.ok() && unused.ok());
  ASSERT_TRUE(accounts_->register_user("bob", "password-2", used->code).ok());

  auto invites = accounts_->list_invites(admin);
  ASSERT_TRUE(invites.ok());
  ASSERT_EQ(invites->size(), 2u);
  int used_count = 0;
  for (const auto& invite : *invites) {
    EXPECT_TRUE(invite.code.empty()) << "listings never reveal a code";
    EXPECT_TRUE(invite.id == used->id || invite.id == unused->id);
    if (invite.used_at_ms) {
      ++used_count;
      EXPECT_EQ(invite.id, used->id);
      EXPECT_EQ(invite.used_by, "bob");
    }
  }
  EXPECT_EQ(used_count, 1);

  auto users = accounts_->list_users(admin);
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].username, "admin");
  EXPECT_TRUE((*users)[0].is_admin);
  EXPECT_EQ((*users)[1].username, "bob");
  EXPECT_FALSE((*users)[1].is_admin);

  Principal bob = principal(accounts_->login("bob", "password-2", "1.2.3.4").value());
  EXPECT_EQ(accounts_->list_invites(bob).error().kind, "forbidden");
  EXPECT_EQ(accounts_->list_users(bob).error().kind, "forbidden");
}

TEST_F(AccountsTest, ClosedModeRefusesEveryoneButTheFirstUserAndPersists) {
  AuthConfig config = test_config();
  config.initial_registration_mode = RegistrationMode::kClosed;
  // SetUp opened this database in open mode; forget that, as on a fresh server.
  ASSERT_TRUE(db_->query("DELETE FROM settings").ok());
  reopen(config);
  ASSERT_TRUE(accounts_->register_user("admin", "password-1").ok());
  EXPECT_EQ(accounts_->register_user("bob", "password-2").error().kind, "forbidden");

  Principal admin = principal(accounts_->login("admin", "password-1", "1.1.1.1").value());
  ASSERT_TRUE(accounts_->set_registration_mode(admin, RegistrationMode::kOpen).ok());
  reopen(config);  // the stored mode wins over the initial one
  EXPECT_EQ(accounts_->registration_mode().value(), RegistrationMode::kOpen);
  EXPECT_TRUE(accounts_->register_user("bob", "password-2").ok());
}

TEST_F(AccountsTest, ApiTokensAuthenticateUntilRevoked) {
  auto ann = accounts_->register_user("ann", "password-1");
  auto bob = accounts_->register_user("bob", "password-2");
  ASSERT_TRUE(ann.ok() && bob.ok());
  auto token = accounts_->create_api_token(ann->user.id, "laptop");
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(token->token.starts_with("wat_"));
  auto p = accounts_->authenticate(token->token);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->user.username, "ann");
  EXPECT_EQ(p->via, Principal::Via::kApiToken);

  auto listed = accounts_->list_api_tokens(ann->user.id);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).name, "laptop");
  EXPECT_TRUE(listed->at(0).last_used_at_ms.has_value());
  // The stored form is a hash, never the token.
  auto raw = db_->query("SELECT token_hash FROM api_tokens");
  EXPECT_NE(raw->rows[0].text(0), token->token);

  EXPECT_EQ(accounts_->revoke_api_token(bob->user.id, listed->at(0).id).error().kind, "not_found");
  ASSERT_TRUE(accounts_->revoke_api_token(ann->user.id, listed->at(0).id).ok());
  EXPECT_EQ(accounts_->authenticate(token->token).error().kind, "unauthorized");
}

TEST(PasswordHasherTest, InteractiveHashIsArgon2id) {
  PasswordHasher hasher(PasswordStrength::kMinimal);
  auto hash = hasher.hash("secret password");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(hasher.verify(*hash, "secret password"));
  EXPECT_FALSE(hasher.verify(*hash, "secret passwore"));
  EXPECT_FALSE(hasher.verify("garbage", "secret password"));
}

TEST(LoginRateLimiterTest, BlocksAfterMaxFailuresUntilTheWindowPasses) {
  LoginRateLimiter limiter({3, seconds(60)});
  const auto t0 = Clock::now();
  for (int i = 0; i < 2; ++i) limiter.record_failure("k", t0 + seconds(i));
  EXPECT_FALSE(limiter.retry_after("k", t0 + seconds(2)).has_value());
  limiter.record_failure("k", t0 + seconds(2));
  auto wait = limiter.retry_after("k", t0 + seconds(3));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->count(), 57);  // the first failure leaves the window at t0 + 60 s
  EXPECT_FALSE(limiter.retry_after("k", t0 + seconds(60)).has_value());
  EXPECT_FALSE(limiter.retry_after("other", t0).has_value());
  limiter.record_failure("k", t0 + seconds(61));
  limiter.reset("k");
  EXPECT_FALSE(limiter.retry_after("k", t0 + seconds(61)).has_value());
}

}  // namespace
}  // namespace wa::platform
