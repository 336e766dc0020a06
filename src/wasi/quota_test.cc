// DiskQuota on a preopen: writes that grow files are charged, removals and truncations
// credit, a write past the limit fails with dquot and changes nothing, concurrent writers
// never pass the limit; and a read-only preopen refuses every call that writes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "wasi/wasi_test_support.h"

namespace wa::wasi::testing {
namespace {

constexpr uint32_t kPreopenFd = 3;
constexpr Rights kReadWrite = kRightFdRead | kRightFdWrite | kRightFdSeek | kRightFdTell |
                              kRightFdFilestatGet | kRightFdFilestatSetSize | kRightFdAllocate;

uint64_t host_file_size(const std::filesystem::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class QuotaTest : public WasiTest {
 protected:
  void create_with_quota(uint64_t limit, uint64_t used = 0) {
    quota_ = std::make_shared<DiskQuota>(limit, used);
    config.preopens = {Preopen{dir_.path().string(), "/data", false, quota_}};
    create();
  }
  Errno path_call(Errno (*fn)(Context&, u32, u32, u32), const std::string& path) {
    put(kPathAt, path);
    return fn(*ctx, kPreopenFd, kPathAt, static_cast<u32>(path.size()));
  }
  Errno rename(const std::string& from, const std::string& to, uint32_t to_fd = kPreopenFd) {
    put(kPathAt, from);
    put(kPathAt + 512, to);
    return path_rename(*ctx, kPreopenFd, kPathAt, static_cast<u32>(from.size()), to_fd,
                       kPathAt + 512, static_cast<u32>(to.size()));
  }
  Errno pwrite_fd(uint32_t fd, const std::string& data, uint64_t offset) {
    put(kDataAt, data);
    put_iovec(kIovecAt, kDataAt, static_cast<uint32_t>(data.size()));
    return fd_pwrite(*ctx, fd, kIovecAt, 1, offset, kResultAt);
  }

  TempDir dir_;
  std::shared_ptr<DiskQuota> quota_;
};

TEST(DiskQuota, ChargesUpToTheLimitAndCreditsNeverBelowZero) {
  DiskQuota quota(100, 10);
  EXPECT_TRUE(quota.try_charge(90));
  EXPECT_EQ(quota.used(), 100u);
  EXPECT_FALSE(quota.try_charge(1));
  EXPECT_FALSE(quota.try_charge(UINT64_MAX));
  quota.credit(30);
  EXPECT_EQ(quota.used(), 70u);
  quota.credit(1000);
  EXPECT_EQ(quota.used(), 0u);
}

TEST_F(QuotaTest, WritesAreChargedAndRemovalsCredited) {
  create_with_quota(1000);
  uint32_t fd = 0, written = 0;
  ASSERT_EQ(open_path(kPreopenFd, "a.txt", kOflagCreat, kReadWrite, fd), Errno::kSuccess);
  ASSERT_EQ(write_fd(fd, std::string(300, 'a'), written), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 300u);
  // Overwriting in place does not grow the file.
  ASSERT_EQ(fd_seek(*ctx, fd, 0, kWhenceSet, kResultAt), Errno::kSuccess);
  ASSERT_EQ(write_fd(fd, std::string(100, 'b'), written), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 300u);
  // A write far past the end charges the hole too (logical size counts).
  ASSERT_EQ(pwrite_fd(fd, "z", 499), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 500u);
  ASSERT_EQ(fd_filestat_set_size(*ctx, fd, 200), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 200u);
  ASSERT_EQ(fd_allocate(*ctx, fd, 0, 400), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 400u);
  ASSERT_EQ(fd_close(*ctx, fd), Errno::kSuccess);

  // Opening with O_TRUNC gives the old size back.
  ASSERT_EQ(open_path(kPreopenFd, "a.txt", kOflagTrunc, kReadWrite, fd), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 0u);
  ASSERT_EQ(write_fd(fd, std::string(50, 'c'), written), Errno::kSuccess);
  ASSERT_EQ(fd_close(*ctx, fd), Errno::kSuccess);

  ASSERT_EQ(open_path(kPreopenFd, "b.txt", kOflagCreat, kReadWrite, fd), Errno::kSuccess);
  ASSERT_EQ(write_fd(fd, std::string(70, 'd'), written), Errno::kSuccess);
  ASSERT_EQ(fd_close(*ctx, fd), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 120u);
  // Renaming over a file gives the replaced file's bytes back.
  ASSERT_EQ(rename("b.txt", "a.txt"), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 70u);
  ASSERT_EQ(path_call(path_unlink_file, "a.txt"), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 0u);
}

TEST_F(QuotaTest, OverQuotaWriteFailsWithDquotAndWritesNothing) {
  std::ofstream(dir_.path() / "f") << "0123456789";
  create_with_quota(/*limit=*/15, /*used=*/10);
  uint32_t fd = 0, written = 0;
  ASSERT_EQ(open_path(kPreopenFd, "f", 0, kReadWrite, fd), Errno::kSuccess);
  ASSERT_EQ(fd_seek(*ctx, fd, 0, kWhenceEnd, kResultAt), Errno::kSuccess);
  EXPECT_EQ(write_fd(fd, "abcdef", written), Errno::kDquot);
  EXPECT_EQ(pwrite_fd(fd, "x", 15), Errno::kDquot);
  EXPECT_EQ(fd_filestat_set_size(*ctx, fd, 16), Errno::kDquot);
  EXPECT_EQ(fd_allocate(*ctx, fd, 10, 6), Errno::kDquot);
  EXPECT_EQ(file_text(dir_.path() / "f"), "0123456789");
  EXPECT_EQ(quota_->used(), 10u);
  // Exactly up to the limit is fine.
  ASSERT_EQ(write_fd(fd, "abcde", written), Errno::kSuccess);
  EXPECT_EQ(written, 5u);
  EXPECT_EQ(quota_->used(), 15u);
  EXPECT_EQ(file_text(dir_.path() / "f"), "0123456789abcde");
}

TEST_F(QuotaTest, HardLinksCountOnceAndCreditOnTheLastUnlink) {
  create_with_quota(1000);
  uint32_t fd = 0, written = 0;
  ASSERT_EQ(open_path(kPreopenFd, "a", kOflagCreat, kReadWrite, fd), Errno::kSuccess);
  ASSERT_EQ(write_fd(fd, std::string(100, 'a'), written), Errno::kSuccess);
  ASSERT_EQ(fd_close(*ctx, fd), Errno::kSuccess);
  put(kPathAt, "a");
  put(kPathAt + 512, "b");
  ASSERT_EQ(path_link(*ctx, kPreopenFd, 0, kPathAt, 1, kPreopenFd, kPathAt + 512, 1),
            Errno::kSuccess);
  ASSERT_EQ(path_call(path_unlink_file, "a"), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 100u);  // "b" still holds the bytes
  ASSERT_EQ(path_call(path_unlink_file, "b"), Errno::kSuccess);
  EXPECT_EQ(quota_->used(), 0u);
}

TEST_F(QuotaTest, RenameAndLinkAcrossBudgetsAreRefused) {
  TempDir other;
  quota_ = std::make_shared<DiskQuota>(1000, 0);
  config.preopens = {
      Preopen{dir_.path().string(), "/a", false, quota_},
      Preopen{other.path().string(), "/b", false, std::make_shared<DiskQuota>(1000, 0)}};
  create();
  std::ofstream(dir_.path() / "f") << "data";
  EXPECT_EQ(rename("f", "g", kPreopenFd + 1), Errno::kXdev);
  put(kPathAt, "f");
  put(kPathAt + 512, "g");
  EXPECT_EQ(path_link(*ctx, kPreopenFd, 0, kPathAt, 1, kPreopenFd + 1, kPathAt + 512, 1),
            Errno::kXdev);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "f"));
  EXPECT_FALSE(std::filesystem::exists(other.path() / "g"));
}

// Each writer is its own guest call (its own Context) mapping the same volume.
TEST_F(QuotaTest, ConcurrentWritersNeverPassTheLimit) {
  constexpr uint64_t kLimit = 10000;
  auto quota = std::make_shared<DiskQuota>(kLimit, 0);
  constexpr int kWriters = 4;
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::vector<uint8_t> bytes(kPageBytes);
      wasm_rt_memory_t memory{};
      memory.data = bytes.data();
      memory.size = kPageBytes;
      memory.pages = 1;
      ContextConfig c;
      c.preopens = {Preopen{dir_.path().string(), "/data", false, quota}};
      auto created = Context::create(c);
      if (!created.ok()) return;
      Context& context = **created;
      context.set_memory(&memory);
      const std::string name = "w" + std::to_string(w);
      std::memcpy(bytes.data() + 100, name.data(), name.size());
      if (path_open(context, kPreopenFd, 0, 100, static_cast<u32>(name.size()), kOflagCreat,
                    kReadWrite, 0, 0, 200) != Errno::kSuccess) {
        return;
      }
      uint32_t fd;
      std::memcpy(&fd, bytes.data() + 200, 4);
      // iovec {1000, 333} at 300: odd-sized writes so the limit falls inside one.
      const uint32_t iov[2] = {1000, 333};
      std::memcpy(bytes.data() + 300, iov, sizeof(iov));
      for (int i = 0; i < 100; ++i) {
        if (fd_write(context, fd, 300, 1, 400) == Errno::kDquot) refused++;
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t on_disk = 0;
  for (int w = 0; w < kWriters; ++w)
    on_disk += host_file_size(dir_.path() / ("w" + std::to_string(w)));
  EXPECT_LE(on_disk, kLimit);
  EXPECT_EQ(quota->used(), on_disk);
  EXPECT_GT(refused.load(), 0);
  EXPECT_GT(on_disk, kLimit - 333);  // the budget was used, not left idle
}

TEST_F(QuotaTest, ReadOnlyPreopenRefusesEveryWritingCall) {
  std::ofstream(dir_.path() / "data") << "keep";
  std::filesystem::create_directory(dir_.path() / "sub");
  quota_ = std::make_shared<DiskQuota>(1000, 4);
  config.preopens = {Preopen{dir_.path().string(), "/site", /*read_only=*/true, quota_}};
  create();
  uint32_t fd = 0, written = 0;
  EXPECT_EQ(open_path(kPreopenFd, "data", 0, kRightFdWrite, fd), Errno::kNotcapable);
  EXPECT_EQ(open_path(kPreopenFd, "data", 0, kRightFdAllocate, fd), Errno::kNotcapable);
  EXPECT_EQ(open_path(kPreopenFd, "data", 0, kRightFdFilestatSetSize, fd), Errno::kNotcapable);
  EXPECT_EQ(open_path(kPreopenFd, "new", kOflagCreat, kRightFdRead, fd), Errno::kNotcapable);
  EXPECT_EQ(open_path(kPreopenFd, "data", kOflagTrunc, kRightFdRead, fd), Errno::kPerm);
  EXPECT_EQ(path_call(path_create_directory, "dir"), Errno::kNotcapable);
  EXPECT_EQ(path_call(path_unlink_file, "data"), Errno::kNotcapable);
  EXPECT_EQ(path_call(path_remove_directory, "sub"), Errno::kNotcapable);
  EXPECT_EQ(rename("data", "moved"), Errno::kNotcapable);
  put(kPathAt, "data");
  put(kPathAt + 512, "link");
  EXPECT_EQ(path_symlink(*ctx, kPathAt, 4, kPreopenFd, kPathAt + 512, 4), Errno::kNotcapable);
  EXPECT_EQ(path_link(*ctx, kPreopenFd, 0, kPathAt, 4, kPreopenFd, kPathAt + 512, 4),
            Errno::kNotcapable);
  EXPECT_EQ(write_fd(kPreopenFd, "x", written), Errno::kNotcapable);
  // A directory opened beneath it inherits nothing that writes either.
  ASSERT_EQ(open_path(kPreopenFd, "sub", kOflagDirectory, kRightsAll & ~kWriteAccessRights, fd),
            Errno::kSuccess);
  EXPECT_EQ(open_path(fd, "new", kOflagCreat, kRightFdRead, written), Errno::kNotcapable);
  // Reading still works, and nothing changed.
  ASSERT_EQ(open_path(kPreopenFd, "data", 0, kRightFdRead, fd), Errno::kSuccess);
  EXPECT_EQ(write_fd(fd, "x", written), Errno::kNotcapable);
  EXPECT_EQ(fd_filestat_set_size(*ctx, fd, 0), Errno::kNotcapable);
  EXPECT_EQ(fd_allocate(*ctx, fd, 0, 100), Errno::kNotcapable);
  std::string got;
  ASSERT_EQ(read_fd(fd, 10, got), Errno::kSuccess);
  EXPECT_EQ(got, "keep");
  EXPECT_EQ(std::filesystem::directory_iterator(dir_.path() / "sub"),
            std::filesystem::directory_iterator());
  EXPECT_EQ(quota_->used(), 4u);
}

}  // namespace
}  // namespace wa::wasi::testing
