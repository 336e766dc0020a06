// Compile bombs against the real server: another user's deploy is served while a bomb
// compiles, calls to a module still compiling answer 503 at once, and a module past a
// compile cap fails with a message its owner sees. Modules are generated here.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/files.h"
#include "support/subprocess.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using gateway::HttpClient;
using nlohmann::json;

std::string wat_to_wasm(const std::string& wat, const fs::path& dir,
                        std::vector<std::string> flags = {}) {
  std::ofstream(dir / "module.wat") << wat;
  std::vector<std::string> argv = {"wat2wasm", "module.wat", "-o", "module.wasm"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto ran = run_subprocess(argv, dir, {});
  if (!ran || ran->exit_code != 0)
    throw std::runtime_error("wat2wasm: " + (ran ? ran->output : ran.error().message));
  auto bytes = read_file_bytes(dir / "module.wasm");
  if (!bytes) throw std::runtime_error(bytes.error().message);
  return std::string(bytes->begin(), bytes->end());
}

// `functions` small functions and a _start: wasm2c's time grows with the square of the
// function count (20,000 took 71 s here), so tens of thousands keep a compile slot busy
// for minutes. `seed` makes distinct modules.
std::string many_functions(int functions, int seed, const fs::path& dir) {
  std::ostringstream wat;
  wat << "(module\n";
  for (int i = 0; i < functions; ++i)
    wat << " (func (param i32) (result i32) local.get 0 i32.const " << i + seed << " i32.add)\n";
  wat << " (func (export \"_start\")))\n";
  return wat_to_wasm(wat.str(), dir);
}

// A small CGI guest: prints a header and a line.
std::string small_guest(const fs::path& dir) {
  return wat_to_wasm(R"((module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Content-Type: text/plain\0d\0a\0d\0asmall\0a")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 34))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
)",
                     dir);
}

