#include "gateway/send_budget.h"

#include <gtest/gtest.h>

#include <vector>

namespace wa::gateway {
namespace {

using std::chrono::seconds;

TEST(SendBudget, DropsTheSlowestReadersFirstToMakeRoom) {
  SendBudget budget({/*max_total_bytes=*/100, /*max_connection_bytes=*/60});
  auto t0 = SendBudget::Clock::now();
  std::vector<int> dropped;
  auto a = budget.reserve(
      40, [&] { dropped.push_back(1); }, t0);
  auto b = budget.reserve(
      40, [&] { dropped.push_back(2); }, t0);
  ASSERT_TRUE(a.error.empty() && b.error.empty());
  budget.progress(a.id, 30, t0 + std::chrono::milliseconds(500));  // a reads; b has not
  auto c = budget.reserve(
      40, [&] { dropped.push_back(3); }, t0 + seconds(1));
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(dropped, std::vector<int>{2});
  // b's bytes count until its write ends; the next reservation does not drop b again.
  EXPECT_EQ(budget.reserved_bytes(), 120u);
  budget.release(b.id);
  EXPECT_EQ(budget.reserved_bytes(), 80u);
  auto d = budget.reserve(
      20, [] {}, t0 + seconds(1));
  EXPECT_TRUE(d.error.empty());
  EXPECT_EQ(dropped.size(), 1u) << "it fits without dropping anyone";
}

// A response that has just begun has sent nothing yet, like a reader that stalled: the
// stalled one goes first (by rate alone, the new one would: 0 bytes per second).
TEST(SendBudget, AStalledReaderGoesBeforeAResponseThatJustBegan) {
  SendBudget budget({/*max_total_bytes=*/100, /*max_connection_bytes=*/60});
  auto t0 = SendBudget::Clock::now();
  std::vector<int> dropped;
  auto stalled = budget.reserve(
      40, [&] { dropped.push_back(1); }, t0);
  budget.progress(stalled.id, 30, t0 + std::chrono::milliseconds(100));  // then nothing
  auto fresh = budget.reserve(
      40, [&] { dropped.push_back(2); }, t0 + seconds(10));
  ASSERT_TRUE(stalled.error.empty() && fresh.error.empty());
  auto next = budget.reserve(
      40, [&] { dropped.push_back(3); }, t0 + seconds(10));
  ASSERT_TRUE(next.error.empty()) << next.error;
  EXPECT_EQ(dropped, std::vector<int>{1});
}

TEST(SendBudget, RefusesWhatCannotFitAtAll) {
  SendBudget budget({100, 60});
  EXPECT_NE(budget.reserve(61, [] {}).error.find("per-connection"), std::string::npos);
  bool dropped = false;
  auto a = budget.reserve(60, [&] { dropped = true; });
  ASSERT_TRUE(a.error.empty());
  // 60 + 60 > 100, but dropping a makes room: allowed.
  auto b = budget.reserve(60, [] {});
  EXPECT_TRUE(b.error.empty());
  EXPECT_TRUE(dropped);
  budget.release(a.id);
  budget.release(b.id);
  EXPECT_EQ(budget.reserved_bytes(), 0u);
}

}  // namespace
}  // namespace wa::gateway
