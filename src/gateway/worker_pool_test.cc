#include "gateway/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace wa::gateway {
namespace {

TEST(WorkerPool, RunsJobs) {
  WorkerPool pool("test", 2, 8);
  std::atomic<int> sum{0};
  for (int i = 1; i <= 8; ++i) ASSERT_TRUE(pool.try_submit([&sum, i] { sum += i; }));
  pool.stop();
  EXPECT_EQ(sum.load(), 36);
}

TEST(WorkerPool, RefusesWhenQueueIsFull) {
  WorkerPool pool("test", 1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.try_submit([&] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the only thread is busy now
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
  EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
  EXPECT_FALSE(pool.try_submit([&] { ++ran; })) << "queue capacity is 2";
  EXPECT_EQ(pool.queued(), 2u);
  release.set_value();
  pool.stop();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_FALSE(pool.try_submit([] {})) << "a stopped pool takes nothing";
}

TEST(WorkerPool, CancelQueuedRunsTheCancelOfEveryWaitingJob) {
  WorkerPool pool("test", 1, 4);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.try_submit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  std::atomic<int> ran{0};
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.try_submit([&] { ++ran; }, [&] { ++cancelled; }));
  }
  EXPECT_EQ(pool.cancel_queued(), 3u);
  EXPECT_EQ(cancelled.load(), 3);
  EXPECT_FALSE(pool.try_submit([&] { ++ran; })) << "no new jobs after a cancel";
  release.set_value();
  pool.stop();
  EXPECT_EQ(ran.load(), 0);
}

TEST(WorkerPool, AThrowingJobDoesNotEndItsThread) {
  WorkerPool pool("test", 1, 4);
  ASSERT_TRUE(pool.try_submit([] { throw std::runtime_error("boom"); }));
  std::promise<int> after;
  ASSERT_TRUE(pool.try_submit([&] { after.set_value(7); }));
  EXPECT_EQ(after.get_future().get(), 7);
}

}  // namespace
}  // namespace wa::gateway
