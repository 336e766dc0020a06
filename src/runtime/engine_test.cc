// Engine tests with real guests (tests/guests, built to $WA_GUESTS_DIR).
#include "runtime/engine.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "runtime/engine_test_fixture.h"
#include "runtime/host_imports.h"
#include "runtime/linear_memory.h"
#include "runtime/watchdog.h"
#include "support/files.h"

namespace wa::runtime {
namespace {

namespace fs = std::filesystem;

uint64_t resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

TEST_F(EngineTest, HelloWritesCgiResponse) {
  CallOptions options;
  options.wasi.env = {{"QUERY_STRING", "name=wasm"}};
  CallResult r = run("hello", options);
  EXPECT_FALSE(r.trapped()) << r.message;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.stdout_data.find("Content-Type: text/plain"), std::string::npos);
  EXPECT_NE(r.stdout_data.find("query=name=wasm"), std::string::npos);
}

TEST_F(EngineTest, ArgsEnvStdinAndStderr) {
  CallOptions options;
  options.wasi.args = {"echo_io", "one", "two words"};
  options.wasi.env = {{"GREETING", "hi there"}};
  options.wasi.stdin_data = "body bytes";
  CallResult r = run("echo_io", options);
  ASSERT_FALSE(r.trapped()) << r.message;
  EXPECT_NE(r.stdout_data.find("arg1=one\narg2=two words\n"), std::string::npos) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find("GREETING=hi there"), std::string::npos);
  EXPECT_NE(r.stdout_data.find("stdin=body bytes"), std::string::npos);
  EXPECT_EQ(r.stderr_data, "to stderr\n");
}

TEST_F(EngineTest, ExitCodeIsReported) {
  CallOptions options;
  options.wasi.args = {"exit_code", "42"};
  CallResult r = run("exit_code", options);
  EXPECT_FALSE(r.trapped()) << r.message;
  EXPECT_EQ(r.exit_code, 42);
}

struct TrapCase {
  const char* guest;
  TrapKind expected;
};

class TrapKinds : public EngineTest, public ::testing::WithParamInterface<TrapCase> {};

// Only guests that are meant to time out get a short deadline: under load, a tight
// one would end the others with a timeout before they reach the trap under test.
constexpr std::chrono::milliseconds kNeverReached{10 * 60 * 1000};

TEST_P(TrapKinds, AreReportedByKind) {
  CallOptions options;
  options.timeout =
      GetParam().expected == TrapKind::kTimeout ? std::chrono::milliseconds(200) : kNeverReached;
  options.memory_limit_bytes = 8 << 20;
  options.wasi.stdout_config.limit_bytes = 64 * 1024;
  CallResult r = run(GetParam().guest, options);
  EXPECT_EQ(trap_kind_name(r.trap), trap_kind_name(GetParam().expected)) << r.message;
  EXPECT_FALSE(r.message.empty());
}

INSTANTIATE_TEST_SUITE_P(Guests, TrapKinds,
                         ::testing::Values(TrapCase{"loop", TrapKind::kTimeout},
                                           TrapCase{"start_loop", TrapKind::kTimeout},
                                           TrapCase{"host_loop", TrapKind::kTimeout},
                                           TrapCase{"sleep_loop", TrapKind::kTimeout},
                                           TrapCase{"oob", TrapKind::kOutOfBounds},
                                           TrapCase{"recurse", TrapKind::kStackExhaustion},
                                           TrapCase{"recurse_host", TrapKind::kStackExhaustion},
                                           TrapCase{"unreachable", TrapKind::kUnreachable},
                                           TrapCase{"div_zero", TrapKind::kDivideByZero},
                                           TrapCase{"memory_bomb", TrapKind::kMemoryLimit},
                                           TrapCase{"flood", TrapKind::kOutputLimit}),
                         [](const auto& info) { return std::string(info.param.guest); });

TEST_F(EngineTest, TimeoutHaltsNearTheDeadline) {
  CallOptions options;
  options.timeout = std::chrono::milliseconds(100);
  CallResult r = run("loop", options);
  EXPECT_EQ(r.trap, TrapKind::kTimeout);
  // That it stops at all is the point; how soon after depends on the machine's load,
  // but it is never before the deadline.
  EXPECT_GE(r.duration, options.timeout);
}

