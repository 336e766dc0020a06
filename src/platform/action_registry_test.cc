#include "platform/action_registry.h"

#include <gtest/gtest.h>

#include "platform/test_support.h"

namespace wa::platform {
namespace {

class ActionRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen();
    ann_ = add_user("ann");
    bob_ = add_user("bob");
  }

  void reopen() {
    registry_.reset();
    db_.reset();
    db_ = std::move(open_sqlite_database(dir_.path() / "wasm-actions.db")).value();
    auto opened = ActionRegistry::open(*db_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    registry_ = std::move(opened).value();
  }

  int64_t add_user(const std::string& name) {
    return db_
        ->query("INSERT INTO users (username, password_hash, created_at) VALUES (?, 'x', 0)",
                {name})
        ->last_insert_id;
  }

  static NewVersion module(char c) { return NewVersion{std::string(64, c), 100}; }
  ActionSettings defaults() const { return ActionSettings::defaults(registry_->limits()); }

  Expected<Action> create(int64_t owner, const std::string& name, const std::string& route,
                          char module_char = 'a') {
    return registry_->create(owner, name, route, defaults(), module(module_char));
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ActionRegistry> registry_;
  int64_t ann_ = 0;
  int64_t bob_ = 0;
};

TEST_F(ActionRegistryTest, CreateMakesVersionOneCurrentAndRoutable) {
  auto a = create(ann_, "hello", "/hello");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->owner_name, "ann");
  ASSERT_TRUE(a->current.has_value());
  EXPECT_EQ(a->current->number, 1);
  EXPECT_EQ(a->current->status, VersionStatus::kCompiling);
  auto m = registry_->match("/hello");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->action->id, a->id);
  EXPECT_EQ(m->action->current->module_sha256, std::string(64, 'a'));
}

TEST_F(ActionRegistryTest, RoutesAreGlobalAndNamesArePerUser) {
  ASSERT_TRUE(create(ann_, "hello", "/hello").ok());
  auto taken = create(bob_, "other", "/hello");
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().kind, "conflict");
  EXPECT_NE(taken.error().message.find("route"), std::string::npos);

  auto same_name = create(ann_, "hello", "/hello2");
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.error().kind, "conflict");
  EXPECT_NE(same_name.error().message.find("named"), std::string::npos);

  EXPECT_TRUE(create(bob_, "hello", "/bobs-hello").ok());  // another user's same name
  EXPECT_TRUE(create(ann_, "tree", "/hello/...").ok());    // own prefix on the same path
  EXPECT_EQ(registry_->list(bob_)->size(), 1u);
  EXPECT_EQ(registry_->list_all()->size(), 3u);
}

// Issue 8 item 10: with ann on "/shop/...", bob's exact "/shop/checkout" used to win every
// request to it (exact beats prefix).
TEST_F(ActionRegistryTest, RouteInsideAnotherUsersPrefixIsAConflict) {
  ASSERT_TRUE(create(ann_, "shop", "/shop/...").ok());
  for (const char* inside : {"/shop/checkout", "/shop", "/shop/a/b/...", "/shop/x/..."}) {
    auto taken = create(bob_, "takeover", inside);
    ASSERT_FALSE(taken.ok()) << inside;
    EXPECT_EQ(taken.error().kind, "conflict") << inside;
    EXPECT_NE(taken.error().message.find("'/shop/...'"), std::string::npos)
        << taken.error().message;
  }
  EXPECT_EQ(registry_->match("/shop/checkout")->action->owner_id, ann_);
  // Near misses and the owner's own nesting are fine.
  EXPECT_TRUE(create(bob_, "shopping", "/shopping").ok());
  EXPECT_TRUE(create(bob_, "other", "/other/shop/...").ok());
  auto own = create(ann_, "checkout", "/shop/checkout");
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_EQ(registry_->match("/shop/checkout")->action->id, own->id);

  // Moving a route there is refused the same way.
  ASSERT_TRUE(create(bob_, "mover", "/elsewhere").ok());
  auto moved = registry_->update_route(bob_, "mover", "/shop/cart");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().kind, "conflict");
  EXPECT_EQ(registry_->get(bob_, "mover")->route.text(), "/elsewhere");
}

