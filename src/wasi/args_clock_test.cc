// args/environ layout, clocks, random bytes and EFAULT on bad pointers.
#include "wasi/wasi_test_support.h"

namespace wa::wasi::testing {
namespace {

class ArgsEnvironTest : public WasiTest {};

TEST_F(ArgsEnvironTest, ArgsAreNulTerminatedStringsWithPointerArray) {
  config.args = {"prog", "", "two words"};
  create();
  ASSERT_EQ(args_sizes_get(*ctx, 0, 4), Errno::kSuccess);
  EXPECT_EQ(get<uint32_t>(0), 3u);
  EXPECT_EQ(get<uint32_t>(4), 5u + 1u + 10u);
  ASSERT_EQ(args_get(*ctx, 100, 200), Errno::kSuccess);
  EXPECT_EQ(get<uint32_t>(100), 200u);
  EXPECT_EQ(get<uint32_t>(104), 205u);
  EXPECT_EQ(get<uint32_t>(108), 206u);
  EXPECT_EQ(get_string(200, 16), std::string("prog\0\0two words\0", 16));
}

TEST_F(ArgsEnvironTest, EnvironIsKeyEqualsValue) {
  config.env = {{"A", "1"}, {"PATH_INFO", "/x=y"}};
  create();
  ASSERT_EQ(environ_sizes_get(*ctx, 0, 4), Errno::kSuccess);
  EXPECT_EQ(get<uint32_t>(0), 2u);
  EXPECT_EQ(get<uint32_t>(4), 4u + 15u);
  ASSERT_EQ(environ_get(*ctx, 100, 200), Errno::kSuccess);
  EXPECT_EQ(get<uint32_t>(104), 204u);
  EXPECT_EQ(get_string(200, 19), std::string("A=1\0PATH_INFO=/x=y\0", 19));
}

TEST_F(ArgsEnvironTest, PointersOutsideMemoryAreEfault) {
  config.args = {"prog"};
  create();
  EXPECT_EQ(args_sizes_get(*ctx, kPageBytes - 2, 0), Errno::kFault);
  EXPECT_EQ(args_get(*ctx, 0, kPageBytes - 3), Errno::kFault);  // "prog\0" does not fit
  EXPECT_EQ(environ_sizes_get(*ctx, 0xFFFFFFFF, 0), Errno::kFault);
}

class ClockRandomTest : public WasiTest {};

TEST_F(ClockRandomTest, ClocksReportTimeAndResolution) {
  create();
  for (uint32_t clock : {kClockRealtime, kClockMonotonic, kClockProcessCputime,
                         kClockThreadCputime}) {
    EXPECT_EQ(clock_res_get(*ctx, clock, 8), Errno::kSuccess);
    EXPECT_GT(get<uint64_t>(8), 0u);
    EXPECT_EQ(clock_time_get(*ctx, clock, 1, 16), Errno::kSuccess);
  }
  ASSERT_EQ(clock_time_get(*ctx, kClockRealtime, 1, 16), Errno::kSuccess);
  EXPECT_GT(get<uint64_t>(16), 1'600'000'000ull * 1'000'000'000ull);  // after 2020
  EXPECT_EQ(clock_time_get(*ctx, 99, 1, 16), Errno::kInval);
  EXPECT_EQ(clock_time_get(*ctx, kClockMonotonic, 1, kPageBytes - 4), Errno::kFault);
}

TEST_F(ClockRandomTest, RandomFillsTheBufferAndChecksBounds) {
  create();
  ASSERT_EQ(random_get(*ctx, 100, 64), Errno::kSuccess);
  EXPECT_NE(get_string(100, 64), std::string(64, '\0'));
  EXPECT_EQ(random_get(*ctx, kPageBytes - 10, 11), Errno::kFault);
  EXPECT_EQ(random_get(*ctx, kPageBytes, 0), Errno::kSuccess);
}

TEST_F(ClockRandomTest, SocketsAndSignalsGetTheRightErrno) {
  create();
  EXPECT_EQ(sock_shutdown(*ctx, 1, 0), Errno::kNotsock);
  EXPECT_EQ(sock_shutdown(*ctx, 77, 0), Errno::kBadf);
  EXPECT_EQ(sock_accept(*ctx, 0, 0, 8), Errno::kNotsock);
  EXPECT_EQ(proc_raise(*ctx, 9), Errno::kNosys);
  EXPECT_EQ(sched_yield(*ctx), Errno::kSuccess);
}

}  // namespace
}  // namespace wa::wasi::testing
