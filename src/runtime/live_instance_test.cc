// Live instances (persistent rooms): memory kept across calls on any thread; a trap, a
// timeout, a fault or an exit ends the instance, and a fresh one starts from scratch.
#include "runtime/live_instance.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "runtime/engine_test_fixture.h"
#include "runtime/linear_memory.h"

namespace wa::runtime {
namespace {

class LiveInstanceTest : public EngineTest {
 protected:
  std::unique_ptr<LiveInstance> create(CallResult& result) {
    module_ = load("live_counter");
    if (!module_) return nullptr;
    CallOptions options;
    options.wasi.args = {"live_counter"};
    options.entry = "";                   // instantiate only
    options.initializer = "_initialize";  // absent in a command module: skipped
    return LiveInstance::create(*module_, options, result);
  }
  std::shared_ptr<Module> module_;
};

constexpr std::chrono::milliseconds kTimeout{5000};

TEST_F(LiveInstanceTest, KeepsItsMemoryAcrossAThousandCalls) {
  CallResult made;
  auto live = create(made);
  ASSERT_TRUE(live) << made.message;
  for (int i = 1; i <= 1000; ++i) {
    CallResult r = live->call("bump", kTimeout);
    ASSERT_FALSE(r.trapped()) << r.message;
    ASSERT_EQ(r.stdout_data, std::to_string(i) + "\n");
  }
  EXPECT_TRUE(live->usable());
  EXPECT_GT(live->memory_bytes(), 0u);
}

TEST_F(LiveInstanceTest, CallsFromOtherThreadsSeeTheSameState) {
  CallResult made;
  auto live = create(made);
  ASSERT_TRUE(live) << made.message;
  std::string outputs;
  for (int i = 0; i < 4; ++i) {
    std::thread([&] { outputs += live->call("bump", kTimeout).stdout_data; }).join();
  }
  EXPECT_EQ(outputs, "1\n2\n3\n4\n");
  // A fault in the instance's memory on a thread it was not made on is still a trap.
  CallResult fault;
  std::thread([&] { fault = live->call("oob", kTimeout); }).join();
  EXPECT_EQ(fault.trap, TrapKind::kOutOfBounds) << fault.message;
  EXPECT_FALSE(live->usable());
}

TEST_F(LiveInstanceTest, ATrapEndsTheInstanceAndAFreshOneStartsOver) {
  CallResult made;
  auto live = create(made);
  ASSERT_TRUE(live) << made.message;
  for (int i = 0; i < 499; ++i) ASSERT_FALSE(live->call("bump", kTimeout).trapped());
  EXPECT_EQ(live->call("trap", kTimeout).trap, TrapKind::kUnreachable);
  EXPECT_FALSE(live->usable());
  EXPECT_TRUE(live->call("bump", kTimeout).trapped());  // refused, not run
  live = create(made);
  ASSERT_TRUE(live) << made.message;
  EXPECT_EQ(live->call("bump", kTimeout).stdout_data, "1\n");
}

TEST_F(LiveInstanceTest, ARunawayIsHaltedAtItsOwnDeadline) {
  CallResult made;
  auto live = create(made);
  ASSERT_TRUE(live) << made.message;
  EXPECT_EQ(live->call("bump", kTimeout).stdout_data, "1\n");
  CallResult r = live->call("spin", std::chrono::milliseconds(50));
  EXPECT_EQ(r.trap, TrapKind::kTimeout);
  EXPECT_FALSE(live->usable());
}

TEST_F(LiveInstanceTest, AnExitEndsTheInstance) {
  CallResult made;
  auto live = create(made);
  ASSERT_TRUE(live) << made.message;
  CallResult r = live->call("leave", kTimeout);
  EXPECT_FALSE(r.trapped());
  EXPECT_TRUE(r.exited);
  EXPECT_FALSE(live->usable());
}

TEST_F(LiveInstanceTest, AMissingExportIsAnErrorThatKeepsTheInstance) {
  CallResult made;
  auto live = create(made);
  ASSERT_TRUE(live) << made.message;
  CallResult r = live->call("nope", kTimeout);
  EXPECT_EQ(r.trap, TrapKind::kHostError);
  EXPECT_TRUE(live->usable());
  EXPECT_EQ(live->call("bump", kTimeout).stdout_data, "1\n");
}

TEST_F(LiveInstanceTest, ManyInstancesComeAndGoWithoutLeakingMemories) {
  const uint64_t before = mapped_linear_memories();
  for (int i = 0; i < 50; ++i) {
    CallResult made;
    auto live = create(made);
    ASSERT_TRUE(live) << made.message;
    ASSERT_FALSE(live->call("bump", kTimeout).trapped());
  }
  // Freed memories go back to this thread's pool (at most its capacity stays mapped).
  EXPECT_LE(mapped_linear_memories(), before + 4);
}

}  // namespace
}  // namespace wa::runtime
