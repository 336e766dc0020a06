// path_* inside a temporary preopen: normal use, readdir cookies, read-only preopens,
// and every way out of the sandbox being refused.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "wasi/wasi_test_support.h"

namespace wa::wasi::testing {
namespace {

constexpr uint32_t kPreopenFd = 3;
constexpr Rights kReadWrite =
    kRightFdRead | kRightFdWrite | kRightFdSeek | kRightFdTell | kRightFdFilestatGet;

class PathTest : public WasiTest {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(outside_.path() / "sandbox");
    std::ofstream(outside_.path() / "secret") << "outside";
    sandbox_ = outside_.path() / "sandbox";
  }
  void create_with_preopen(bool read_only = false) {
    config.preopens = {Preopen{sandbox_.string(), "/", read_only}};
    create();
  }
  Errno path_call(Errno (*fn)(Context&, u32, u32, u32), const std::string& path) {
    put(kPathAt, path);
    return fn(*ctx, kPreopenFd, kPathAt, static_cast<u32>(path.size()));
  }
  std::string host_file(const std::string& name) {
    std::ifstream in(sandbox_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  TempDir outside_;
  std::filesystem::path sandbox_;
};

TEST_F(PathTest, PreopenIsAnnouncedAtFd3) {
  create_with_preopen();
  ASSERT_EQ(fd_prestat_get(*ctx, kPreopenFd, 0), Errno::kSuccess);
  EXPECT_EQ(get<uint8_t>(0), kPreopenDir);
  EXPECT_EQ(get<uint32_t>(4), 1u);
  EXPECT_EQ(fd_prestat_dir_name(*ctx, kPreopenFd, 16, 0), Errno::kNametoolong);
  ASSERT_EQ(fd_prestat_dir_name(*ctx, kPreopenFd, 16, 1), Errno::kSuccess);
  EXPECT_EQ(get_string(16, 1), "/");
  EXPECT_EQ(fd_prestat_get(*ctx, 4, 0), Errno::kBadf);
}

TEST_F(PathTest, MissingPreopenDirectoryIsAClearError) {
  config.preopens = {Preopen{(outside_.path() / "nope").string(), "/data", false}};
  auto created = Context::create(config);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, "preopen");
  EXPECT_NE(created.error().message.find("nope"), std::string::npos);
}

TEST_F(PathTest, CreateWriteSeekAndReadAFile) {
  create_with_preopen();
  uint32_t fd = 0;
  ASSERT_EQ(open_path(kPreopenFd, "notes.txt", kOflagCreat | kOflagExcl, kReadWrite, fd),
            Errno::kSuccess);
  EXPECT_GT(fd, kPreopenFd - 1);
  uint32_t written = 0;
  ASSERT_EQ(write_fd(fd, "hello sandbox", written), Errno::kSuccess);
  EXPECT_EQ(host_file("notes.txt"), "hello sandbox");
  ASSERT_EQ(fd_seek(*ctx, fd, 6, kWhenceSet, kResultAt), Errno::kSuccess);
  std::string got;
  ASSERT_EQ(read_fd(fd, 100, got), Errno::kSuccess);
  EXPECT_EQ(got, "sandbox");
  ASSERT_EQ(fd_filestat_get(*ctx, fd, 512), Errno::kSuccess);
  EXPECT_EQ(get<uint8_t>(512 + 16), static_cast<uint8_t>(Filetype::kRegularFile));
  EXPECT_EQ(get<uint64_t>(512 + 32), 13u);
  EXPECT_EQ(open_path(kPreopenFd, "notes.txt", kOflagCreat | kOflagExcl, kReadWrite, fd),
            Errno::kExist);
}

TEST_F(PathTest, DirectoriesCanBeCreatedListedAndRemoved) {
  create_with_preopen();
  ASSERT_EQ(path_call(path_create_directory, "sub"), Errno::kSuccess);
  ASSERT_EQ(path_call(path_create_directory, "sub/inner"), Errno::kSuccess);
  EXPECT_EQ(path_call(path_remove_directory, "sub"), Errno::kNotempty);
  EXPECT_EQ(path_call(path_unlink_file, "sub/inner"), Errno::kIsdir);
  EXPECT_EQ(path_call(path_remove_directory, "sub/inner/"), Errno::kSuccess);
  EXPECT_EQ(path_call(path_remove_directory, "sub"), Errno::kSuccess);
  EXPECT_FALSE(std::filesystem::exists(sandbox_ / "sub"));
}

TEST_F(PathTest, ReaddirCookiesResumeWhereTheBufferEnded) {
  for (const char* name : {"a", "bb", "ccc"}) std::ofstream(sandbox_ / name) << name;
  create_with_preopen();
  // Read one entry at a time via a small buffer and follow d_next cookies.
  std::map<std::string, uint8_t> seen;
  uint64_t cookie = 0;
  for (int guard = 0; guard < 20; ++guard) {
    ASSERT_EQ(fd_readdir(*ctx, kPreopenFd, 4096, 24 + 3, cookie, kResultAt), Errno::kSuccess);
    const uint32_t used = get<uint32_t>(kResultAt);
    if (used == 0) break;
    const uint32_t name_len = get<uint32_t>(4096 + 16);
    ASSERT_LE(name_len, 3u);
    seen[get_string(4096 + 24, name_len)] = get<uint8_t>(4096 + 20);
    cookie = get<uint64_t>(4096);
  }
  EXPECT_EQ(seen.size(), 5u);  // ".", "..", "a", "bb", "ccc"
  EXPECT_EQ(seen["."], static_cast<uint8_t>(Filetype::kDirectory));
  EXPECT_EQ(seen["bb"], static_cast<uint8_t>(Filetype::kRegularFile));
  // A cookie past the end yields nothing.
  ASSERT_EQ(fd_readdir(*ctx, kPreopenFd, 4096, 512, 1000, kResultAt), Errno::kSuccess);
  EXPECT_EQ(get<uint32_t>(kResultAt), 0u);
}

TEST_F(PathTest, DotDotAndAbsolutePathsCannotLeaveThePreopen) {
  create_with_preopen();
  uint32_t fd = 0;
  EXPECT_EQ(open_path(kPreopenFd, "../secret", 0, kRightFdRead, fd), Errno::kPerm);
  EXPECT_EQ(open_path(kPreopenFd, "/etc/passwd", 0, kRightFdRead, fd), Errno::kPerm);
  EXPECT_EQ(open_path(kPreopenFd, "./../sandbox/../secret", 0, kRightFdRead, fd), Errno::kPerm);
  EXPECT_EQ(open_path(kPreopenFd, "..", kOflagDirectory, kRightFdReaddir, fd), Errno::kPerm);
  EXPECT_EQ(open_path(kPreopenFd, std::string("x\0y", 3), 0, kRightFdRead, fd), Errno::kInval);
  EXPECT_EQ(path_call(path_unlink_file, "../secret"), Errno::kPerm);
  EXPECT_EQ(path_call(path_create_directory, "../escaped"), Errno::kPerm);
  EXPECT_EQ(path_call(path_remove_directory, ".."), Errno::kPerm);
  EXPECT_TRUE(std::filesystem::exists(outside_.path() / "secret"));
  EXPECT_FALSE(std::filesystem::exists(outside_.path() / "escaped"));
}

TEST_F(PathTest, SymlinksCannotLeadOutOfThePreopen) {
  std::filesystem::create_symlink("../secret", sandbox_ / "relative_out");
  std::filesystem::create_symlink(outside_.path() / "secret", sandbox_ / "absolute_out");
  std::filesystem::create_symlink("/etc/passwd", sandbox_ / "etc_passwd");
  std::filesystem::create_directory_symlink("..", sandbox_ / "parent");
  create_with_preopen();
  uint32_t fd = 0;
  for (const char* path : {"relative_out", "absolute_out", "etc_passwd"}) {
    EXPECT_EQ(open_path(kPreopenFd, path, 0, kRightFdRead, fd, kLookupSymlinkFollow),
              Errno::kPerm)
        << path;
  }
  EXPECT_EQ(open_path(kPreopenFd, "parent/secret", 0, kRightFdRead, fd), Errno::kPerm);
  // Not following the last component: the link itself cannot be opened as a file.
  EXPECT_EQ(open_path(kPreopenFd, "relative_out", 0, kRightFdRead, fd), Errno::kLoop);
  // Creating through an escaping link is refused too.
  EXPECT_EQ(path_call(path_create_directory, "parent/escaped"), Errno::kPerm);
  EXPECT_FALSE(std::filesystem::exists(outside_.path() / "escaped"));
}

TEST_F(PathTest, SymlinksInsideTheSandboxWorkAndAbsoluteTargetsAreRefused) {
  std::ofstream(sandbox_ / "target") << "inside";
  create_with_preopen();
  put(100, "target");
  put(200, "link");
  ASSERT_EQ(path_symlink(*ctx, 100, 6, kPreopenFd, 200, 4), Errno::kSuccess);
  uint32_t fd = 0;
  ASSERT_EQ(open_path(kPreopenFd, "link", 0, kRightFdRead, fd, kLookupSymlinkFollow),
            Errno::kSuccess);
  std::string got;
  ASSERT_EQ(read_fd(fd, 100, got), Errno::kSuccess);
  EXPECT_EQ(got, "inside");
  ASSERT_EQ(path_readlink(*ctx, kPreopenFd, 200, 4, 300, 64, kResultAt), Errno::kSuccess);
  EXPECT_EQ(get_string(300, get<uint32_t>(kResultAt)), "target");
  put(100, "/etc/passwd");
  put(200, "abs");
  EXPECT_EQ(path_symlink(*ctx, 100, 11, kPreopenFd, 200, 3), Errno::kPerm);
  EXPECT_FALSE(std::filesystem::is_symlink(sandbox_ / "abs"));
}

TEST_F(PathTest, ReadOnlyPreopenRefusesWrites) {
  std::ofstream(sandbox_ / "data") << "keep";
  create_with_preopen(/*read_only=*/true);
  uint32_t fd = 0;
  EXPECT_EQ(open_path(kPreopenFd, "data", 0, kRightFdWrite, fd), Errno::kNotcapable);
  EXPECT_EQ(open_path(kPreopenFd, "new", kOflagCreat, kRightFdRead, fd), Errno::kNotcapable);
  EXPECT_EQ(path_call(path_unlink_file, "data"), Errno::kNotcapable);
  EXPECT_EQ(path_call(path_create_directory, "dir"), Errno::kNotcapable);
  ASSERT_EQ(open_path(kPreopenFd, "data", 0, kRightFdRead, fd), Errno::kSuccess);
  uint32_t written = 0;
  EXPECT_EQ(write_fd(fd, "x", written), Errno::kNotcapable);
  std::string got;
  ASSERT_EQ(read_fd(fd, 10, got), Errno::kSuccess);
  EXPECT_EQ(got, "keep");
}

TEST_F(PathTest, RightsCanOnlyBeDropped) {
  create_with_preopen();
  uint32_t fd = 0;
  ASSERT_EQ(open_path(kPreopenFd, "f", kOflagCreat, kReadWrite, fd), Errno::kSuccess);
  ASSERT_EQ(fd_fdstat_set_rights(*ctx, fd, kRightFdRead, 0), Errno::kSuccess);
  uint32_t written = 0;
  EXPECT_EQ(write_fd(fd, "x", written), Errno::kNotcapable);
  EXPECT_EQ(fd_fdstat_set_rights(*ctx, fd, kReadWrite, 0), Errno::kNotcapable);
}

TEST_F(PathTest, PathArgumentsOutsideMemoryAreEfault) {
  create_with_preopen();
  EXPECT_EQ(path_create_directory(*ctx, kPreopenFd, kPageBytes - 2, 5), Errno::kFault);
  EXPECT_EQ(path_open(*ctx, kPreopenFd, 0, 0xFFFFFFF0, 32, 0, 0, 0, 0, 0), Errno::kFault);
  put(kPathAt, "x");
  EXPECT_EQ(path_open(*ctx, kPreopenFd, 0, kPathAt, 1, kOflagCreat, 0, 0, 0, kPageBytes),
            Errno::kFault);
}

}  // namespace
}  // namespace wa::wasi::testing
