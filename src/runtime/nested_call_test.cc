// Calls inside calls (chaining): a host function of the outer guest runs other guests on
// the same thread. Each nested call traps, times out or exits on its own; the outer call
// then carries on with its own memory, trap target and deadline, and a nested call never
// outlives the outer call's deadline.
#include <gtest/gtest.h>

#include <vector>

#include "runtime/engine_test_fixture.h"
#include "runtime/guest_thread.h"
#include "runtime/host_imports.h"
#include "wasi/host_call.h"

namespace wa::runtime {
namespace {

struct NestState {
  static constexpr std::string_view kImportModule = "wa_test_nest";
  Engine* engine = nullptr;
  struct Inner {
    std::shared_ptr<Module> module;
    std::chrono::milliseconds timeout;
  };
  std::vector<Inner> inner;
  std::vector<CallResult> results;
};

uint32_t nest_count(NestState& state) { return static_cast<uint32_t>(state.inner.size()); }

uint32_t nest_call(NestState& state, uint32_t which) {
  if (which >= state.inner.size()) return 99;
  CallOptions options;
  options.wasi.args = {"inner"};
  options.timeout = state.inner[which].timeout;
  state.results.push_back(state.engine->call(*state.inner[which].module, options));
  return static_cast<uint32_t>(state.results.back().trap);
}

}  // namespace
}  // namespace wa::runtime

extern "C" {
uint32_t Z_wa_test_nestZ_count(wa::runtime::NestState* state) {
  return wa::wasi::typed_host_call<wa::runtime::nest_count>("count", state);
}
uint32_t Z_wa_test_nestZ_call(wa::runtime::NestState* state, uint32_t which) {
  return wa::wasi::typed_host_call<wa::runtime::nest_call>("call", state, which);
}
}

namespace wa::runtime {
namespace {

NestState g_unbound;

class NestedCallTest : public EngineTest {
 protected:
  static void SetUpTestSuite() {
    register_host_import_module(
        HostImportModule{"wa_test_nest",
                         {make_host_function("count", &Z_wa_test_nestZ_count),
                          make_host_function("call", &Z_wa_test_nestZ_call)},
                         &g_unbound});
    EngineTest::SetUpTestSuite();
  }

  CallResult run_outer(NestState& state, std::chrono::milliseconds timeout) {
    state.engine = engine_;
    auto outer = load("nest_outer");
    if (!outer) return {};
    CallOptions options;
    options.wasi.args = {"outer"};
    options.timeout = timeout;
    options.imports.bind(state);
    return engine_->call(*outer, options);
  }
};

TEST_F(NestedCallTest, NestedTrapsAndTimeoutsLeaveTheOuterCallIntact) {
  NestState state;
  state.inner = {{load("oob"), std::chrono::seconds(5)},
                 {load("loop"), std::chrono::milliseconds(50)},
                 {load("unreachable"), std::chrono::seconds(5)},
                 {load("hello"), std::chrono::seconds(5)}};
  CallResult outer = run_outer(state, std::chrono::seconds(10));
  EXPECT_EQ(outer.trap, TrapKind::kNone) << outer.message;
  EXPECT_EQ(outer.exit_code, 7);
  ASSERT_EQ(state.results.size(), 4u);
  EXPECT_EQ(state.results[0].trap, TrapKind::kOutOfBounds);
  EXPECT_EQ(state.results[1].trap, TrapKind::kTimeout);
  EXPECT_EQ(state.results[2].trap, TrapKind::kUnreachable);
  EXPECT_EQ(state.results[3].trap, TrapKind::kNone);
  EXPECT_NE(state.results[3].stdout_data.find("Hello"), std::string::npos)
      << state.results[3].stdout_data;
  // Nothing of the nested calls is left on the thread.
  EXPECT_EQ(this_guest_thread().call_depth, 0);
  EXPECT_EQ(this_guest_thread().call_id.load(), 0u);
  EXPECT_EQ(run("hello").trap, TrapKind::kNone);
}

TEST_F(NestedCallTest, ANestedCallEndsAtTheOuterCallsDeadline) {
  NestState state;
  // The inner guest may run 60 s, the outer call only 300 ms: both end at the latter.
  state.inner = {{load("loop"), std::chrono::seconds(60)},
                 {load("hello"), std::chrono::seconds(5)}};
  CallResult outer = run_outer(state, std::chrono::milliseconds(300));
  EXPECT_EQ(outer.trap, TrapKind::kTimeout) << outer.message;
  ASSERT_GE(state.results.size(), 1u);
  EXPECT_EQ(state.results[0].trap, TrapKind::kTimeout);
  EXPECT_EQ(state.results.size(), 1u);  // the outer guest never got to call the second
  EXPECT_EQ(this_guest_thread().call_depth, 0);
  EXPECT_EQ(run("hello").trap, TrapKind::kNone);
}

}  // namespace
}  // namespace wa::runtime
