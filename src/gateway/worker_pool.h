// WorkerPool: a fixed set of threads running queued jobs, with a bounded queue so that
// overload is refused at once (the caller answers 503) instead of piling up.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wa::gateway {

class WorkerPool {
 public:
  // `queue_capacity` jobs may wait in addition to the ones running.
  WorkerPool(std::string name, size_t threads, size_t queue_capacity);
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping; the job is then not run.
  bool try_submit(std::function<void()> job);

  // Runs the queued jobs to completion, then joins the threads. Idempotent.
  void stop();

  size_t threads() const { return threads_.size(); }
  size_t queue_capacity() const { return capacity_; }
  size_t queued() const;
  size_t busy() const;

 private:
  void run();

  std::string name_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wa::gateway
