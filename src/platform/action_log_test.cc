#include "platform/action_log.h"

#include <gtest/gtest.h>

#include "platform/test_support.h"

namespace wa::platform {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class ActionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reopen();
    ASSERT_TRUE(db_->query("INSERT INTO users (id, username, password_hash, created_at) "
                           "VALUES (1, 'u', 'x', 0)")
                    .ok());
    for (int id : {1, 2}) {
      ASSERT_TRUE(db_->query("INSERT INTO actions (id, owner_id, name, route, settings, "
                             "created_at, updated_at) VALUES (?, 1, ?, ?, '{}', 0, 0)",
                             {int64_t{id}, "a" + std::to_string(id), "/a" + std::to_string(id)})
                      .ok());
    }
  }

  void reopen(LogConfig config = small_config()) {
    log_.reset();
    db_.reset();
    db_ = std::move(open_sqlite_database(dir_.path() / "wasm-actions.db")).value();
    log_ = std::make_unique<ActionLog>(*db_, config);
  }

  static LogConfig small_config() {
    LogConfig config;
    config.ring_capacity = 5;
    config.max_persisted_per_action = 8;
    config.max_line_bytes = 20;
    config.max_lines_per_request = 3;
    return config;
  }

  Status add(int64_t action, int64_t time_ms, const std::string& message) {
    return log_->append(LogEntry{0, action, time_ms, "req", LogLevel::kInfo, "ok", message});
  }

  std::vector<std::string> messages(int64_t action, std::optional<int64_t> since, size_t limit) {
    std::vector<std::string> out;
    auto entries = log_->recent(action, since, limit);
    EXPECT_TRUE(entries.ok());
    if (entries.ok()) {
      for (const auto& e : *entries) out.push_back(e.message);
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ActionLog> log_;
};

TEST_F(ActionLogTest, AppendedLinesArePushedToSubscribersOfTheirAction) {
  auto one = log_->bus().subscribe(1, /*capacity=*/3);
  auto other = log_->bus().subscribe(2);
  ASSERT_TRUE(add(1, 1000, "first").ok());
  ASSERT_TRUE(log_->append_stderr(1, "r", "ok", "a\nb\n", from_unix_ms(2000)).ok());
  auto drained = one->drain();
  ASSERT_EQ(drained.lines.size(), 3u);
  EXPECT_EQ(drained.lines[0].message, "first");
  EXPECT_EQ(drained.lines[2].message, "b");
  EXPECT_GT(drained.lines[2].id, drained.lines[0].id) << "stored lines carry their ids";
  EXPECT_EQ(drained.dropped, 0u);
  EXPECT_TRUE(other->drain().lines.empty());
  EXPECT_TRUE(one->drain().lines.empty()) << "drained once";

  for (int i = 0; i < 5; ++i) ASSERT_TRUE(add(1, 3000 + i, "n" + std::to_string(i)).ok());
  drained = one->drain();
  ASSERT_EQ(drained.lines.size(), 3u) << "bounded: the oldest go";
  EXPECT_EQ(drained.lines[0].message, "n2");
  EXPECT_EQ(drained.dropped, 2u);

  log_->forget(1);
  EXPECT_TRUE(one->drain().closed);
  EXPECT_FALSE(other->drain().closed);
}

TEST_F(ActionLogTest, RecentReturnsNewestLinesOldestFirst) {
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(add(1, 1000 * i, "line" + std::to_string(i)).ok());
  ASSERT_TRUE(add(2, 1000, "other action").ok());
  EXPECT_EQ(messages(1, std::nullopt, 2), (std::vector<std::string>{"line3", "line4"}));
  EXPECT_EQ(messages(1, 2000, 10), (std::vector<std::string>{"line2", "line3", "line4"}));
  EXPECT_EQ(messages(2, std::nullopt, 10), (std::vector<std::string>{"other action"}));
}

TEST_F(ActionLogTest, OlderLinesThanTheRingComeFromTheDatabase) {
  for (int i = 1; i <= 7; ++i) ASSERT_TRUE(add(1, 1000 * i, "line" + std::to_string(i)).ok());
  // The ring holds 5 lines; asking for all 7 reads the table.
  EXPECT_EQ(messages(1, 0, 10).size(), 7u);
  EXPECT_EQ(messages(1, std::nullopt, 10).front(), "line1");
}

TEST_F(ActionLogTest, LinesSurviveReopen) {
  ASSERT_TRUE(add(1, 1000, "before restart").ok());
  reopen();
  EXPECT_EQ(messages(1, std::nullopt, 10), (std::vector<std::string>{"before restart"}));
  ASSERT_TRUE(add(1, 2000, "after restart").ok());
  EXPECT_EQ(messages(1, std::nullopt, 10),
            (std::vector<std::string>{"before restart", "after restart"}));
}

TEST_F(ActionLogTest, StderrIsSplitCappedAndLongLinesCut) {
  ASSERT_TRUE(
      log_->append_stderr(1, "r1", "ok", "one\r\ntwo\nthree\nfour\nfive\n", from_unix_ms(5000))
          .ok());
  auto entries = log_->recent(1, std::nullopt, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ(entries->at(0).message, "one");
  EXPECT_EQ(entries->at(2).message, "three");
  EXPECT_EQ(entries->at(3).level, LogLevel::kWarn);
  EXPECT_NE(entries->at(3).message.find("2 more"), std::string::npos);
  EXPECT_EQ(entries->at(0).request_id, "r1");
  ASSERT_TRUE(add(1, 6000, std::string(50, 'x')).ok());
  EXPECT_EQ(messages(1, 6000, 1).at(0), std::string(20, 'x') + "…");
}

TEST_F(ActionLogTest, PruneDropsOldLinesAndEnforcesThePerActionCap) {
  const TimePoint now = from_unix_ms(1'700'000'000'000);
  const int64_t old_ms = to_unix_ms(now - hours(24 * 8));
  ASSERT_TRUE(add(1, old_ms, "ancient").ok());
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(add(2, to_unix_ms(now) + i, "n" + std::to_string(i)).ok());
  auto removed = log_->prune(now);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 3);  // 1 too old + 2 over the cap of 8
  reopen();
  EXPECT_TRUE(messages(1, std::nullopt, 10).empty());
  auto kept = messages(2, std::nullopt, 20);
  ASSERT_EQ(kept.size(), 8u);
  EXPECT_EQ(kept.front(), "n2");
}

TEST_F(ActionLogTest, DeletingTheActionDeletesItsLines) {
  ASSERT_TRUE(add(1, 1000, "x").ok());
  ASSERT_TRUE(db_->query("DELETE FROM actions WHERE id = 1").ok());
  log_->forget(1);
  EXPECT_TRUE(messages(1, std::nullopt, 10).empty());
}

}  // namespace
}  // namespace wa::platform
