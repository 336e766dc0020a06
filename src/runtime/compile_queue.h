// A fixed set of threads running compile jobs, shared fairly between owners (one queue
// per tier, so a long optimised build never delays a quick first build).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace wa::runtime {

class CompileQueue {
 public:
  explicit CompileQueue(unsigned threads);
  ~CompileQueue();  // finishes the jobs in progress, drops queued ones

  // Queues `job` on behalf of `owner` (any key: a user id). Owners take turns
  // (round-robin), each owner's jobs in the order pushed, so one owner's many or huge
  // compiles never make another's small one wait behind all of them. With more than one
  // thread, one owner runs at most threads - 1 jobs at once: a thread stays free for the
  // others while someone's compile bomb runs into its limit.
  void push(const std::string& owner, std::function<void()> job);

  // Jobs waiting (not running). For tests and metrics.
  size_t queued() const;

 private:
  void work();
  // The next job a thread may start, taken out of its lane; empty if none may start.
  std::function<void()> take_locked(std::string& owner);

  const unsigned per_owner_limit_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::unordered_map<std::string, std::deque<std::function<void()>>> lanes_;
  std::deque<std::string> turns_;  // owners with queued jobs, whose turn is next first
  std::unordered_map<std::string, unsigned> running_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wa::runtime
