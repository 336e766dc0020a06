#include "platform/action_log.h"

#include <gtest/gtest.h>

#include "platform/schema.h"
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

// Batched lines (a chained call's) wait for the batch, but every read sees them, closing
// the log stores them, and a line of an action deleted meanwhile does not sink the batch.
TEST_F(ActionLogTest, BatchedLinesAreStoredByReadsAndOnCloseAndSkipDeletedActions) {
  LogConfig config = small_config();
  config.batch_interval = hours(1);  // the background thread never gets to it in a test
  reopen(config);
  auto subscriber = log_->bus().subscribe(1);
  log_->append_batched(LogEntry{0, 1, 1000, "r.1", LogLevel::kInfo, "ok", "first"});
  log_->append_batched(LogEntry{0, 99, 1000, "r.2", LogLevel::kInfo, "ok", "no such action"});
  log_->append_batched(LogEntry{0, 1, 2000, "r.3", LogLevel::kInfo, "ok", "second"});
  auto persisted = [&] {
    auto rows = db_->query("SELECT COUNT(*) FROM action_logs");
    return rows ? rows->rows[0].integer(0) : -1;
  };
  EXPECT_EQ(persisted(), 0) << "queued, not yet stored";
  EXPECT_TRUE(subscriber->drain().lines.empty());
  EXPECT_EQ(messages(1, std::nullopt, 10), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(persisted(), 2);
  EXPECT_EQ(subscriber->drain().lines.size(), 2u);

  log_->append_batched(LogEntry{0, 2, 3000, "r.4", LogLevel::kInfo, "ok", "at close"});
  reopen(config);
  EXPECT_EQ(messages(2, std::nullopt, 10), (std::vector<std::string>{"at close"}));
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

// Issue 10: a chained call's id is "<parent id>.<n>"; its lines name the parent.
TEST(LogEntryTest, JsonNamesTheParentOfAChainedCallOnly) {
  LogEntry root{1, 1, 5, "00ff00ff00ff00ff", LogLevel::kInfo, "ok", "m"};
  EXPECT_FALSE(root.to_json().contains("parent_request_id")) << root.to_json().dump();
  EXPECT_EQ(root.to_json()["request_id"], "00ff00ff00ff00ff");
  LogEntry child = root;
  child.request_id = "00ff00ff00ff00ff.2";
  EXPECT_EQ(child.to_json()["parent_request_id"], "00ff00ff00ff00ff");
  child.request_id = "abc.2.11";
  EXPECT_EQ(child.to_json()["parent_request_id"], "abc.2");
  EXPECT_EQ(child.to_json()["request_id"], "abc.2.11");
  EXPECT_EQ(parent_request_id(""), "");
  EXPECT_EQ(parent_request_id("abc"), "");
  EXPECT_EQ(parent_request_id(".1"), "") << "no root: nothing to name";
}

class RequestLogTest : public ActionLogTest {
 protected:
  void SetUp() override {
    ActionLogTest::SetUp();
    // A second owner whose ids collide with the first one's: never shown to user 1.
    ASSERT_TRUE(db_->query("INSERT INTO users (id, username, password_hash, created_at) "
                           "VALUES (2, 'v', 'x', 0)")
                    .ok());
    ASSERT_TRUE(db_->query("INSERT INTO actions (id, owner_id, name, route, settings, "
                           "created_at, updated_at) VALUES (3, 2, 'theirs', '/t', '{}', 0, 0)")
                    .ok());
  }

  Status line(int64_t action, const std::string& request_id, const std::string& message) {
    return log_->append(LogEntry{0, action, 1000, request_id, LogLevel::kInfo, "ok", message});
  }

  // "action:message" of every line of the request, in the order returned.
  std::vector<std::string> chain(int64_t owner, const std::string& id, size_t limit = 500) {
    std::vector<std::string> out;
    auto found = log_->for_request(owner, id, limit);
    EXPECT_TRUE(found.ok()) << found.error().message;
    if (found.ok()) {
      for (const auto& l : *found) out.push_back(l.action + ":" + l.entry.message);
    }
    return out;
  }
};

TEST_F(RequestLogTest, FindsTheRequestAndEveryCallChainedFromItOldestFirst) {
  ASSERT_TRUE(line(1, "abc", "root").ok());
  ASSERT_TRUE(line(2, "abc.1", "child1").ok());
  ASSERT_TRUE(line(1, "abc.1.1", "grandchild").ok());
  ASSERT_TRUE(line(2, "abc.2", "child2").ok());
  ASSERT_TRUE(line(1, "abc", "root again").ok());
  ASSERT_TRUE(line(2, "abc.10", "child10").ok());
  // Neighbours in byte order that are not part of the chain.
  for (std::string other : {"ab", "abd", "abcd", "abc0", "abc/", "abc-1", "xabc.1", "ab.c"}) {
    ASSERT_TRUE(line(1, other, "other " + other).ok());
  }
  ASSERT_TRUE(line(3, "abc", "not yours").ok());
  ASSERT_TRUE(line(3, "abc.3", "not yours either").ok());

  EXPECT_EQ(chain(1, "abc"),
            (std::vector<std::string>{"a1:root", "a2:child1", "a1:grandchild", "a2:child2",
                                      "a1:root again", "a2:child10"}));
  EXPECT_EQ(chain(1, "abc.1"), (std::vector<std::string>{"a2:child1", "a1:grandchild"}))
      << "a subtree: its own lines and its descendants'";
  EXPECT_EQ(chain(1, "abc.1.1"), (std::vector<std::string>{"a1:grandchild"}));
  EXPECT_EQ(chain(2, "abc"),
            (std::vector<std::string>{"theirs:not yours", "theirs:not yours either"}));
  EXPECT_TRUE(chain(1, "zzz").empty());
  EXPECT_TRUE(chain(1, "").empty()) << "an empty id is no prefix of everything";
  EXPECT_EQ(chain(1, "abc", 2), (std::vector<std::string>{"a1:root", "a2:child1"}))
      << "the oldest `limit` lines";

  auto found = log_->for_request(1, "abc.1.1");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  const auto& entry = found->front().entry;
  EXPECT_EQ(entry.action_id, 1);
  EXPECT_EQ(entry.request_id, "abc.1.1");
  EXPECT_EQ(entry.to_json()["parent_request_id"], "abc.1");
  EXPECT_GT(entry.id, 0);
}

TEST_F(RequestLogTest, LinesSurviveAReopenAndGoWithTheirAction) {
  ASSERT_TRUE(line(1, "abc", "root").ok());
  ASSERT_TRUE(line(2, "abc.1", "child").ok());
  reopen();
  EXPECT_EQ(chain(1, "abc"), (std::vector<std::string>{"a1:root", "a2:child"}));
  ASSERT_TRUE(db_->query("DELETE FROM actions WHERE id = 2").ok());
  EXPECT_EQ(chain(1, "abc"), (std::vector<std::string>{"a1:root"}));
}

TEST_F(RequestLogTest, TheQueryUsesTheRequestIdIndex) {
  auto plan = db_->query(
      "EXPLAIN QUERY PLAN " + std::string(ActionLog::for_request_sql()),
      {std::string("abc"), std::string("abc."), std::string("abc/"), int64_t{1}, int64_t{500}});
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  std::string details;
  for (const auto& row : plan->rows) details += row.text(3) + "\n";
  EXPECT_NE(details.find("action_logs_by_request"), std::string::npos) << details;
  EXPECT_EQ(details.find("SCAN l"), std::string::npos) << "no full scan of the log:\n" << details;
}

// Schema version 4 adds the index; a database from before it gets it on open.
TEST_F(RequestLogTest, AnOlderDatabaseGetsTheIndexWhenOpened) {
  auto index_count = [&] {
    return db_
        ->query("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
                {std::string("action_logs_by_request")})
        ->rows.at(0)
        .integer(0);
  };
  ASSERT_EQ(index_count(), 1);
  ASSERT_TRUE(line(1, "abc.1", "kept").ok());
  ASSERT_TRUE(db_->query("DROP INDEX action_logs_by_request").ok());
  ASSERT_TRUE(db_->query("DELETE FROM schema_version WHERE version >= 4").ok());
  reopen();
  EXPECT_EQ(index_count(), 1);
  EXPECT_EQ(db_->schema_version().value(), latest_schema_version());
  EXPECT_EQ(chain(1, "abc"), (std::vector<std::string>{"a1:kept"}));
}

}  // namespace
}  // namespace wa::platform
