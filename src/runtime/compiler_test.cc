// Compiler: the artifact cache key, the compile caps, and huge guest frames on both tiers,
// with modules generated here (WAT → wat2wasm) and the real tools.
#include "runtime/compiler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "runtime/engine.h"
#include "support/files.h"
#include "support/sha256.h"
#include "support/subprocess.h"

namespace wa::runtime {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("wa_compiler_test_" + name + "_" + std::to_string(getpid()));
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  return dir;
}

// wat2wasm (the tool the guests are built with) over generated text.
std::vector<uint8_t> wat_to_wasm(const std::string& wat, const fs::path& dir,
                                 std::vector<std::string> flags = {}) {
  std::ofstream(dir / "module.wat") << wat;
  std::vector<std::string> argv = {"wat2wasm", "module.wat", "-o", "module.wasm"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto ran = run_subprocess(argv, dir, {});
  EXPECT_TRUE(ran && ran->exit_code == 0) << (ran ? ran->output : ran.error().message);
  auto bytes = read_file_bytes(dir / "module.wasm");
  EXPECT_TRUE(bytes.ok());
  return bytes ? std::move(bytes.value()) : std::vector<uint8_t>{};
}

std::string sha_of(const std::vector<uint8_t>& wasm) {
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(wasm.data()), wasm.size()));
}