TEST_F(ActionRegistryTest, PrefixOverAnotherUsersRoutesIsAConflict) {
  ASSERT_TRUE(create(ann_, "checkout", "/store/checkout").ok());
  ASSERT_TRUE(create(ann_, "exact", "/exact").ok());
  for (const char* over : {"/store/...", "/exact/..."}) {
    auto taken = create(bob_, "swallow", over);
    ASSERT_FALSE(taken.ok()) << over;
    EXPECT_EQ(taken.error().kind, "conflict") << over;
    EXPECT_NE(taken.error().message.find("would take over"), std::string::npos)
        << taken.error().message;
  }
  ASSERT_TRUE(create(bob_, "mover", "/bob").ok());
  EXPECT_EQ(registry_->update_route(bob_, "mover", "/store/...").error().kind, "conflict");
  // "/storefront/..." is another tree; ann may cover her own routes.
  EXPECT_TRUE(create(bob_, "front", "/storefront/...").ok());
  EXPECT_TRUE(create(ann_, "store", "/store/...").ok());
  EXPECT_EQ(registry_->match("/store/checkout")->action->name, "checkout");
  EXPECT_EQ(registry_->match("/store/other")->action->name, "store");
}

TEST_F(ActionRegistryTest, UsageCountsActionsAndDistinctModules) {
  EXPECT_EQ(registry_->usage(ann_)->actions, 0u);
  EXPECT_EQ(registry_->usage(ann_)->module_bytes, 0u);
  ASSERT_TRUE(create(ann_, "one", "/one", 'a').ok());
  ASSERT_TRUE(create(ann_, "two", "/two", 'a').ok());  // same module: counted once
  ASSERT_TRUE(registry_->add_version(ann_, "two", module('b')).ok());
  ASSERT_TRUE(create(bob_, "bobs", "/bobs", 'a').ok());
  auto ann = registry_->usage(ann_);
  ASSERT_TRUE(ann.ok());
  EXPECT_EQ(ann->actions, 2u);
  EXPECT_EQ(ann->module_bytes, 200u);
  EXPECT_EQ(registry_->usage(bob_)->module_bytes, 100u);
  EXPECT_TRUE(registry_->owner_has_module(ann_, std::string(64, 'b')).value());
  EXPECT_FALSE(registry_->owner_has_module(bob_, std::string(64, 'b')).value());
  auto referenced = registry_->referenced_modules();
  ASSERT_TRUE(referenced.ok());
  EXPECT_EQ(referenced->size(), 2u);
  ASSERT_TRUE(registry_->remove(ann_, "two").ok());
  EXPECT_EQ(registry_->referenced_modules()->size(), 1u);
}

TEST_F(ActionRegistryTest, BadInputIsRefusedAndNothingIsStored) {
  EXPECT_EQ(create(ann_, "x", "/").error().kind, "reserved_route");
  EXPECT_EQ(create(ann_, "x", "/api/v1/x").error().kind, "reserved_route");
  EXPECT_EQ(create(ann_, "x", "no-slash").error().kind, "invalid_route");
  EXPECT_EQ(create(ann_, "bad name", "/x").error().kind, "invalid_argument");
  ActionSettings too_slow = defaults();
  too_slow.timeout = std::chrono::hours(1);
  EXPECT_EQ(registry_->create(ann_, "x", "/x", too_slow, module('a')).error().kind,
            "invalid_argument");
  EXPECT_EQ(db_->query("SELECT count(*) FROM actions")->rows[0].integer(0), 0);
  EXPECT_EQ(db_->query("SELECT count(*) FROM action_versions")->rows[0].integer(0), 0);
}

