// The guest-call machinery at its edges: state left behind after a call, more linear
// memories than the fault handler tracks, host functions that fail or are asked for
// unbounded host memory.
#include "runtime/guest_call.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <wasm-rt.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "runtime/engine.h"
#include "runtime/engine_test_fixture.h"
#include "runtime/guest_thread.h"
#include "support/files.h"
#include "wasi/host_hooks.h"

namespace wa::runtime {
namespace {

namespace fs = std::filesystem;

// The engine fixture's calls, under this file's own suite name.
class GuestCallTest : public EngineTest {};

// wasm_rt_throw jumps to the unwind target; after a call that target is a dead frame.
TEST_F(GuestCallTest, NoUnwindTargetOutlivesACall) {
  CallResult ok = run("hello");
  EXPECT_FALSE(ok.trapped()) << ok.message;
  EXPECT_EQ(wasm_rt_get_unwind_target(), nullptr);
  CallResult trapped = run("unreachable");
  EXPECT_EQ(trapped.trap, TrapKind::kUnreachable);
  EXPECT_EQ(wasm_rt_get_unwind_target(), nullptr);
}

// A fault in a memory the handler does not track would crash the process: a memory
// past the tracked ones fails the call (host_error) instead of being left untracked.
TEST_F(GuestCallTest, AMemoryPastTheTrackedOnesFailsTheCallInsteadOfGoingUntracked) {
  install_signal_handlers();
  GuestThread& t = this_guest_thread();
  wasm_rt_memory_t memories[GuestThread::kMaxActiveMemories + 1] = {};
  sigjmp_buf target;
  t.trap_target = &target;
  t.memory_limit_pages = 0;
  t.context = nullptr;
  t.host_error_message[0] = '\0';
  volatile int allocated = 0;
  int code = sigsetjmp(target, 1);
  if (code == 0) {
    for (auto& memory : memories) {
      wasm_rt_allocate_memory(&memory, 1, 1);
      allocated = allocated + 1;
    }
  }
  t.trap_target = nullptr;
  EXPECT_EQ(code, kTrapCodeHostError);
  EXPECT_EQ(allocated, GuestThread::kMaxActiveMemories);
  EXPECT_EQ(t.active_memory_count, GuestThread::kMaxActiveMemories);
  EXPECT_NE(std::string(t.host_error_message).find("more than 4 linear memories"),
            std::string::npos)
      << t.host_error_message;
  t.in_guest = 0;
  for (int i = 0; i < allocated; ++i) wasm_rt_free_memory(&memories[i]);
  EXPECT_EQ(t.active_memory_count, 0);
}

// 100,000 subscriptions: the host refuses the count instead of allocating for each.
TEST_F(GuestCallTest, PollOneoffRefusesUnboundedSubscriptionCounts) {
  CallResult r = run("poll_many");
  ASSERT_FALSE(r.trapped()) << r.message;
  EXPECT_EQ(r.exit_code, 28) << "poll_oneoff should return EINVAL (28)";
}

// Table elements are host memory outside the memory cap: growing past the cap fails
// the grow (-1 to the guest) instead of allocating 48 MB.
TEST_F(GuestCallTest, TableGrowthIsCappedLikeInitialTables) {
  CallResult r = run("table_grow");
  ASSERT_FALSE(r.trapped()) << r.message;
  EXPECT_EQ(r.exit_code, 0) << "table.grow by 2,000,000 elements was granted";
}

// A C++ exception inside a host function called from tcc-built guest code used to be
// std::terminate (no unwind tables in those frames): the whole process died. Here the
// exception comes from the engine hook poll_oneoff consults when the deadline signal
// wakes it (the guest sleeps in the host, so that is where the signal finds it).
TEST_F(GuestCallTest, AnExceptionInAHostFunctionEndsTheCallAsHostError) {
  const wasi::HostHooks engine_hooks = wasi::host_hooks();
  wasi::HostHooks failing = engine_hooks;
  failing.interrupted = []() -> bool { throw std::runtime_error("injected failure"); };
  wasi::install_host_hooks(failing);
  CallOptions options;
  options.timeout = std::chrono::milliseconds(50);
  CallResult r = run("sleep_loop", options);
  wasi::install_host_hooks(engine_hooks);
  EXPECT_EQ(trap_kind_name(r.trap), "host_error") << r.message;
  EXPECT_NE(r.message.find("poll_oneoff: injected failure"), std::string::npos) << r.message;
  // The thread is fine afterwards.
  CallResult ok = run("hello");
  EXPECT_FALSE(ok.trapped()) << ok.message;
}

// The engine's side of a host function failing: a host_error trap with the cause.
TEST(TrapKindNames, HostErrorIsPrintable) {
  EXPECT_EQ(trap_kind_name(TrapKind::kHostError), "host_error");
  EXPECT_FALSE(trap_kind_description(TrapKind::kHostError).empty());
}

}  // namespace
}  // namespace wa::runtime