// Sets PATH for one scope (the compiler resolves its tools through it).
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& value) {
    const char* old = std::getenv("PATH");
    old_ = old ? old : "";
    ::setenv("PATH", value.c_str(), 1);
  }
  ~ScopedPath() { ::setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

void write_tool(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << "#!/bin/sh\n# " << text << "\n";
  fs::permissions(path, fs::perms::owner_all);
}

// The key must change exactly when a tool that tier runs changes: tcc for the fast tier,
// gcc for the optimised one, wasm2c for both; clang runs nowhere.
TEST(CompilerCacheKey, FollowsTheToolsEachTierRuns) {
  fs::path dir = fresh_dir("key");
  fs::path bin = dir / "bin";
  fs::create_directories(bin);
  for (const char* tool : {"wasm2c", "tcc", "gcc", "clang"}) write_tool(bin / tool, "v1");
  const std::string sha(64, 'a');
  auto keys = [&] {
    ScopedPath path(bin.string());  // only the stand-ins: the key reads them, never runs them
    Compiler compiler(CompilerSettings{dir / "cache"});
    return std::pair{compiler.artifact_path(sha, Tier::kFast),
                     compiler.artifact_path(sha, Tier::kOptimized)};
  };
  auto base = keys();
  EXPECT_EQ(keys(), base) << "the key is stable";

  write_tool(bin / "tcc", "v2, a tcc upgrade");
  auto after_tcc = keys();
  EXPECT_NE(after_tcc.first, base.first) << "a tcc upgrade must not reuse fast-tier code";
  EXPECT_EQ(after_tcc.second, base.second) << "gcc -O2 artifacts do not depend on tcc";

  write_tool(bin / "gcc", "v2, a gcc upgrade");
  auto after_gcc = keys();
  EXPECT_EQ(after_gcc.first, after_tcc.first) << "tcc artifacts do not depend on gcc";
  EXPECT_NE(after_gcc.second, after_tcc.second) << "a gcc upgrade must not reuse -O2 code";

  write_tool(bin / "clang", "v2, clang is not used");
  EXPECT_EQ(keys(), after_gcc);

  write_tool(bin / "wasm2c", "v2");
  auto after_wasm2c = keys();
  EXPECT_NE(after_wasm2c.first, after_gcc.first);
  EXPECT_NE(after_wasm2c.second, after_gcc.second);
  fs::remove_all(dir);
}

TEST(CompilerFlags, OptimizedTierProbesLargeFrames) {
  auto gcc = tier_compiler_command(Tier::kOptimized);
  EXPECT_EQ(gcc.front(), "gcc");
  EXPECT_NE(std::find(gcc.begin(), gcc.end(), "-fstack-clash-protection"), gcc.end());
  auto tcc = tier_compiler_command(Tier::kFast);
  EXPECT_EQ(tcc.front(), "tcc");  // tcc has no such flag: the large stack guard covers it
}

TEST(CompileLimits, GeneratedCLimitScalesWithTheModule) {
  EXPECT_EQ(generated_c_limit_bytes(1000), 64ull << 20);
  EXPECT_EQ(generated_c_limit_bytes(10ull << 20), 240ull << 20);
}

// wasm2c repeats a table's debug name in every call_indirect: a 200 KB module asks for
// ~100 MB of C. The build stops at the cap with a message a user can act on.
TEST(CompileLimits, ModuleWhoseCIsTooLargeFailsWithAClearMessage) {
  fs::path dir = fresh_dir("csize");
  std::ostringstream wat;
  wat << "(module (type $t (func)) (table $" << std::string(1000, 'T') << " 1 funcref)\n"
      << " (func (export \"_start\")\n";
  for (int i = 0; i < 40'000; ++i) wat << "  i32.const 0 call_indirect 0 (type $t)\n";
  wat << " ))\n";
  auto wasm = wat_to_wasm(wat.str(), dir, {"--debug-names"});
  ASSERT_LT(wasm.size(), 1u << 20);
  Compiler compiler(CompilerSettings{dir / "cache"});
  auto built = compiler.build(wasm, sha_of(wasm), Tier::kFast);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().kind, "compile_limit");
  EXPECT_NE(built.error().message.find("too large to compile"), std::string::npos)
      << built.error().message;
  EXPECT_NE(built.error().message.find("64 MiB"), std::string::npos) << built.error().message;
  EXPECT_FALSE(fs::exists(compiler.artifact_path(sha_of(wasm), Tier::kFast)));
  fs::remove_all(dir);
}

// 30,000 small functions: wasm2c alone needs minutes (its time grows with the square of
// the function count). The wall-clock cap ends the build.
TEST(CompileLimits, BuildPastTheWallClockCapIsKilledWithAClearMessage) {
  fs::path dir = fresh_dir("clock");
  std::ostringstream wat;
  wat << "(module\n";
  for (int i = 0; i < 30'000; ++i)
    wat << " (func (param i32) (result i32) local.get 0 i32.const " << i << " i32.add)\n";
  wat << " (func (export \"_start\")))\n";
  auto wasm = wat_to_wasm(wat.str(), dir);
  CompilerSettings settings{dir / "cache"};
  settings.fast_wall_clock = std::chrono::seconds(1);
  Compiler compiler(settings);
  auto built = compiler.build(wasm, sha_of(wasm), Tier::kFast);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().kind, "compile_limit");
  EXPECT_NE(built.error().message.find("took longer than the limit of 1 s"), std::string::npos)
      << built.error().message;
  fs::remove_all(dir);
}

// A guest function whose native frame is larger than 1 MiB (wasm2c: one C variable per
// operand-stack slot, 300,000 of them), recursing before it touches its frame: each
// call's first store lands ~2.4 MB below the previous frame. It must end in a clean trap
// on both tiers (gcc probes each page; under tcc the large guard below the thread's stack
// catches it), never crash the process or write into another mapping.
TEST(HugeFrames, RecursionWithAFrameOverOneMebibyteTrapsOnBothTiers) {
  fs::path dir = fresh_dir("frame");
  std::ostringstream wat;
  // The recursion goes through the table and adds to its result, so gcc can neither
  // turn it into a loop nor into a tail call.
  wat << "(module\n (type $t (func (param i32) (result i32)))\n (table 1 funcref)\n"
      << " (elem (i32.const 0) $deep)\n (func $deep (type $t)\n"
      << "  (if (result i32) (local.get 0)\n"
      << "   (then (i32.add (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))\n"
      << "                                          (i32.const 0)) (i32.const 1)))\n"
      << "   (else (i32.const 0)))\n";
  for (int i = 0; i < 300'000; ++i) wat << "  i64.const " << i << "\n";
  for (int i = 0; i < 300'000; ++i) wat << "  drop\n";
  wat << " )\n (func (export \"_start\") (drop (call $deep (i32.const 1000000)))))\n";
  auto wasm = wat_to_wasm(wat.str(), dir);
  for (auto tiers : {EngineConfig::Tiers::kFastOnly, EngineConfig::Tiers::kOptimizedOnly}) {
    EngineConfig config;
    config.cache_dir = dir / "cache";
    config.tiers = tiers;
    Engine engine(config);
    auto module = engine.load(wasm);
    ASSERT_TRUE(module.ok()) << module.error().message;
    ASSERT_TRUE(module.value()->wait_until_runnable()) << module.value()->error();
    // On a thread made after the engine, as the gateway's workers are; twice, to show
    // the thread still works after the trap.
    for (int round = 0; round < 2; ++round) {
      CallResult result;
      std::thread worker([&] { result = engine.call(*module.value(), CallOptions{}); });
      worker.join();
      EXPECT_TRUE(result.trap == TrapKind::kStackExhaustion ||
                  result.trap == TrapKind::kOutOfBounds)
          << "tier " << (tiers == EngineConfig::Tiers::kFastOnly ? "fast" : "optimized") << ": "
          << trap_kind_name(result.trap) << " " << result.message;
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wa::runtime
