#include "platform/log_bus.h"

namespace wa::platform {

LogSubscription::Drained LogSubscription::drain() {
  std::lock_guard lock(mutex_);
  Drained out;
  out.lines.assign(std::make_move_iterator(lines_.begin()), std::make_move_iterator(lines_.end()));
  lines_.clear();
  out.dropped = dropped_;
  dropped_ = 0;
  out.closed = closed_;
  return out;
}

void LogSubscription::push(const LogEntry& entry) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  if (lines_.size() >= capacity_) {
    lines_.pop_front();
    ++dropped_;
  }
  lines_.push_back(entry);
}

void LogSubscription::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
}

std::shared_ptr<LogSubscription> LogBus::subscribe(int64_t action_id, size_t capacity) {
  auto subscription = std::make_shared<LogSubscription>(capacity == 0 ? 1 : capacity);
  std::lock_guard lock(mutex_);
  subscribers_.emplace(action_id, subscription);
  return subscription;
}

void LogBus::publish(const LogEntry& entry) {
  std::vector<std::shared_ptr<LogSubscription>> live;
  {
    std::lock_guard lock(mutex_);
    auto [first, last] = subscribers_.equal_range(entry.action_id);
    for (auto it = first; it != last;) {
      if (auto subscription = it->second.lock()) {
        live.push_back(std::move(subscription));
        ++it;
      } else {
        it = subscribers_.erase(it);  // the reader went away
      }
    }
  }
  for (auto& subscription : live) subscription->push(entry);
}

void LogBus::close(int64_t action_id) {
  std::vector<std::shared_ptr<LogSubscription>> closed;
  {
    std::lock_guard lock(mutex_);
    auto [first, last] = subscribers_.equal_range(action_id);
    for (auto it = first; it != last; ++it) {
      if (auto subscription = it->second.lock()) closed.push_back(std::move(subscription));
    }
    subscribers_.erase(first, last);
  }
  for (auto& subscription : closed) subscription->close();
}

}  // namespace wa::platform
