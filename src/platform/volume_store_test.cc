// VolumeStore over a real SQLite file and real directories: names, paths, quotas,
// isolation between owners, and symlinks (a guest may plant them) never followed by any
// operation.
#include "platform/volume_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "platform/test_support.h"

namespace wa::platform {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class VolumeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = open_sqlite_database(dir_.path() / "test.db");
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    for (const char* name : {"ann", "bob"}) {
      auto r =
          db_->query("INSERT INTO users (username, password_hash, created_at) VALUES (?, 'x', 0)",
                     {std::string(name)});
      ASSERT_TRUE(r.ok());
      (std::string(name) == "ann" ? ann_ : bob_) = r->last_insert_id;
    }
    std::ofstream(dir_.path() / "secret") << "outside";
    fs::create_directory(dir_.path() / "outside_dir");
    std::ofstream(dir_.path() / "outside_dir" / "inner") << "outside too";
    reopen();
  }
  void reopen() {
    store_.reset();
    limits_.default_quota_bytes = 1000;
    limits_.max_quota_bytes = 100000;
    limits_.max_volumes_per_owner = 3;
    auto store = VolumeStore::open(*db_, dir_.path() / "volumes", limits_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }
  fs::path dir_of(std::string_view volume, int64_t owner) {
    return store_->directory_of(store_->find(owner, volume)->id);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  VolumeLimits limits_;
  std::unique_ptr<VolumeStore> store_;
  int64_t ann_ = 0, bob_ = 0;
};

TEST(VolumePath, AcceptsRelativePathsAndRefusesEverythingElse) {
  EXPECT_TRUE(validate_volume_path("index.html").ok());
  EXPECT_TRUE(validate_volume_path("a/b/c.txt").ok());
  EXPECT_TRUE(validate_volume_path(".hidden/..dots").ok());
  EXPECT_TRUE(validate_volume_path(std::string(255, 'x')).ok());
  for (const std::string& bad : std::vector<std::string>{
           "", "/etc/passwd", "../x", "a/../b", "a/./b", ".", "..", "a//b", "a/", "a\\b",
           std::string("a\0b", 3), std::string(256, 'x'), std::string(1025, 'a')}) {
    auto st = validate_volume_path(bad);
    EXPECT_FALSE(st.ok()) << bad;
    if (!st.ok()) {
      EXPECT_EQ(st.error().kind, "invalid_argument");
    }
  }
  std::string deep;
  for (int i = 0; i < 205; ++i) deep += "abcd/";
  deep += "f";
  EXPECT_FALSE(validate_volume_path(deep).ok());  // 1026 bytes
}

TEST(VolumeName, FollowsTheActionNameRule) {
  EXPECT_TRUE(valid_volume_name("site"));
  EXPECT_TRUE(valid_volume_name("0a_b.c-d"));
  EXPECT_FALSE(valid_volume_name(""));
  EXPECT_FALSE(valid_volume_name(".site"));
  EXPECT_FALSE(valid_volume_name("a/b"));
  EXPECT_FALSE(valid_volume_name(std::string(65, 'a')));
}

TEST_F(VolumeStoreTest, CreateListRemove) {
  auto site = store_->create(ann_, "site");
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site->quota_bytes, 1000u);
  EXPECT_EQ(store_->create(ann_, "site").error().kind, "conflict");
  EXPECT_EQ(store_->create(ann_, "bad/name").error().kind, "invalid_argument");
  EXPECT_EQ(store_->create(ann_, "big", 100001).error().kind, "invalid_argument");
  EXPECT_EQ(store_->create(ann_, "zero", 0).error().kind, "invalid_argument");
  ASSERT_TRUE(store_->create(ann_, "two", 5000).ok());
  ASSERT_TRUE(store_->create(ann_, "three").ok());
  EXPECT_EQ(store_->create(ann_, "four").error().kind, "quota_exceeded");
  // Bob has his own namespace: the same name is fine.
  ASSERT_TRUE(store_->create(bob_, "site").ok());

  ASSERT_TRUE(store_->put_file(ann_, "site", "a/b.txt", "hello").ok());
  auto list = store_->list(ann_);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "site");
  EXPECT_EQ((*list)[0].bytes, 5u);
  EXPECT_EQ((*list)[0].files, 1u);
  EXPECT_EQ((*list)[2].name, "two");
  EXPECT_EQ((*list)[2].quota_bytes, 5000u);

  const fs::path old_dir = dir_of("site", ann_);
  ASSERT_TRUE(store_->remove(ann_, "site").ok());
  EXPECT_FALSE(fs::exists(old_dir));
  EXPECT_EQ(store_->remove(ann_, "site").error().kind, "not_found");
  // Re-created, it is empty: a new id, a new directory.
  ASSERT_TRUE(store_->create(ann_, "site").ok());
  EXPECT_EQ(store_->read_file(ann_, "site", "a/b.txt").error().kind, "not_found");
  EXPECT_TRUE(store_->list_files(ann_, "site", "")->empty());
}

