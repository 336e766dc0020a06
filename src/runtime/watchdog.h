// Halts guests that run past their deadline by signalling their thread.
//
// Calls publish (call id, deadline) in their thread's GuestThread; a single watchdog
// thread scans the registered threads every few milliseconds while any call is
// active. A call past its deadline is marked expired and its thread signalled with
// the call id attached, so the handler can ignore a signal meant for an earlier call.
#pragma once

#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace wa::runtime {

struct GuestThread;

// The real-time signal used to interrupt guests.
int deadline_signal();

class Watchdog {
 public:
  static Watchdog& instance();  // never destroyed: thread exit handlers use it

  void register_thread(GuestThread* thread);
  void unregister_thread(GuestThread* thread);

  // Bracket each call: begin() publishes the deadline (after the caller stored the
  // call id), end() retracts it. Both run on the guest's own thread.
  void begin_call(GuestThread& thread, int64_t deadline_ns);
  void end_call(GuestThread& thread);

  // Moves the deadline of every call in progress to now, so each is halted as if it
  // timed out (server shutdown past its grace period). Calls begun later are unaffected.
  // Returns how many calls it halted.
  int halt_running_calls();

  // Calls running longer than this are moved to idle scheduling priority (SCHED_IDLE)
  // until they end or hit their deadline, so runaways yield the CPU to short calls.
  // 0 disables it. Takes effect only where this process may restore a thread's
  // priority afterwards (root, CAP_SYS_NICE or RLIMIT_NICE): see deprioritizing().
  void set_deprioritize_after(std::chrono::nanoseconds after);
  bool deprioritizing() const { return deprioritize_after_ns_.load() > 0; }

 private:
  Watchdog();
  void run();
  void scan(int64_t now_ns);
  void deprioritize(GuestThread& thread, uint64_t call_id);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<GuestThread*> threads_;
  std::atomic<int> active_calls_{0};
  std::atomic<bool> asleep_{false};
  std::atomic<int64_t> deprioritize_after_ns_{0};
  std::thread thread_;
};

}  // namespace wa::runtime
