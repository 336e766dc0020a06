// WorkSlots: a non-blocking bound on concurrent expensive work (password hashing). A
// caller that finds every slot taken is refused at once (503) instead of queueing, so a
// flood of anonymous registrations cannot occupy every API thread.
#pragma once

#include <atomic>
#include <optional>

namespace wa::platform {

class WorkSlots {
 public:
  explicit WorkSlots(unsigned capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  WorkSlots(const WorkSlots&) = delete;
  WorkSlots& operator=(const WorkSlots&) = delete;

  // A taken slot; released when destroyed.
  class Held {
   public:
    Held(Held&& other) noexcept : slots_(other.slots_) { other.slots_ = nullptr; }
    Held& operator=(Held&&) = delete;
    ~Held() {
      if (slots_) slots_->used_.fetch_sub(1);
    }

   private:
    friend class WorkSlots;
    explicit Held(WorkSlots* slots) : slots_(slots) {}
    WorkSlots* slots_;
  };

  // A slot, or nullopt when all `capacity` are in use.
  std::optional<Held> try_take() {
    unsigned used = used_.load();
    while (used < capacity_) {
      if (used_.compare_exchange_weak(used, used + 1)) return Held(this);
    }
    return std::nullopt;
  }

  unsigned capacity() const { return capacity_; }
  unsigned in_use() const { return used_.load(); }

 private:
  const unsigned capacity_;
  std::atomic<unsigned> used_{0};
};

}  // namespace wa::platform