TEST_F(VolumeStoreTest, OwnersNeverSeeEachOthersVolumes) {
  ASSERT_TRUE(store_->create(ann_, "private").ok());
  ASSERT_TRUE(store_->put_file(ann_, "private", "f", "ann's").ok());
  EXPECT_EQ(store_->find(bob_, "private").error().kind, "not_found");
  EXPECT_EQ(store_->read_file(bob_, "private", "f").error().kind, "not_found");
  EXPECT_EQ(store_->put_file(bob_, "private", "f", "bob's").error().kind, "not_found");
  EXPECT_EQ(store_->delete_file(bob_, "private", "f").error().kind, "not_found");
  EXPECT_EQ(store_->list_files(bob_, "private", "").error().kind, "not_found");
  EXPECT_EQ(store_->remove(bob_, "private").error().kind, "not_found");
  EXPECT_EQ(
      store_->preopens(bob_, {{"private", "/p", capabilities::Access::kReadOnly}}).error().kind,
      "not_found");
  EXPECT_TRUE(store_->list(bob_)->empty());
  EXPECT_EQ(store_->read_file(ann_, "private", "f").value(), "ann's");
}

TEST_F(VolumeStoreTest, FilesRoundTripAndListSorted) {
  ASSERT_TRUE(store_->create(ann_, "site").ok());
  EXPECT_EQ(store_->put_file(ann_, "site", "index.html", "<h1>hi</h1>").value(), true);
  EXPECT_EQ(store_->put_file(ann_, "site", "index.html", "<h1>hello</h1>").value(), false);
  ASSERT_TRUE(store_->put_file(ann_, "site", "css/site.css", "body{}").ok());
  ASSERT_TRUE(store_->put_file(ann_, "site", "css/deep/x.css", "").ok());
  EXPECT_EQ(store_->read_file(ann_, "site", "index.html").value(), "<h1>hello</h1>");
  auto files = store_->list_files(ann_, "site", "");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].path, "css/deep/x.css");
  EXPECT_EQ((*files)[1].path, "css/site.css");
  EXPECT_EQ((*files)[2].path, "index.html");
  EXPECT_EQ((*files)[2].size, 14u);
  EXPECT_GT((*files)[2].modified_at_ms, 0);
  auto css = store_->list_files(ann_, "site", "css/");
  ASSERT_EQ(css->size(), 2u);
  // A directory is not a file.
  EXPECT_EQ(store_->read_file(ann_, "site", "css").error().kind, "not_found");
  EXPECT_EQ(store_->delete_file(ann_, "site", "css").error().kind, "not_found");
  EXPECT_EQ(store_->put_file(ann_, "site", "css", "x").error().kind, "invalid_argument");
  // A file in the way of a directory.
  EXPECT_EQ(store_->put_file(ann_, "site", "index.html/x", "x").error().kind, "invalid_argument");
  EXPECT_EQ(store_->put_file(ann_, "site", "../escape", "x").error().kind, "invalid_argument");
  ASSERT_TRUE(store_->delete_file(ann_, "site", "index.html").ok());
  EXPECT_EQ(store_->delete_file(ann_, "site", "index.html").error().kind, "not_found");
  EXPECT_EQ(store_->read_file(ann_, "site", "missing/dir/f").error().kind, "not_found");
}

TEST_F(VolumeStoreTest, QuotaCountsUploadsReplacementsAndDeletes) {
  ASSERT_TRUE(store_->create(ann_, "small", 100).ok());
  ASSERT_TRUE(store_->put_file(ann_, "small", "a", std::string(60, 'a')).ok());
  auto over = store_->put_file(ann_, "small", "b", std::string(41, 'b'));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, "quota_exceeded");
  EXPECT_EQ(store_->read_file(ann_, "small", "b").error().kind, "not_found");
  EXPECT_EQ(store_->put_file(ann_, "small", "huge", std::string(101, 'h')).error().kind,
            "quota_exceeded");
  ASSERT_TRUE(store_->put_file(ann_, "small", "b", std::string(40, 'b')).ok());
  // Replacing a 60-byte file with 60 bytes needs nothing more.
  ASSERT_TRUE(store_->put_file(ann_, "small", "a", std::string(60, 'c')).ok());
  EXPECT_EQ(store_->find(ann_, "small")->bytes, 100u);
  ASSERT_TRUE(store_->put_file(ann_, "small", "a", "short").ok());
  EXPECT_EQ(store_->find(ann_, "small")->bytes, 45u);
  ASSERT_TRUE(store_->delete_file(ann_, "small", "b").ok());
  EXPECT_EQ(store_->find(ann_, "small")->bytes, 5u);
  // The guests' budget is the same object.
  auto preopens = store_->preopens(ann_, {{"small", "/s", capabilities::Access::kReadWrite}});
  ASSERT_TRUE(preopens.ok());
  EXPECT_EQ((*preopens)[0].quota->used(), 5u);
  EXPECT_FALSE((*preopens)[0].read_only);
  EXPECT_EQ((*preopens)[0].guest_path, "/s");
  // Usage survives a restart: it is scanned from the files.
  preopens->clear();
  reopen();
  EXPECT_EQ(store_->find(ann_, "small")->bytes, 5u);
}