TEST_F(ActionRegistryTest, OtherUsersSeeNothing) {
  ASSERT_TRUE(create(ann_, "hello", "/hello").ok());
  EXPECT_EQ(registry_->get(bob_, "hello").error().kind, "not_found");
  EXPECT_EQ(registry_->add_version(bob_, "hello", module('b')).error().kind, "not_found");
  EXPECT_EQ(registry_->remove(bob_, "hello").error().kind, "not_found");
  EXPECT_EQ(registry_->rollback(bob_, "hello").error().kind, "not_found");
  EXPECT_TRUE(registry_->list(bob_)->empty());
  EXPECT_TRUE(registry_->get(ann_, "hello").ok());
}

TEST_F(ActionRegistryTest, VersionsAccumulateAndRollbackGoesBack) {
  ASSERT_TRUE(create(ann_, "hello", "/hello", 'a').ok());
  ASSERT_TRUE(registry_->add_version(ann_, "hello", module('b')).ok());
  auto v3 = registry_->add_version(ann_, "hello", module('c'));
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(v3->current->number, 3);
  EXPECT_EQ(registry_->match("/hello")->action->current->module_sha256, std::string(64, 'c'));

  // Version 2 failed to compile: rollback skips it.
  ASSERT_TRUE(
      registry_->set_module_status(std::string(64, 'b'), VersionStatus::kFailed, "boom").ok());
  auto back = registry_->rollback(ann_, "hello");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->current->number, 1);
  EXPECT_EQ(registry_->match("/hello")->action->current->module_sha256, std::string(64, 'a'));

  auto none = registry_->rollback(ann_, "hello");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, "conflict");
  auto forward = registry_->rollback(ann_, "hello", 3);
  ASSERT_TRUE(forward.ok());
  EXPECT_EQ(forward->current->number, 3);
  EXPECT_EQ(registry_->rollback(ann_, "hello", 2).error().kind, "conflict");

  auto versions = registry_->versions(ann_, "hello");
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ(versions->at(1).status, VersionStatus::kFailed);
  EXPECT_EQ(versions->at(1).error, "boom");
}

TEST_F(ActionRegistryTest, ModuleStatusOnlyMovesForward) {
  ASSERT_TRUE(create(ann_, "hello", "/hello", 'a').ok());
  const std::string sha(64, 'a');
  ASSERT_TRUE(registry_->set_module_status(sha, VersionStatus::kOptimized).ok());
  ASSERT_TRUE(registry_->set_module_status(sha, VersionStatus::kReady).ok());
  ASSERT_TRUE(registry_->set_module_status(sha, VersionStatus::kFailed, "late").ok());
  auto a = registry_->get(ann_, "hello");
  EXPECT_EQ(a->current->status, VersionStatus::kOptimized);
  EXPECT_EQ(registry_->match("/hello")->action->current->status, VersionStatus::kOptimized);
  EXPECT_TRUE(registry_->current_versions_compiling()->empty());
}

TEST_F(ActionRegistryTest, SettingsRouteAndRemovalPersistAcrossReopen) {
  ASSERT_TRUE(create(ann_, "hello", "/hello").ok());
  ActionSettings s = defaults();
  s.env = {{"GREETING", "hi"}};
  s.timeout = std::chrono::milliseconds(1500);
  s.enabled = false;
  ASSERT_TRUE(registry_->update_settings(ann_, "hello", s).ok());
  ASSERT_TRUE(registry_->update_route(ann_, "hello", "/greet/...").ok());
  ASSERT_TRUE(create(ann_, "gone", "/gone").ok());
  ASSERT_TRUE(registry_->remove(ann_, "gone").ok());
  reopen();
  auto a = registry_->get(ann_, "hello");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->settings.timeout.count(), 1500);
  EXPECT_FALSE(a->settings.enabled);
  ASSERT_EQ(a->settings.env.size(), 1u);
  EXPECT_EQ(a->settings.env[0].second, "hi");
  EXPECT_FALSE(registry_->match("/hello").has_value());
  EXPECT_EQ(registry_->match("/greet/x")->path_info, "/x");
  EXPECT_FALSE(registry_->match("/gone").has_value());
  EXPECT_EQ(registry_->get(ann_, "gone").error().kind, "not_found");
}

