// CompileQueue: owners take turns, and one owner never holds every thread.
#include "runtime/compile_queue.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace wa::runtime {
namespace {

// A latch the test opens to let a blocking job finish.
class Gate {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

// Records the order jobs ran in and lets the test wait for a number of them.
class Journal {
 public:
  void add(const std::string& name) {
    std::lock_guard lock(mutex_);
    names_.push_back(name);
    changed_.notify_all();
  }
  void wait_for(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return names_.size() >= count; });
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mutex_);
    return names_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> names_;
};

TEST(CompileQueue, OwnersTakeTurnsSoOneOwnersBacklogDoesNotStarveAnother) {
  CompileQueue queue(1);
  Gate gate;
  Journal journal;
  // Holds the only thread while the backlog is queued, so the order is decided by the
  // queue alone.
  queue.push("ann", [&] {
    journal.add("ann0");
    gate.wait();
  });
  journal.wait_for(1);
  for (int i = 1; i <= 4; ++i)
    queue.push("ann", [&journal, i] { journal.add("ann" + std::to_string(i)); });
  queue.push("bob", [&] { journal.add("bob1"); });
  queue.push("cat", [&] { journal.add("cat1"); });
  queue.push("bob", [&] { journal.add("bob2"); });
  EXPECT_EQ(queue.queued(), 7u);
  gate.open();
  journal.wait_for(8);
  // FIFO would run all of ann's backlog before bob's first job.
  EXPECT_EQ(journal.names(), (std::vector<std::string>{"ann0", "ann1", "bob1", "cat1", "ann2",
                                                       "bob2", "ann3", "ann4"}));
}

TEST(CompileQueue, OneOwnerNeverHoldsEveryThread) {
  CompileQueue queue(2);
  Gate gate;
  Journal journal;
  // ann's first job blocks (a compile bomb); her second must not take the other thread.
  queue.push("ann", [&] {
    journal.add("ann-bomb");
    gate.wait();
  });
  journal.wait_for(1);
  queue.push("ann", [&] {
    journal.add("ann-second");
    gate.wait();
  });
  queue.push("bob", [&] { journal.add("bob-small"); });
  // bob's job runs while ann's bomb still holds a thread (the gate is still closed).
  journal.wait_for(2);
  EXPECT_EQ(journal.names(), (std::vector<std::string>{"ann-bomb", "bob-small"}));
  EXPECT_EQ(queue.queued(), 1u);  // ann's second waits for her first
  gate.open();
  journal.wait_for(3);
  EXPECT_EQ(journal.names().back(), "ann-second");
}

TEST(CompileQueue, AJobThatThrowsDoesNotEndItsThread) {
  CompileQueue queue(1);
  Journal journal;
  queue.push("ann", [] { throw std::runtime_error("boom"); });
  queue.push("ann", [&] { journal.add("after"); });
  journal.wait_for(1);
  EXPECT_EQ(journal.names(), (std::vector<std::string>{"after"}));
}

}  // namespace
}  // namespace wa::runtime