TEST_F(VolumeStoreTest, SymlinksAreNeverFollowed) {
  ASSERT_TRUE(store_->create(ann_, "site").ok());
  ASSERT_TRUE(store_->put_file(ann_, "site", "dir/real.txt", "real").ok());
  const fs::path vol = dir_of("site", ann_);
  // What a guest with read-write access can leave behind.
  fs::create_symlink(dir_.path() / "secret", vol / "passwd");
  fs::create_symlink(dir_.path() / "outside_dir", vol / "out");
  fs::create_symlink(dir_.path() / "outside_dir", vol / "dir" / "mid");
  fs::create_symlink("real.txt", vol / "dir" / "inside_link");

  for (const char* path : {"passwd", "out/inner", "dir/mid/inner", "dir/inside_link", "out"}) {
    auto read = store_->read_file(ann_, "site", path);
    ASSERT_FALSE(read.ok()) << path;
    EXPECT_TRUE(read.error().kind == "not_found" || read.error().kind == "invalid_argument")
        << path << ": " << read.error().kind;
  }
  // Writes through a link in a middle component are refused and change nothing outside.
  EXPECT_EQ(store_->put_file(ann_, "site", "out/inner", "pwned").error().kind, "invalid_argument");
  EXPECT_EQ(store_->put_file(ann_, "site", "dir/mid/new", "pwned").error().kind,
            "invalid_argument");
  EXPECT_EQ(store_->delete_file(ann_, "site", "out/inner").error().kind, "invalid_argument");
  EXPECT_EQ(store_->delete_file(ann_, "site", "dir/mid/inner").error().kind, "invalid_argument");
  EXPECT_EQ(slurp(dir_.path() / "outside_dir" / "inner"), "outside too");
  EXPECT_FALSE(fs::exists(dir_.path() / "outside_dir" / "new"));
  // Writing to a link's own name replaces the link, not its target.
  ASSERT_TRUE(store_->put_file(ann_, "site", "passwd", "mine").ok());
  EXPECT_EQ(slurp(dir_.path() / "secret"), "outside");
  EXPECT_EQ(store_->read_file(ann_, "site", "passwd").value(), "mine");
  // Deleting a link removes the link only.
  ASSERT_TRUE(store_->delete_file(ann_, "site", "dir/inside_link").ok());
  EXPECT_TRUE(fs::exists(vol / "dir" / "real.txt"));
  // Listing shows links as links and never descends into them.
  auto files = store_->list_files(ann_, "site", "");
  ASSERT_TRUE(files.ok());
  std::vector<std::string> paths;
  for (const auto& f : *files) {
    paths.push_back(f.path + (f.symlink ? "@" : ""));
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"dir/mid@", "dir/real.txt", "out@", "passwd"}));
  // Removing the volume removes the links, not what they point to.
  ASSERT_TRUE(store_->remove(ann_, "site").ok());
  EXPECT_EQ(slurp(dir_.path() / "secret"), "outside");
  EXPECT_EQ(slurp(dir_.path() / "outside_dir" / "inner"), "outside too");
}

TEST_F(VolumeStoreTest, OrphanDirectoriesAndUnfinishedUploadsGoAtOpen) {
  ASSERT_TRUE(store_->create(ann_, "keep").ok());
  ASSERT_TRUE(store_->put_file(ann_, "keep", "f", "x").ok());
  fs::create_directories(dir_.path() / "volumes" / "999" / "sub");
  std::ofstream(dir_.path() / "volumes" / ".tmp" / "1.2.3") << "half";
  std::ofstream(dir_.path() / "volumes" / "notes.txt") << "not ours";
  reopen();
  EXPECT_FALSE(fs::exists(dir_.path() / "volumes" / "999"));
  EXPECT_FALSE(fs::exists(dir_.path() / "volumes" / ".tmp" / "1.2.3"));
  EXPECT_TRUE(fs::exists(dir_.path() / "volumes" / "notes.txt"));
  EXPECT_EQ(store_->read_file(ann_, "keep", "f").value(), "x");
}

TEST_F(VolumeStoreTest, PreopensNameAVolumeThatIsGone) {
  ASSERT_TRUE(store_->create(ann_, "site").ok());
  auto ok = store_->preopens(ann_, {{"site", "/site", capabilities::Access::kReadOnly}});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE((*ok)[0].read_only);
  EXPECT_TRUE(fs::is_directory((*ok)[0].host_path));
  auto gone = store_->preopens(ann_, {{"site", "/site", capabilities::Access::kReadOnly},
                                      {"gone", "/gone", capabilities::Access::kReadOnly}});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, "not_found");
  EXPECT_NE(gone.error().message.find("gone"), std::string::npos);
}

}  // namespace
}  // namespace wa::platform
