// poll_oneoff with clock and fd subscriptions.
#include "wasi/wasi_test_support.h"

namespace wa::wasi::testing {
namespace {

constexpr uint32_t kSubsAt = 4096;
constexpr uint32_t kEventsAt = 8192;

class PollTest : public WasiTest {
 protected:
  void put_clock(uint32_t index, uint64_t userdata, uint64_t timeout_ns, uint16_t flags = 0) {
    const uint32_t at = kSubsAt + index * layout::kSubscriptionSize;
    put(at, std::string(layout::kSubscriptionSize, '\0'));
    std::memcpy(raw(at), &userdata, 8);
    *raw(at + 8) = kEventClock;
    const uint32_t clock = kClockMonotonic;
    std::memcpy(raw(at + 16), &clock, 4);
    std::memcpy(raw(at + 24), &timeout_ns, 8);
    std::memcpy(raw(at + 40), &flags, 2);
  }
  void put_fd(uint32_t index, uint64_t userdata, uint8_t type, uint32_t fd) {
    const uint32_t at = kSubsAt + index * layout::kSubscriptionSize;
    put(at, std::string(layout::kSubscriptionSize, '\0'));
    std::memcpy(raw(at), &userdata, 8);
    *raw(at + 8) = type;
    std::memcpy(raw(at + 16), &fd, 4);
  }
  uint8_t* raw(uint32_t at) { return ctx->memory()->data + at; }
  uint64_t event_userdata(uint32_t i) { return get<uint64_t>(kEventsAt + i * 32); }
  uint16_t event_error(uint32_t i) { return get<uint16_t>(kEventsAt + i * 32 + 8); }
  uint8_t event_type(uint32_t i) { return get<uint8_t>(kEventsAt + i * 32 + 10); }
  uint64_t event_nbytes(uint32_t i) { return get<uint64_t>(kEventsAt + i * 32 + 16); }
};

TEST_F(PollTest, RelativeClockTimesOut) {
  create();
  put_clock(0, 0xABCD, 1'000'000);  // 1 ms
  ASSERT_EQ(poll_oneoff(*ctx, kSubsAt, kEventsAt, 1, kResultAt), Errno::kSuccess);
  ASSERT_EQ(get<uint32_t>(kResultAt), 1u);
  EXPECT_EQ(event_userdata(0), 0xABCDu);
  EXPECT_EQ(event_type(0), kEventClock);
  EXPECT_EQ(event_error(0), 0u);
}

TEST_F(PollTest, AbsoluteClockInThePastFiresAtOnce) {
  create();
  put_clock(0, 7, 1, kSubclockAbstime);
  ASSERT_EQ(poll_oneoff(*ctx, kSubsAt, kEventsAt, 1, kResultAt), Errno::kSuccess);
  EXPECT_EQ(get<uint32_t>(kResultAt), 1u);
  EXPECT_EQ(event_userdata(0), 7u);
}

TEST_F(PollTest, BufferedStdinIsReadyBeforeALongClock) {
  config.stdin_data = "12345";
  create();
  put_clock(0, 1, 3'600'000'000'000ull);  // an hour: must not be waited for
  put_fd(1, 2, kEventFdRead, 0);
  put_fd(2, 3, kEventFdWrite, 1);
  put_fd(3, 4, kEventFdRead, 42);
  ASSERT_EQ(poll_oneoff(*ctx, kSubsAt, kEventsAt, 4, kResultAt), Errno::kSuccess);
  ASSERT_EQ(get<uint32_t>(kResultAt), 3u);
  EXPECT_EQ(event_userdata(0), 2u);
  EXPECT_EQ(event_type(0), kEventFdRead);
  EXPECT_EQ(event_nbytes(0), 5u);
  EXPECT_EQ(event_userdata(1), 3u);
  EXPECT_EQ(event_type(1), kEventFdWrite);
  EXPECT_EQ(event_userdata(2), 4u);
  EXPECT_EQ(event_error(2), static_cast<uint16_t>(Errno::kBadf));
}

TEST_F(PollTest, RejectsEmptyAndOutOfBoundsSubscriptions) {
  create();
  EXPECT_EQ(poll_oneoff(*ctx, kSubsAt, kEventsAt, 0, kResultAt), Errno::kInval);
  EXPECT_EQ(poll_oneoff(*ctx, kPageBytes - 40, kEventsAt, 1, kResultAt), Errno::kFault);
  put_clock(0, 1, 0);
  EXPECT_EQ(poll_oneoff(*ctx, kSubsAt, kPageBytes - 16, 1, kResultAt), Errno::kFault);
}

}  // namespace
}  // namespace wa::wasi::testing
