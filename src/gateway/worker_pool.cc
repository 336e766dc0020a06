#include "gateway/worker_pool.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <exception>

namespace wa::gateway {

WorkerPool::WorkerPool(std::string name, size_t threads, size_t queue_capacity)
    : name_(std::move(name)), capacity_(queue_capacity) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { run(); });
    // Thread names show up in top/gdb; Linux allows 15 characters.
    pthread_setname_np(threads_.back().native_handle(), name_.substr(0, 15).c_str());
  }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(std::function<void()> job, std::function<void()> on_cancel) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    // Idle threads take a job at once, so only jobs beyond them count as queued.
    size_t idle = threads_.size() - busy_;
    if (queue_.size() >= capacity_ + idle) return false;
    queue_.push_back(Job{std::move(job), std::move(on_cancel)});
  }
  wake_.notify_one();
  return true;
}

size_t WorkerPool::cancel_queued() {
  std::deque<Job> taken;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    taken.swap(queue_);
  }
  for (auto& job : taken) {
    if (!job.on_cancel) continue;
    try {
      job.on_cancel();
    } catch (const std::exception& e) {
      spdlog::error("{}: cancelling a queued job failed: {}", name_, e.what());
    }
  }
  return taken.size();
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t WorkerPool::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

void WorkerPool::run() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    try {
      job.run();
    } catch (const std::exception& e) {
      spdlog::error("{}: a job failed: {}", name_, e.what());
    } catch (...) {
      spdlog::error("{}: a job failed with an unknown exception", name_);
    }
    std::lock_guard lock(mutex_);
    --busy_;
  }
}

}  // namespace wa::gateway
