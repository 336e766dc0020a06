#include "runtime/compile_queue.h"

#include <cstdio>
#include <exception>

namespace wa::runtime {

CompileQueue::CompileQueue(unsigned threads) : per_owner_limit_(threads > 1 ? threads - 1 : 1) {
  for (unsigned i = 0; i < (threads ? threads : 1); ++i) threads_.emplace_back([this] { work(); });
}

CompileQueue::~CompileQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    lanes_.clear();
    turns_.clear();
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void CompileQueue::push(const std::string& owner, std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    auto& lane = lanes_[owner];
    if (lane.empty()) turns_.push_back(owner);
    lane.push_back(std::move(job));
  }
  ready_.notify_all();
}

size_t CompileQueue::queued() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [owner, lane] : lanes_) n += lane.size();
  return n;
}

std::function<void()> CompileQueue::take_locked(std::string& owner) {
  for (auto it = turns_.begin(); it != turns_.end(); ++it) {
    auto running = running_.find(*it);
    if (running != running_.end() && running->second >= per_owner_limit_)
      continue;  // keeps its place
    owner = *it;
    turns_.erase(it);
    auto lane = lanes_.find(owner);
    std::function<void()> job = std::move(lane->second.front());
    lane->second.pop_front();
    if (lane->second.empty()) {
      lanes_.erase(lane);
    } else {
      turns_.push_back(owner);  // its next job waits for everyone else's turn
    }
    ++running_[owner];
    return job;
  }
  return {};
}

void CompileQueue::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::string owner;
    std::function<void()> job;
    ready_.wait(lock, [&] { return stopping_ || (job = take_locked(owner)); });
    if (stopping_) {
      if (job) --running_[owner];
      return;
    }
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      // The engine's jobs report their own failures; this is the last line of defence.
      std::fprintf(stderr, "wasm-actions: compile job failed: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "wasm-actions: compile job failed\n");
    }
    job = nullptr;
    lock.lock();
    if (--running_[owner] == 0) running_.erase(owner);
    ready_.notify_all();  // that owner may run another job now
  }
}

}  // namespace wa::runtime
