#include "gateway/send_budget.h"

#include <algorithm>
#include <vector>

namespace wa::gateway {

SendBudget::Reserved SendBudget::reserve(uint64_t bytes, std::function<void()> drop,
                                         Clock::time_point now) {
  if (bytes > limits_.max_connection_bytes) {
    return {0, "a response of " + std::to_string(bytes) +
                   " bytes exceeds the per-connection send buffer of " +
                   std::to_string(limits_.max_connection_bytes) + " bytes"};
  }
  std::vector<std::function<void()>> victims;
  Reserved out;
  {
    std::lock_guard lock(mutex_);
    auto live = [&] { return reserved_ - dropping_; };
    if (live() + bytes > limits_.max_total_bytes) {
      // Longest stalled first, then slowest (sent bytes per elapsed time), then oldest.
      struct Candidate {
        Clock::duration stalled;
        double rate;
        Clock::time_point started;
        uint64_t id;
      };
      std::vector<Candidate> candidates;
      for (auto& [id, entry] : entries_) {
        if (entry.dropping) continue;
        double seconds = std::max(1e-3, std::chrono::duration<double>(now - entry.started).count());
        candidates.push_back({now - entry.last_progress, static_cast<double>(entry.sent) / seconds,
                              entry.started, id});
      }
      std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        if (a.stalled != b.stalled) return a.stalled > b.stalled;
        return a.rate != b.rate ? a.rate < b.rate : a.started < b.started;
      });
      uint64_t freeable = 0;
      for (const auto& c : candidates) freeable += entries_[c.id].bytes;
      if (live() - freeable + bytes > limits_.max_total_bytes) {
        return {0, "a response of " + std::to_string(bytes) +
                       " bytes does not fit in the server's send buffer of " +
                       std::to_string(limits_.max_total_bytes) + " bytes"};
      }
      for (const auto& c : candidates) {
        if (live() + bytes <= limits_.max_total_bytes) break;
        Entry& victim = entries_[c.id];
        victim.dropping = true;
        dropping_ += victim.bytes;
        victims.push_back(std::move(victim.drop));
      }
    }
    out.id = next_id_++;
    entries_[out.id] = Entry{bytes, 0, now, now, std::move(drop), false};
    reserved_ += bytes;
  }
  for (auto& victim : victims) {
    if (victim) victim();
  }
  return out;
}

void SendBudget::progress(uint64_t id, uint64_t sent_bytes, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || sent_bytes <= it->second.sent) return;
  it->second.sent = sent_bytes;
  it->second.last_progress = now;
}

void SendBudget::release(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  reserved_ -= it->second.bytes;
  if (it->second.dropping) dropping_ -= it->second.bytes;
  entries_.erase(it);
}

uint64_t SendBudget::reserved_bytes() const {
  std::lock_guard lock(mutex_);
  return reserved_;
}

}  // namespace wa::gateway
