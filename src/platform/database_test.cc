#include "platform/database.h"

#include <gtest/gtest.h>

#include "platform/schema.h"
#include "platform/test_support.h"

namespace wa::platform {
namespace {

TEST(DatabaseTest, FreshDatabaseIsMigratedToLatestVersion) {
  testing::TempDir dir;
  auto db = open_sqlite_database(dir.path() / "x.db");
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto version = (*db)->schema_version();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, latest_schema_version());
  auto mode = (*db)->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->rows.at(0).text(0), "wal");
}

TEST(DatabaseTest, DataSurvivesReopenAndMigrationRunsOnce) {
  testing::TempDir dir;
  {
    auto db = open_sqlite_database(dir.path() / "x.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->query("INSERT INTO settings (key, value) VALUES ('k', 'v')").ok());
  }
  auto db = open_sqlite_database(dir.path() / "x.db");
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto row = (*db)->query("SELECT value FROM settings WHERE key = ?", {std::string("k")});
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->rows.size(), 1u);
  EXPECT_EQ(row->rows[0].text(0), "v");
  auto versions = (*db)->query("SELECT count(*) FROM schema_version");
  EXPECT_EQ(versions->rows.at(0).integer(0), latest_schema_version());
}

TEST(DatabaseTest, NewerSchemaIsRefused) {
  testing::TempDir dir;
  {
    auto db = open_sqlite_database(dir.path() / "x.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->query("INSERT INTO schema_version (version) VALUES (999)").ok());
  }
  auto db = open_sqlite_database(dir.path() / "x.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().kind, "storage");
  EXPECT_NE(db.error().message.find("999"), std::string::npos);
}

TEST(DatabaseTest, FailedTransactionLeavesNothing) {
  testing::TempDir dir;
  auto db = std::move(open_sqlite_database(dir.path() / "x.db")).value();
  Status result = db->transaction([&]() -> Status {
    EXPECT_TRUE(db->query("INSERT INTO settings (key, value) VALUES ('a', '1')").ok());
    return make_error("test", "abort");
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, "test");
  EXPECT_EQ(db->query("SELECT count(*) FROM settings")->rows[0].integer(0), 0);
}

TEST(DatabaseTest, NestedFailureRollsBackOnlyTheInnerPart) {
  testing::TempDir dir;
  auto db = std::move(open_sqlite_database(dir.path() / "x.db")).value();
  Status result = db->transaction([&]() -> Status {
    EXPECT_TRUE(db->query("INSERT INTO settings (key, value) VALUES ('outer', '1')").ok());
    Status inner = db->transaction([&]() -> Status {
      EXPECT_TRUE(db->query("INSERT INTO settings (key, value) VALUES ('inner', '1')").ok());
      return make_error("test", "inner fails");
    });
    EXPECT_FALSE(inner.ok());
    return ok_status();
  });
  ASSERT_TRUE(result.ok());
  auto keys = db->query("SELECT key FROM settings ORDER BY key");
  ASSERT_EQ(keys->rows.size(), 1u);
  EXPECT_EQ(keys->rows[0].text(0), "outer");
}

TEST(DatabaseTest, UniqueViolationIsAConflict) {
  testing::TempDir dir;
  auto db = std::move(open_sqlite_database(dir.path() / "x.db")).value();
  ASSERT_TRUE(db->query("INSERT INTO settings (key, value) VALUES ('a', '1')").ok());
  auto again = db->query("INSERT INTO settings (key, value) VALUES ('a', '2')");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, "conflict");
  auto bad = db->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, "storage");
}

}  // namespace
}  // namespace wa::platform
