#include "platform/disk_gc.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "platform/module_store.h"
#include "platform/test_support.h"

namespace wa::platform {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

void touch(const fs::path& path, std::string_view text = "x") {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A pid that certainly named a process that is gone: a child that exited and was reaped.
long dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

std::string self() { return std::to_string(::getpid()); }

class DiskGcTest : public ::testing::Test {
 protected:
  DiskGcTest() : store_(dir_.path() / "modules") {}

  DiskGcConfig config() const {
    return DiskGcConfig{dir_.path() / "modules", dir_.path() / "artifacts", dir_.path(), 1h};
  }
  fs::path artifact(const std::string& sha, const std::string& tier) const {
    return dir_.path() / "artifacts" / sha.substr(0, 2) / (sha + "." + tier + ".0123abcd.so");
  }

  testing::TempDir dir_;
  LocalModuleStore store_;
};

TEST(DiskGcNames, PidsInTempFilesAndWorkDirs) {
  EXPECT_EQ(pid_in_temp_name("abc.wasm.tmp.1234.987654"), 1234);
  EXPECT_EQ(pid_in_temp_name("jwt.secret.tmp.7.1"), 7);
  EXPECT_EQ(pid_in_temp_name("0123456789abcdef.fast.4321.99887766"), 4321);
  EXPECT_EQ(pid_in_temp_name("0123456789abcdef.optimized.12.1"), 12);
  for (const char* none :
       {"abc.wasm", "abc.wasm.tmp.x.1", "abc.tmp.123", "work", "0123456789abcdef.fast.x.1",
        "0123456789abcde.fast.1.1", "0123456789abcdef.fast.1.1.1",
        "0123456789abcdef.fast.99999999999.1", "abc.tmp.0.1"}) {
    EXPECT_EQ(pid_in_temp_name(none), 0) << none;
  }
}

TEST_F(DiskGcTest, UnreferencedModulesAndTheirArtifactsGoSharedAndUnknownFilesStay) {
  const std::string kept = store_.put(bytes_of("asm kept")).value();
  const std::string gone = store_.put(bytes_of("asm gone")).value();
  for (const auto& sha : {kept, gone}) {
    touch(artifact(sha, "fast"));
    touch(artifact(sha, "optimized"));
  }
  // Not ours to judge: left alone.
  const fs::path stranger = dir_.path() / "modules" / gone.substr(0, 2) / "notes.txt";
  touch(stranger);
  const fs::path backup = store_.path_for(gone).string() + ".bak";
  touch(backup);

  DiskGarbageCollector gc(config());
  std::set<std::string> asked;
  auto stats = gc.sweep([&](std::string_view sha) {
    asked.insert(std::string(sha));
    return sha == kept;
  });
  EXPECT_EQ(stats.modules_removed, 1u);
  EXPECT_EQ(stats.artifacts_removed, 2u);
  EXPECT_EQ(stats.errors, 0u);
  EXPECT_GT(stats.bytes_freed, 0u);
  EXPECT_TRUE(store_.contains(kept));
  EXPECT_TRUE(fs::exists(artifact(kept, "fast")));
  EXPECT_TRUE(fs::exists(artifact(kept, "optimized")));
  EXPECT_FALSE(store_.contains(gone));
  EXPECT_FALSE(fs::exists(artifact(gone, "fast")));
  EXPECT_FALSE(fs::exists(artifact(gone, "optimized")));
  EXPECT_TRUE(fs::exists(stranger));
  EXPECT_TRUE(fs::exists(backup));
  EXPECT_EQ(asked, (std::set<std::string>{kept, gone}));

  // Nothing left to do.
  EXPECT_EQ(gc.sweep([&](std::string_view sha) { return sha == kept; }).removed(), 0u);
}

TEST_F(DiskGcTest, AbandonedTempFilesAndWorkDirsGoLiveOnesStay) {
  const std::string dead = std::to_string(dead_pid());
  const fs::path fan = dir_.path() / "modules" / "ab";
  const fs::path work = dir_.path() / "artifacts" / "tmp";
  const fs::path dead_temp = fan / ("ab12.wasm.tmp." + dead + ".42");
  const fs::path live_temp = fan / ("ab34.wasm.tmp." + self() + ".43");
  const fs::path other_live_temp = fan / "ab56.wasm.tmp.1.44";  // pid 1 is alive
  const fs::path old_unnamed = work / "left-over";
  const fs::path fresh_unnamed = work / "someone-elses";
  const fs::path dead_work = work / ("0123456789abcdef.fast." + dead + ".77");
  const fs::path live_work = work / ("0123456789abcdef.optimized." + self() + ".78");
  const fs::path dead_secret = dir_.path() / ("jwt.secret.tmp." + dead + ".9");
  const fs::path database = dir_.path() / "wasm-actions.db";
  for (const auto& file : {dead_temp, live_temp, other_live_temp, dead_secret, database}) {
    touch(file);
  }
  for (const auto& dir : {old_unnamed, fresh_unnamed, dead_work, live_work}) {
    touch(dir / "guest.c", "int x;");
    touch(dir / "module.wasm");
  }
  // Older than the abandoned age, whatever the name says.
  fs::last_write_time(old_unnamed, fs::file_time_type::clock::now() - 2h);

  DiskGarbageCollector gc(config());
  auto stats = gc.sweep([](std::string_view) { return true; });
  EXPECT_EQ(stats.temp_files_removed, 2u);
  EXPECT_EQ(stats.work_dirs_removed, 2u);
  EXPECT_EQ(stats.modules_removed + stats.artifacts_removed, 0u);
  EXPECT_FALSE(fs::exists(dead_temp));
  EXPECT_FALSE(fs::exists(dead_secret));
  EXPECT_FALSE(fs::exists(dead_work));
  EXPECT_FALSE(fs::exists(old_unnamed));
  // A write or compile in flight (this process, or another live one) is never touched.
  EXPECT_TRUE(fs::exists(live_temp));
  EXPECT_TRUE(fs::exists(other_live_temp));
  EXPECT_TRUE(fs::exists(live_work / "guest.c"));
  EXPECT_TRUE(fs::exists(fresh_unnamed));
  EXPECT_TRUE(fs::exists(database));
}

TEST_F(DiskGcTest, OwnPidFilesFromBeforeTheCollectorAreAReusedPid) {
  // After a restart in a container the server often gets the same pid again: files
  // named after it that predate this collector belong to the killed predecessor.
  const fs::path stale =
      dir_.path() / "artifacts" / "tmp" / ("0123456789abcdef.fast." + self() + ".1");
  const fs::path stale_temp = dir_.path() / ("port.tmp." + self() + ".2");
  touch(stale / "guest.c");
  touch(stale_temp);
  fs::last_write_time(stale, fs::file_time_type::clock::now() - 10min);
  fs::last_write_time(stale_temp, fs::file_time_type::clock::now() - 10min);
  DiskGarbageCollector gc(config());
  const fs::path mine = dir_.path() / ("port.tmp." + self() + ".3");
  touch(mine);  // created after the collector started: a write in flight
  auto stats = gc.sweep([](std::string_view) { return true; });
  EXPECT_EQ(stats.work_dirs_removed, 1u);
  EXPECT_EQ(stats.temp_files_removed, 1u);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(stale_temp));
  EXPECT_TRUE(fs::exists(mine));
}

// A toolchain upgrade changes the artifact key: the old build of that tier is never loaded
// again and would otherwise stay forever.
TEST_F(DiskGcTest, BuildsSupersededByANewerKeyGo) {
  const std::string sha = store_.put(bytes_of("asm rebuilt")).value();
  const fs::path fan = dir_.path() / "artifacts" / sha.substr(0, 2);
  const fs::path old_fast = fan / (sha + ".fast.00aa.so");
  const fs::path new_fast = fan / (sha + ".fast.11bb.so");
  const fs::path only_optimized = fan / (sha + ".optimized.00aa.so");
  for (const auto& file : {old_fast, new_fast, only_optimized}) touch(file);
  fs::last_write_time(old_fast, fs::file_time_type::clock::now() - 2h);
  fs::last_write_time(only_optimized, fs::file_time_type::clock::now() - 2h);
  DiskGarbageCollector gc(config());
  auto stats = gc.sweep([](std::string_view) { return true; });
  EXPECT_EQ(stats.artifacts_removed, 1u);
  EXPECT_FALSE(fs::exists(old_fast));
  EXPECT_TRUE(fs::exists(new_fast));
  EXPECT_TRUE(fs::exists(only_optimized));
  EXPECT_TRUE(store_.contains(sha));
}

TEST_F(DiskGcTest, RemoveModuleTakesOnlyThatModulesFiles) {
  const std::string one = store_.put(bytes_of("asm one")).value();
  const std::string two = store_.put(bytes_of("asm two")).value();
  touch(artifact(one, "fast"));
  touch(artifact(two, "fast"));
  DiskGarbageCollector gc(config());
  auto stats = gc.remove_module(one);
  EXPECT_EQ(stats.modules_removed, 1u);
  EXPECT_EQ(stats.artifacts_removed, 1u);
  EXPECT_FALSE(store_.contains(one));
  EXPECT_FALSE(fs::exists(artifact(one, "fast")));
  EXPECT_TRUE(store_.contains(two));
  EXPECT_TRUE(fs::exists(artifact(two, "fast")));
  EXPECT_EQ(gc.remove_module("../../etc").removed(), 0u);
  EXPECT_EQ(gc.remove_module(one).removed(), 0u);  // already gone: nothing, no error
}

TEST_F(DiskGcTest, MissingDirectoriesAreNotAnError) {
  DiskGarbageCollector gc(DiskGcConfig{dir_.path() / "nope", dir_.path() / "nada", {}, 1h});
  auto stats = gc.sweep([](std::string_view) { return false; });
  EXPECT_EQ(stats.removed(), 0u);
  EXPECT_EQ(stats.errors, 0u);
}

}  // namespace
}  // namespace wa::platform
