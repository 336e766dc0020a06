#include "platform/module_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "platform/test_support.h"
#include "support/sha256.h"

namespace wa::platform {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

size_t count_files(const std::filesystem::path& root) {
  size_t n = 0;
  for (auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) ++n;
  }
  return n;
}

TEST(ModuleStoreTest, StoresUnderItsHashAndReadsBack) {
  testing::TempDir dir;
  LocalModuleStore store(dir.path());
  const auto data = bytes_of("\0asm module one");
  auto sha = store.put(data);
  ASSERT_TRUE(sha.ok()) << sha.error().message;
  EXPECT_EQ(*sha, sha256_hex(data));
  EXPECT_EQ(store.path_for(*sha), dir.path() / sha->substr(0, 2) / (*sha + ".wasm"));
  EXPECT_TRUE(std::filesystem::exists(store.path_for(*sha)));
  auto back = store.get(*sha);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
}

TEST(ModuleStoreTest, SameBytesAreStoredOnce) {
  testing::TempDir dir;
  LocalModuleStore store(dir.path());
  auto a = store.put(bytes_of("same"));
  auto b = store.put(bytes_of("same"));
  auto c = store.put(bytes_of("different"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(count_files(dir.path()), 2u);  // no temp files left behind either
}

TEST(ModuleStoreTest, MissingCorruptAndMalformedAreErrors) {
  testing::TempDir dir;
  LocalModuleStore store(dir.path());
  auto missing = store.get(std::string(64, 'a'));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, "not_found");

  auto sha = store.put(bytes_of("original"));
  ASSERT_TRUE(sha.ok());
  std::ofstream(store.path_for(*sha), std::ios::trunc) << "tampered";
  auto corrupt = store.get(*sha);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().kind, "storage");

  auto malformed = store.get("../../etc/passwd");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().kind, "invalid_argument");
  EXPECT_FALSE(store.contains("../x"));
}

TEST(ModuleStoreTest, RemoveDeletesTheFile) {
  testing::TempDir dir;
  LocalModuleStore store(dir.path());
  auto sha = store.put(bytes_of("gone soon"));
  ASSERT_TRUE(sha.ok());
  ASSERT_TRUE(store.contains(*sha));
  ASSERT_TRUE(store.remove(*sha).ok());
  EXPECT_FALSE(store.contains(*sha));
}

}  // namespace
}  // namespace wa::platform
