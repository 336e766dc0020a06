#include "runtime/watchdog.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>

#include "runtime/guest_thread.h"

namespace wa::runtime {

namespace {

// Scan period: the precision of deadlines. A signal is re-sent at this period while a
// call stays past its deadline (it may have been in a non-interruptible section).
constexpr auto kScanPeriod = std::chrono::milliseconds(2);
// Scans with no active call before the watchdog sleeps until woken. Waking it costs a
// context switch, so under steady traffic it keeps ticking instead.
constexpr int kIdleScansBeforeSleep = 500;

bool set_thread_policy(pthread_t thread, int policy) {
  sched_param param{};
  return pthread_setschedparam(thread, policy, &param) == 0;
}

void restore_priority(GuestThread& thread) {
  if (thread.deprioritized.exchange(false)) set_thread_policy(pthread_self(), SCHED_OTHER);
}

// Whether a thread of this process may go from SCHED_IDLE back to SCHED_OTHER: needs
// privilege (or a raised RLIMIT_NICE). Without it, a demoted worker would stay slow.
bool can_restore_priority() {
  bool restored = false;
  std::thread probe([&] {
    if (set_thread_policy(pthread_self(), SCHED_IDLE))
      restored = set_thread_policy(pthread_self(), SCHED_OTHER);
  });
  probe.join();
  return restored;
}

}  // namespace

int deadline_signal() { return SIGRTMIN + 3; }

Watchdog& Watchdog::instance() {
  static Watchdog* watchdog = new Watchdog();
  return *watchdog;
}

Watchdog::Watchdog() {
  thread_ = std::thread([this] { run(); });
  thread_.detach();
}

void Watchdog::register_thread(GuestThread* thread) {
  std::lock_guard lock(mutex_);
  threads_.push_back(thread);
}

void Watchdog::unregister_thread(GuestThread* thread) {
  std::lock_guard lock(mutex_);
  threads_.erase(std::remove(threads_.begin(), threads_.end(), thread), threads_.end());
}

void Watchdog::set_deprioritize_after(std::chrono::nanoseconds after) {
  static const bool allowed = can_restore_priority();
  deprioritize_after_ns_ = allowed ? after.count() : 0;
}

void Watchdog::begin_call(GuestThread& thread, int64_t deadline_ns) {
  restore_priority(thread);  // a demotion that raced with the end of the last call
  thread.call_started_ns.store(monotonic_now_ns(), std::memory_order_relaxed);
  thread.deadline_ns.store(deadline_ns, std::memory_order_release);
  active_calls_.fetch_add(1);  // seq_cst: pairs with asleep_ (Dekker-style)
  if (asleep_.load()) {
    std::lock_guard lock(mutex_);
    wake_.notify_one();
  }
}

void Watchdog::end_call(GuestThread& thread) {
  thread.deadline_ns.store(0, std::memory_order_release);
  active_calls_.fetch_sub(1, std::memory_order_acq_rel);
  restore_priority(thread);
}

int Watchdog::halt_running_calls() {
  std::lock_guard lock(mutex_);
  int halted = 0;
  for (GuestThread* t : threads_) {
    int64_t deadline = t->deadline_ns.load(std::memory_order_acquire);
    // A compare-exchange: a call that ends meanwhile stores 0, which must stay 0.
    if (deadline > 1 && t->deadline_ns.compare_exchange_strong(deadline, 1)) ++halted;
  }
  return halted;
}

void Watchdog::deprioritize(GuestThread& thread, uint64_t call_id) {
  if (!set_thread_policy(thread.thread, SCHED_IDLE)) return;
  thread.deprioritized.store(true);
  // The call may have ended meanwhile; its thread then restores itself at its next
  // begin_call, or we do it now if a new call already started.
  if (thread.call_id.load() != call_id && thread.deprioritized.exchange(false))
    set_thread_policy(thread.thread, SCHED_OTHER);
}

void Watchdog::run() {
  std::unique_lock lock(mutex_);
  int idle_scans = 0;
  for (;;) {
    if (idle_scans >= kIdleScansBeforeSleep) {
      asleep_.store(true);
      wake_.wait(lock, [this] { return active_calls_.load() > 0; });
      asleep_.store(false, std::memory_order_release);
      idle_scans = 0;
    }
    idle_scans = active_calls_.load() > 0 ? 0 : idle_scans + 1;
    scan(monotonic_now_ns());
    lock.unlock();
    std::this_thread::sleep_for(kScanPeriod);
    lock.lock();
  }
}

void Watchdog::scan(int64_t now_ns) {
  const int64_t demote_after = deprioritize_after_ns_.load(std::memory_order_relaxed);
  for (GuestThread* t : threads_) {
    int64_t deadline = t->deadline_ns.load(std::memory_order_acquire);
    if (deadline == 0) continue;
    uint64_t id = t->call_id.load(std::memory_order_acquire);
    if (id == 0) continue;
    // A nested call (chaining) swaps the thread's id and deadline as two stores: a
    // deadline read before the swap and an id read after it would expire the wrong
    // call. Reading the deadline again tells (the swap changes it, or both are equal).
    if (t->deadline_ns.load(std::memory_order_acquire) != deadline) continue;
    if (now_ns < deadline) {
      if (demote_after > 0 && !t->deprioritized.load(std::memory_order_relaxed) &&
          now_ns - t->call_started_ns.load(std::memory_order_relaxed) >= demote_after)
        deprioritize(*t, id);
      continue;
    }
    // Expired: full priority again, so the thread gets the CPU to unwind promptly.
    if (t->deprioritized.exchange(false)) set_thread_policy(t->thread, SCHED_OTHER);
    t->expired_call_id.store(id, std::memory_order_release);
    sigval value{};
    value.sival_ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(id));
    pthread_sigqueue(t->thread, deadline_signal(), value);
  }
}

}  // namespace wa::runtime