// wasm2c repeats a table's debug name in every call_indirect: ~200 KB of module asks
// for ~100 MB of C, past the 64 MiB cap.
std::string c_size_bomb(const fs::path& dir) {
  std::ostringstream wat;
  wat << "(module (type $t (func)) (table $" << std::string(1000, 'T') << " 1 funcref)\n"
      << " (func (export \"_start\")\n";
  for (int i = 0; i < 40'000; ++i) wat << "  i32.const 0 call_indirect 0 (type $t)\n";
  wat << " ))\n";
  return wat_to_wasm(wat.str(), dir, {"--debug-names"});
}

class CompileScheduling : public ServerTest {
 protected:
  CompileScheduling() : ServerTest("wa-compile-it") {}
  void SetUp() override {
    ServerTest::SetUp();
    work_ = make_temp_dir("wa-compile-it-wat");
  }
  void TearDown() override {
    ServerTest::TearDown();
    fs::remove_all(work_);
  }

  fs::path work_;
};

TEST_F(CompileScheduling, AnotherUsersDeployIsServedWhileACompileBombCompiles) {
  // Two workers: calls that waited for a compile would tie both up.
  auto& server = start({"--workers", "2", "--compile-tiers", "fast"});
  auto client = client_for(server);
  std::string ann = register_user(client, "ann");
  std::string bob = register_user(client, "bob");

  // ann deploys two compile bombs (each minutes of wasm2c), then bob a small action.
  ASSERT_EQ(deploy(client, ann, "bomb1", "/bomb1", many_functions(40'000, 0, work_)).status, 201u);
  ASSERT_EQ(deploy(client, ann, "bomb2", "/bomb2", many_functions(40'000, 7, work_)).status, 201u);
  ASSERT_EQ(deploy(client, bob, "small", "/small", small_guest(work_)).status, 201u);

  // bob's action answers while ann's bombs are still compiling.
  auto small = call_until_ok(client, "/small");
  ASSERT_EQ(small.status, 200u) << small.body;
  EXPECT_EQ(small.body, "small\n");
  EXPECT_EQ(action_state(client, ann, "bomb1").value("status", ""), "compiling");
  EXPECT_EQ(action_state(client, ann, "bomb2").value("status", ""), "compiling");

  // Calls to a module still compiling answer at once, more of them than there are
  // workers; the compiled action keeps answering.
  for (int i = 0; i < 6; ++i) {
    auto busy = must(client.get(i % 2 ? "/bomb1" : "/bomb2"));
    EXPECT_EQ(busy.status, 503u) << busy.body;
    EXPECT_EQ(body_json(busy).value("error", ""), "compiling") << busy.body;
    EXPECT_FALSE(busy.header("Retry-After").empty());
  }
  EXPECT_EQ(must(client.get("/small")).status, 200u);
  EXPECT_EQ(action_state(client, ann, "bomb1").value("status", ""), "compiling");
}

// What the owner sees of a module that failed on a cap: the action's state and error,
// the answer to a call, and a line in the action's log.
void expect_failed_on_cap(HttpClient& client, const std::string& token, const std::string& name,
                          const std::string& reason) {
  SCOPED_TRACE(name);
  json state = wait_while_compiling(client, token, name);
  ASSERT_EQ(state.value("status", ""), "failed") << state.dump();
  std::string error = state["current_version"].value("error", "");
  EXPECT_NE(error.find("too large to compile"), std::string::npos) << error;
  EXPECT_NE(error.find(reason), std::string::npos) << error;

  auto call = must(client.get("/" + name));
  EXPECT_EQ(call.status, 500u) << call.body;
  EXPECT_NE(call.body.find("too large to compile"), std::string::npos) << call.body;

  auto logs = must(client.get("/api/v1/actions/" + name + "/logs", token));
  ASSERT_EQ(logs.status, 200u) << logs.body;
  EXPECT_NE(logs.body.find("too large to compile"), std::string::npos) << logs.body;
}

TEST_F(CompileScheduling, ModuleWhoseCIsTooLargeFailsAndStaysFailedUntilRedeploy) {
  auto& server = start({"--compile-tiers", "fast"});
  auto client = client_for(server);
  std::string ann = register_user(client, "ann");
  std::string bomb = c_size_bomb(work_);
  ASSERT_EQ(deploy(client, ann, "huge", "/huge", bomb).status, 201u);
  expect_failed_on_cap(client, ann, "huge", "64 MiB");

  // No request or restart compiles it again: it answers 500 at once and stays failed.
  server.stop();
  auto& again = start({"--compile-tiers", "fast"});
  auto client2 = client_for(again);
  EXPECT_EQ(must(client2.get("/huge")).status, 500u);
  EXPECT_EQ(action_state(client2, ann, "huge").value("status", ""), "failed");
  // A redeploy compiles it again (and it fails again on the same cap).
  auto redeployed = put_module(client2, ann, "huge", bomb);
  ASSERT_EQ(redeployed.status, 200u) << redeployed.body;
  json state = wait_while_compiling(client2, ann, "huge");
  EXPECT_EQ(state.value("status", ""), "failed");
  EXPECT_EQ(state["current_version"].value("version", 0), 2);
}

TEST_F(CompileScheduling, ModulePastTheWallClockCapFailsWithAMessageItsOwnerSees) {
  auto& server = start({"--compile-timeout-fast-seconds", "1", "--compile-tiers", "fast"});
  auto client = client_for(server);
  std::string ann = register_user(client, "ann");
  ASSERT_EQ(deploy(client, ann, "slow", "/slow", many_functions(30'000, 0, work_)).status, 201u);
  expect_failed_on_cap(client, ann, "slow", "took longer than the limit of 1 s");
}

// A compile killed by a shutdown is not a failure: after a restart it compiles again.
TEST_F(CompileScheduling, CompileInterruptedByShutdownResumesAfterRestart) {
  auto& server = start({"--compile-tiers", "fast"});
  auto client = client_for(server);
  std::string ann = register_user(client, "ann");
  ASSERT_EQ(deploy(client, ann, "bomb", "/bomb", many_functions(40'000, 3, work_)).status, 201u);
  EXPECT_EQ(action_state(client, ann, "bomb").value("status", ""), "compiling");
  server.stop();
  auto& again = start({"--compile-tiers", "fast"});
  auto client2 = client_for(again);
  EXPECT_EQ(action_state(client2, ann, "bomb").value("status", ""), "compiling");
  auto busy = must(client2.get("/bomb"));
  EXPECT_EQ(busy.status, 503u) << busy.body;
}

}  // namespace
}  // namespace wa::testing
