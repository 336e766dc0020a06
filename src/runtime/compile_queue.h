// A fixed set of threads running compile jobs in FIFO order (one queue per tier, so a
// long optimised build never delays a quick first build).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wa::runtime {

class CompileQueue {
 public:
  explicit CompileQueue(unsigned threads);
  ~CompileQueue();  // finishes the job in progress, drops queued ones

  void push(std::function<void()> job);

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wa::runtime