// Issue 8 item 22: memory_limit_mb 2^44+1 times 2^20 wrapped to 1 MiB and was accepted.
TEST(ActionSettingsTest, NumbersAreCheckedBeforeConverting) {
  ActionLimits limits;
  auto base = ActionSettings::defaults(limits);
  for (const char* bad :
       {R"({"memory_limit_mb": 17592186044417})", R"({"memory_limit_mb": 18446744073709551615})",
        R"({"memory_limit_mb": 1e30})", R"({"memory_limit_mb": 64.5})",
        R"({"memory_limit_mb": 64.0})", R"({"memory_limit_mb": "64"})",
        R"({"memory_limit_mb": -1})", R"({"memory_limit_mb": 0})", R"({"memory_limit_mb": true})",
        R"({"memory_limit_mb": null})", R"({"timeout_ms": -5})", R"({"timeout_ms": 0})",
        R"({"timeout_ms": 18446744073709551615})", R"({"timeout_ms": 9223372036854775807})",
        R"({"timeout_ms": 1.5})", R"({"timeout_ms": "1000"})", R"({"timeout_ms": [1]})"}) {
    auto patched = apply_settings_json(nlohmann::json::parse(bad), base);
    ASSERT_FALSE(patched.ok()) << bad;
    EXPECT_EQ(patched.error().kind, "invalid_argument") << bad;
    EXPECT_NE(patched.error().message.find("must be an integer from 1"), std::string::npos)
        << patched.error().message;
  }
  auto huge =
      apply_settings_json(nlohmann::json::parse(R"({"memory_limit_mb": 17592186044417})"), base);
  EXPECT_NE(huge.error().message.find("17592186044417"), std::string::npos);
  // In range for the JSON, over the server's maximum: validate_settings names the maximum.
  auto over = apply_settings_json(nlohmann::json::parse(R"({"memory_limit_mb": 4096})"), base);
  ASSERT_TRUE(over.ok());
  auto checked = validate_settings(*over, limits);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.error().message.find("1024"), std::string::npos) << checked.error().message;
  auto fine = apply_settings_json(
      nlohmann::json::parse(R"({"memory_limit_mb": 1024, "timeout_ms": 60000})"), base);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->memory_limit_bytes, 1ull << 30);
  EXPECT_TRUE(validate_settings(*fine, limits).ok());
}

TEST(ActionSettingsTest, JsonPatchAppliesKnownKeysAndRejectsOthers) {
  ActionLimits limits;
  auto base = ActionSettings::defaults(limits);
  auto patched = apply_settings_json(
      nlohmann::json::parse(R"({"timeout_ms": 2000, "env": {"A": "1"}, "enabled": false})"), base);
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->timeout.count(), 2000);
  EXPECT_FALSE(patched->enabled);
  EXPECT_EQ(patched->memory_limit_bytes, base.memory_limit_bytes);
  EXPECT_EQ(apply_settings_json(nlohmann::json::parse(R"({"bogus": 1})"), base).error().kind,
            "invalid_argument");
  EXPECT_FALSE(apply_settings_json(nlohmann::json::parse(R"({"timeout_ms": "x"})"), base).ok());
  ActionSettings bad_env = base;
  bad_env.env = {{"1BAD", "x"}};
  EXPECT_FALSE(validate_settings(bad_env, limits).ok());
  ActionSettings big = base;
  big.memory_limit_bytes = limits.max_memory_limit_bytes * 2;
  EXPECT_FALSE(validate_settings(big, limits).ok());
}

}  // namespace
}  // namespace wa::platform