TEST_F(EngineTest, ThousandTimeoutsOnOneThreadKeepRssFlatAndThreadUsable) {
  auto looping = load("loop");
  auto hello = load("hello");
  ASSERT_TRUE(looping && hello);
  CallOptions options;
  options.timeout = std::chrono::milliseconds(1);
  options.wasi.args = {"loop"};
  // Warm up pools and allocator, then measure growth over the rest.
  for (int i = 0; i < 50; ++i) engine_->call(*looping, options);
  uint64_t rss_before = resident_kib();
  uint64_t mapped_before = mapped_linear_memories();
  int timeouts = 0;
  for (int i = 0; i < 1000; ++i)
    timeouts += engine_->call(*looping, options).trap == TrapKind::kTimeout;
  EXPECT_EQ(timeouts, 1000);
  EXPECT_LT(resident_kib(), rss_before + 8 * 1024) << "RSS grew across timeouts";
  EXPECT_EQ(mapped_linear_memories(), mapped_before) << "linear memories leaked";
  CallOptions hello_options;
  hello_options.wasi.args = {"hello"};
  CallResult ok = engine_->call(*hello, hello_options);
  EXPECT_FALSE(ok.trapped()) << ok.message;
  EXPECT_NE(ok.stdout_data.find("Hello"), std::string::npos);
}

