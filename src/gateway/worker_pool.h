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
  // `on_cancel` (optional) runs instead of the job if cancel_queued() takes it off the
  // queue. A job that throws is logged; the exception never leaves the worker thread.
  bool try_submit(std::function<void()> job, std::function<void()> on_cancel = nullptr);

  // Refuses new jobs and takes every queued one off the queue, running its on_cancel on
  // the calling thread (a shutdown answers them 503). Jobs already running go on.
  // Returns how many were cancelled.
  size_t cancel_queued();

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
  struct Job {
    std::function<void()> run;
    std::function<void()> on_cancel;
  };
  std::deque<Job> queue_;
  size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wa::gateway
