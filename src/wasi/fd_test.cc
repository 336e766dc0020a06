// Stdio through buffers (caps, the output-limit hook), fd table operations, EFAULT.
#include <new>
#include <stdexcept>
#include <string>

#include "wasi/fd_table.h"
#include "wasi/host_call.h"
#include "wasi/host_hooks.h"
#include "wasi/wasi_exports.h"
#include "wasi/wasi_test_support.h"

namespace wa::wasi::testing {
namespace {

struct OutputLimitHit {};
struct ExitCalled {
  uint32_t code;
};
struct HostErrorRaised {
  std::string message;
};

// Stand-ins for host functions that fail the way real ones can (out of host memory).
Errno runs_out_of_memory(Context&, uint32_t) { throw std::bad_alloc(); }
Errno throws_a_non_exception(Context&, uint32_t) { throw 42; }
Errno returns_normally(Context&, uint32_t value) { return static_cast<Errno>(value); }

class FdTest : public WasiTest {
 protected:
  void TearDown() override { install_host_hooks({}); }

  Z_wasi_snapshot_preview1_instance_t* instance() {
    return reinterpret_cast<Z_wasi_snapshot_preview1_instance_t*>(ctx.get());
  }
};

TEST_F(FdTest, WritesToStdoutAndStderrBuffers) {
  create();
  uint32_t written = 0;
  ASSERT_EQ(write_fd(1, "hello ", written), Errno::kSuccess);
  EXPECT_EQ(written, 6u);
  ASSERT_EQ(write_fd(1, "world", written), Errno::kSuccess);
  ASSERT_EQ(write_fd(2, "oops", written), Errno::kSuccess);
  EXPECT_EQ(ctx->take_stdout(), "hello world");
  EXPECT_EQ(ctx->take_stderr(), "oops");
  EXPECT_EQ(write_fd(0, "x", written), Errno::kBadf);
  EXPECT_EQ(write_fd(9, "x", written), Errno::kBadf);
}

TEST_F(FdTest, StdoutCapKeepsThePrefixAndMarksTheContext) {
  config.stdout_config.limit_bytes = 8;
  create();
  uint32_t written = 0;
  ASSERT_EQ(write_fd(1, "12345", written), Errno::kSuccess);
  EXPECT_FALSE(ctx->output_limit_exceeded());
  ASSERT_EQ(write_fd(1, "67890", written), Errno::kSuccess);
  EXPECT_EQ(written, 3u);
  EXPECT_TRUE(ctx->output_limit_exceeded());
  EXPECT_EQ(ctx->stdout_buffer(), "12345678");
}

TEST_F(FdTest, ExportedFdWriteFiresTheOutputLimitHook) {
  HostHooks hooks;
  hooks.output_limit = [] { throw OutputLimitHit{}; };
  install_host_hooks(hooks);
  config.stdout_config.limit_bytes = 4;
  create();
  put(kDataAt, "abc");
  put_iovec(kIovecAt, kDataAt, 3);
  EXPECT_EQ(Z_wasi_snapshot_preview1Z_fd_write(instance(), 1, kIovecAt, 1, kResultAt), 0u);
  EXPECT_THROW(Z_wasi_snapshot_preview1Z_fd_write(instance(), 1, kIovecAt, 1, kResultAt),
               OutputLimitHit);
  EXPECT_EQ(ctx->stdout_buffer(), "abca");
}

// Through tcc-built guest code an escaping exception is std::terminate; the wrapper
// must turn it into the engine's host_error hook instead (which traps the guest).
TEST_F(FdTest, HostCallTurnsExceptionsIntoTheHostErrorHook) {
  HostHooks hooks;
  hooks.host_error = [](const char* message) { throw HostErrorRaised{message}; };
  install_host_hooks(hooks);
  create();
  try {
    host_call<runs_out_of_memory>("poll_oneoff", instance(), 1u);
    FAIL() << "host_call returned";
  } catch (const HostErrorRaised& e) {
    EXPECT_NE(e.message.find("poll_oneoff"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("bad_alloc"), std::string::npos) << e.message;
  }
  try {
    host_call<throws_a_non_exception>("fd_read", instance(), 1u);
    FAIL() << "host_call returned";
  } catch (const HostErrorRaised& e) {
    EXPECT_NE(e.message.find("fd_read: unknown exception"), std::string::npos) << e.message;
  }
  EXPECT_EQ(host_call<returns_normally>("fd_sync", instance(), 8u), 8u);
}

TEST_F(FdTest, ExportedProcExitCallsTheExitHook) {
  HostHooks hooks;
  hooks.exit = [](uint32_t code) { throw ExitCalled{code}; };
  install_host_hooks(hooks);
  create();
  try {
    Z_wasi_snapshot_preview1Z_proc_exit(instance(), 42);
    FAIL() << "proc_exit returned";
  } catch (const ExitCalled& e) {
    EXPECT_EQ(e.code, 42u);
  }
}

TEST_F(FdTest, ReadsStdinBufferToTheEnd) {
  config.stdin_data = "request body";
  create();
  std::string got;
  ASSERT_EQ(read_fd(0, 7, got), Errno::kSuccess);
  EXPECT_EQ(got, "request");
  ASSERT_EQ(read_fd(0, 100, got), Errno::kSuccess);
  EXPECT_EQ(got, " body");
  ASSERT_EQ(read_fd(0, 100, got), Errno::kSuccess);
  EXPECT_EQ(got, "");
}

TEST_F(FdTest, BadIovecPointersAreEfault) {
  config.stdin_data = "data";
  create();
  put_iovec(kIovecAt, kPageBytes - 2, 4);  // buffer runs past the end of memory
  EXPECT_EQ(fd_read(*ctx, 0, kIovecAt, 1, kResultAt), Errno::kFault);
  EXPECT_EQ(fd_write(*ctx, 1, kIovecAt, 1, kResultAt), Errno::kFault);
  EXPECT_EQ(fd_write(*ctx, 1, kPageBytes - 4, 1, kResultAt), Errno::kFault);  // the iovec itself
  put_iovec(kIovecAt, kDataAt, 1);
  EXPECT_EQ(fd_write(*ctx, 1, kIovecAt, 1, kPageBytes), Errno::kFault);  // result pointer
  EXPECT_EQ(fd_fdstat_get(*ctx, 1, kPageBytes - 8), Errno::kFault);
}

TEST_F(FdTest, StdioFdstatHasNoSeekRights) {
  create();
  ASSERT_EQ(fd_fdstat_get(*ctx, 1, 64), Errno::kSuccess);
  const uint64_t base = get<uint64_t>(64 + 8);
  EXPECT_NE(base & kRightFdWrite, 0u);
  EXPECT_EQ(base & (kRightFdSeek | kRightFdTell), 0u);
  EXPECT_EQ(fd_seek(*ctx, 1, 0, kWhenceSet, 0), Errno::kNotcapable);
  EXPECT_EQ(fd_prestat_get(*ctx, 1, 0), Errno::kBadf);
}

TEST_F(FdTest, RenumberMovesAnEntryAndClosesTheTarget) {
  create();
  ASSERT_EQ(fd_renumber(*ctx, 2, 1), Errno::kSuccess);
  EXPECT_EQ(fd_fdstat_get(*ctx, 2, 64), Errno::kBadf);
  uint32_t written = 0;
  ASSERT_EQ(write_fd(1, "to stderr", written), Errno::kSuccess);
  EXPECT_EQ(ctx->stderr_buffer(), "to stderr");
  EXPECT_EQ(ctx->stdout_buffer(), "");
  EXPECT_EQ(fd_renumber(*ctx, 1, 7), Errno::kBadf);  // the target must be open
  EXPECT_EQ(fd_renumber(*ctx, 7, 1), Errno::kBadf);
  EXPECT_EQ(fd_close(*ctx, 1), Errno::kSuccess);
  EXPECT_EQ(fd_close(*ctx, 1), Errno::kBadf);
}

TEST(FdTableTest, NewFdsTakeTheLowestFreeNumber) {
  FdTable table;
  uint32_t fd = 99;
  for (uint32_t expected = 0; expected < 3; ++expected) {
    ASSERT_EQ(table.insert(std::make_unique<FdEntry>(), fd), Errno::kSuccess);
    EXPECT_EQ(fd, expected);
  }
  ASSERT_EQ(table.close(1), Errno::kSuccess);
  ASSERT_EQ(table.insert(std::make_unique<FdEntry>(), fd), Errno::kSuccess);
  EXPECT_EQ(fd, 1u);
}

TEST(FdTableTest, TableIsBounded) {
  FdTable table;
  uint32_t fd = 0;
  for (uint32_t i = 0; i < FdTable::kMaxFds; ++i) {
    ASSERT_EQ(table.insert(std::make_unique<FdEntry>(), fd), Errno::kSuccess);
  }
  EXPECT_EQ(table.insert(std::make_unique<FdEntry>(), fd), Errno::kMfile);
}

}  // namespace
}  // namespace wa::wasi::testing