TEST_F(EngineTest, ConcurrentTrapsOnSeveralThreads) {
  const char* guests[] = {"oob", "recurse", "unreachable", "loop", "hello", "div_zero"};
  std::vector<std::shared_ptr<Module>> modules;
  for (const char* g : guests) modules.push_back(load(g));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        size_t which = (t + i) % modules.size();
        const bool runaway = std::string(guests[which]) == "loop";
        CallOptions options;
        // A short deadline only for the runaway: 20 ms for hello failed 6 of 30 runs
        // under load, timing out a guest that should not trap.
        options.timeout = runaway ? std::chrono::milliseconds(20) : kNeverReached;
        options.wasi.args = {guests[which]};
        CallResult r = engine_->call(*modules[which], options);
        bool expect_trap = std::string(guests[which]) != "hello";
        if (r.trapped() != expect_trap) wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(EngineTest, ManyConcurrentInstancesOfOneModule) {
  auto module = load("echo_io");
  ASSERT_TRUE(module);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        CallOptions options;
        options.wasi.args = {"echo_io", std::to_string(t * 1000 + i)};
        CallResult r = engine_->call(*module, options);
        if (r.stdout_data.find("arg1=" + std::to_string(t * 1000 + i) + "\n") == std::string::npos)
          wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(EngineTest, LongCallsRunAtIdlePriorityAndShortOnesDoNot) {
  if (!Watchdog::instance().deprioritizing())
    GTEST_SKIP() << "this process may not restore thread priorities (no CAP_SYS_NICE)";
  auto looping = load("loop");
  auto hello = load("hello");
  ASSERT_TRUE(looping && hello);
  std::atomic<bool> done{false};
  int policy_after = -1, policy_after_short = -1;
  std::thread worker([&] {
    CallOptions options;
    options.timeout = std::chrono::milliseconds(300);
    EXPECT_EQ(engine_->call(*looping, options).trap, TrapKind::kTimeout);
    policy_after = sched_getscheduler(0);
    EXPECT_FALSE(engine_->call(*hello, CallOptions{}).trapped());
    policy_after_short = sched_getscheduler(0);
    done = true;
  });
  bool seen_idle = false;
  while (!done) {
    int policy = -1;
    sched_param param{};
    if (pthread_getschedparam(worker.native_handle(), &policy, &param) == 0 && policy == SCHED_IDLE)
      seen_idle = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  worker.join();
  EXPECT_TRUE(seen_idle) << "the runaway was never moved to idle priority";
  EXPECT_EQ(policy_after, SCHED_OTHER);
  EXPECT_EQ(policy_after_short, SCHED_OTHER);
}

TEST_F(EngineTest, EachCallSeesFreshZeroedMemory) {
  auto dirty = load("dirty_memory");
  auto oob = load("oob");
  ASSERT_TRUE(dirty && oob);
  for (int i = 0; i < 50; ++i) {
    CallResult r = engine_->call(*dirty, CallOptions{});
    ASSERT_FALSE(r.trapped()) << "call " << i << " saw a previous call's memory: " << r.message;
    // A smaller memory afterwards must not see the grown pages as accessible.
    EXPECT_EQ(engine_->call(*oob, CallOptions{}).trap, TrapKind::kOutOfBounds);
  }
}

TEST_F(EngineTest, InvokesNamedEntryAndRejectsMissingOne) {
  auto module = load("export_only");
  ASSERT_TRUE(module);
  CallOptions options;
  options.entry = "noop";
  EXPECT_FALSE(engine_->call(*module, options).trapped());
  options.entry = "run";
  EXPECT_EQ(engine_->call(*module, options).trap, TrapKind::kUnreachable);
  options.entry = "missing";
  CallResult r = engine_->call(*module, options);
  EXPECT_EQ(r.trap, TrapKind::kHostError);
  EXPECT_NE(r.message.find("missing"), std::string::npos);
}

TEST_F(EngineTest, SecondLoadOfSameModuleIsShared) {
  auto a = load("hello");
  auto b = load("hello");
  EXPECT_EQ(a.get(), b.get());
}

TEST_F(EngineTest, ArtifactCacheServesAFreshEngine) {
  load("hello");  // ensures the artifact is on disk
  EngineConfig config;
  config.cache_dir = cache_dir_;
  config.tiers = EngineConfig::Tiers::kFastOnly;
  Engine fresh(config);
  auto module = fresh.load(guest("hello"));
  ASSERT_TRUE(module.ok());
  // A cached artifact is loaded synchronously: runnable without waiting.
  EXPECT_EQ(module.value()->state(), ModuleState::kReady);
}

TEST(TieredEngine, OptimizedTierReplacesFastTierUnderTraffic) {
  auto cache = fs::temp_directory_path() / ("wa_tiered_test_" + std::to_string(getpid()));
  EngineConfig config;
  config.cache_dir = cache;
  config.tiers = EngineConfig::Tiers::kTiered;
  std::vector<std::string> states;
  std::mutex states_mutex;
  {
    Engine engine(config);
    auto module = engine.load(guest("echo_io"), [&](const Module& m) {
      std::lock_guard lock(states_mutex);
      states.push_back(std::string(module_state_name(m.state())));
    });
    ASSERT_TRUE(module.ok());
    ASSERT_TRUE(module.value()->wait_until_runnable());
    // Calls run while the optimised build is installed under them.
    std::atomic<bool> optimized{false};
    std::atomic<int> calls{0}, wrong{0};
    std::thread traffic([&] {
      while (!optimized || calls < 20) {
        CallOptions options;
        options.wasi.args = {"echo_io", "x"};
        CallResult r = engine.call(*module.value(), options);
        wrong += r.trapped() || r.stdout_data.find("arg1=x") == std::string::npos;
        calls++;
      }
    });
    EXPECT_TRUE(module.value()->wait_until_optimized()) << module.value()->error();
    optimized = true;
    traffic.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(module.value()->tier(), "optimized");
  }
  ASSERT_GE(states.size(), 2u);
  EXPECT_EQ(states.front(), "ready");
  EXPECT_EQ(states.back(), "optimized");
  // Both tiers are cached on disk.
  int artifacts = 0;
  for (auto& entry : fs::recursive_directory_iterator(cache))
    artifacts += entry.path().extension() == ".so";
  EXPECT_EQ(artifacts, 2);
  fs::remove_all(cache);
}

// Operators whose C lowering depends on the compiler must give spec results on both
// tiers (tcc for the fast tier, gcc -O2 for the optimised one).
TEST(Tiers, NumericSemanticsMatchTheSpecOnBothTiers) {
  auto cache = fs::temp_directory_path() / ("wa_numeric_test_" + std::to_string(getpid()));
  for (auto tiers : {EngineConfig::Tiers::kFastOnly, EngineConfig::Tiers::kOptimizedOnly}) {
    EngineConfig config;
    config.cache_dir = cache;
    config.tiers = tiers;
    Engine engine(config);
    auto module = engine.load(guest("numeric_checks"));
    ASSERT_TRUE(module.ok()) << module.error().message;
    ASSERT_TRUE(module.value()->wait_until_runnable()) << module.value()->error();
    CallResult r = engine.call(*module.value(), CallOptions{});
    EXPECT_FALSE(r.trapped()) << module.value()->tier() << " tier: " << r.message;
  }
  fs::remove_all(cache);
}

struct RejectCase {
  const char* guest;
  const char* kind;
  const char* mentions;
};

class Rejections : public EngineTest, public ::testing::WithParamInterface<RejectCase> {};

TEST_P(Rejections, NameTheProblem) {
  auto result = engine_->validate(guest(GetParam().guest));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, GetParam().kind);
  EXPECT_NE(result.error().message.find(GetParam().mentions), std::string::npos)
      << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(Guests, Rejections,
                         ::testing::Values(RejectCase{"simd", "unsupported_feature", "SIMD"},
                                           RejectCase{"imports_env", "unsupported_import",
                                                      "env.magic"}),
                         [](const auto& info) { return std::string(info.param.guest); });

// The validator's list of provided imports must match what the WASI layer exports to
// guests (resolved like dlopen'ed guest code resolves them).
TEST(Validation, EveryProvidedImportIsAnExportedHostFunction) {
  const char* wasi_names[] = {"args_get",
                              "args_sizes_get",
                              "environ_get",
                              "environ_sizes_get",
                              "clock_res_get",
                              "clock_time_get",
                              "fd_advise",
                              "fd_allocate",
                              "fd_close",
                              "fd_datasync",
                              "fd_fdstat_get",
                              "fd_fdstat_set_flags",
                              "fd_fdstat_set_rights",
                              "fd_filestat_get",
                              "fd_filestat_set_size",
                              "fd_filestat_set_times",
                              "fd_pread",
                              "fd_prestat_get",
                              "fd_prestat_dir_name",
                              "fd_pwrite",
                              "fd_read",
                              "fd_readdir",
                              "fd_renumber",
                              "fd_seek",
                              "fd_sync",
                              "fd_tell",
                              "fd_write",
                              "path_create_directory",
                              "path_filestat_get",
                              "path_filestat_set_times",
                              "path_link",
                              "path_open",
                              "path_readlink",
                              "path_remove_directory",
                              "path_rename",
                              "path_symlink",
                              "path_unlink_file",
                              "poll_oneoff",
                              "proc_exit",
                              "proc_raise",
                              "sched_yield",
                              "random_get",
                              "sock_accept",
                              "sock_recv",
                              "sock_send",
                              "sock_shutdown"};
  for (const char* name : wasi_names) {
    EXPECT_TRUE(is_provided_host_function(kWasiModule, name)) << name;
    std::string symbol = std::string("Z_wasi_snapshot_preview1Z_") + name;
    EXPECT_NE(dlsym(RTLD_DEFAULT, symbol.c_str()), nullptr) << symbol << " is not exported";
  }
  EXPECT_FALSE(is_provided_host_function(kWasiModule, "fd_frobnicate"));
  EXPECT_FALSE(is_provided_host_function("env", "fd_write"));
}

TEST(Validation, GarbageNeverCrashes) {
  Engine engine(EngineConfig{});
  std::vector<uint8_t> bytes = {0, 'a', 's', 'm', 1, 0, 0, 0};
  srand(1234);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> mutated = bytes;
    size_t extra = rand() % 64;
    for (size_t j = 0; j < extra; ++j) mutated.push_back(rand() & 0xff);
    (void)engine.validate(mutated);
  }
  auto text = engine.validate(std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o', '!', '!', '!'});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().kind, "not_wasm");
  auto truncated = engine.validate(std::vector<uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5});
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().kind, "invalid_module");
}

}  // namespace
}  // namespace wa::runtime
