// The C SDK (sdk/c/wasm_actions.h) and the counter example against the real host: guests
// built with the SDK run through the real `wasm-actions run --kv ... --kv-db ...`, with
// a real SQLite KV file per test.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli_process.h"

namespace {

namespace fs = std::filesystem;
using wa::testing::Outcome;
using wa::testing::slurp;

fs::path scratch() { return wa::testing::scratch_dir("wa_sdk_c_test_", /*wipe=*/true); }

std::string guest(const std::string& name) { return wa::testing::guest_module(WA_GUESTS, name); }

// A KV file of the running test's own, so tests never share state.
std::string test_db() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return (scratch() / (std::string(info->name()) + ".kv.db")).string();
}

// `wasm-actions run` with `flags` (each one argument), then the module and its args.
Outcome run_cli(const std::vector<std::string>& flags, const std::string& module,
                const std::vector<std::string>& args = {}, const std::string& input = "") {
  std::string cmd = wa::testing::cli_run(WA_CLI_PATH, WA_TEST_ARTIFACT_CACHE);
  if (!flags.empty()) cmd += " " + wa::testing::quote_all(flags);
  cmd += " " + wa::testing::quote(module);
  if (!args.empty()) cmd += " " + wa::testing::quote_all(args);
  return wa::testing::run_shell(cmd, input, scratch());
}

// A suite of sdk_kv / sdk_cgi passes when it prints DONE 0 and no FAIL line.
void expect_suite_passes(const Outcome& o) {
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_EQ(o.out.find("FAIL"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("DONE 0\n"), std::string::npos) << o.out << o.err;
}

TEST(SdkC, ErrorNamesMatchTheContract) {
  Outcome o = run_cli({}, guest("sdk_cgi"), {"names"});
  expect_suite_passes(o);
  EXPECT_NE(o.out.find("PASS access_denied"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("PASS unavailable"), std::string::npos) << o.out;
}

TEST(SdkC, CgiHelpersDecodeTheRequest) {
  std::string body;
  for (int i = 0; i < 10000; ++i) body += static_cast<char>('a' + i % 26);
  Outcome o = run_cli({"--env", "REQUEST_METHOD=POST", "--env", "PATH_INFO=/a/b", "--env",
                       "QUERY_STRING=name=J%C3%B6rg+%26+co&empty&sp%20ace=%zz&nul=a%00b", "--env",
                       "HTTP_USER_AGENT=sdk-test/1", "--env", "CONTENT_TYPE=text/plain"},
                      guest("sdk_cgi"), {"cgi"}, body);
  expect_suite_passes(o);
}

// Clang emits imports only for the functions a guest calls: the SDK declares every
// `wasm_actions` function (rooms too), but a guest that calls none imports none.
TEST(SdkC, UnusedSdkFunctionsAreNotImported) {
  std::string wasm = slurp(guest("sdk_cgi"));
  ASSERT_FALSE(wasm.empty());
  EXPECT_EQ(wasm.find("wasm_actions"), std::string::npos);
  std::string counter = slurp(guest("counter"));
  EXPECT_NE(counter.find("kv_increment"), std::string::npos);
  EXPECT_EQ(counter.find("room_broadcast"), std::string::npos);
}

// import name ("wasi_experimental_http.req") → its signature ("(i32, i32) -> i32"), from
// wasm-objdump -x.
std::map<std::string, std::string> imports_of(const std::string& module) {
  Outcome o = wa::testing::run_shell(
      std::string(WA_WASM_OBJDUMP) + " -x " + wa::testing::quote(module), "", scratch());
  EXPECT_EQ(o.status, 0) << o.err;
  std::map<std::string, std::string> types, imports;
  std::regex type_line(R"(- type\[(\d+)\] (\(.*\) -> .*))");
  std::regex import_line(R"(- func\[\d+\] sig=(\d+) .*<- (\S+))");
  std::istringstream in(o.out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, type_line))
      types[m[1]] = m[2];
    else if (std::regex_search(line, m, import_line))
      imports[m[2]] = types[m[1]];
  }
  return imports;
}

std::string i32_sig(int params) {
  std::string s = "(";
  for (int i = 0; i < params; ++i) s += i ? ", i32" : "i32";
  return s + ") -> i32";
}

// wasm_actions_http.h declares the reference's ABI: module `wasi_experimental_http`, every
// parameter i32, every result an i32 error. sdk_http calls every function; the examples
// import only what they call, and nothing from `wasm_actions` they do not use.
TEST(SdkC, HttpGuestImportsTheReferenceSignatures) {
  auto imports = imports_of(guest("sdk_http"));
  const std::map<std::string, std::string> expected = {
      {"wasi_experimental_http.req", i32_sig(10)},
      {"wasi_experimental_http.close", i32_sig(1)},
      {"wasi_experimental_http.header_get", i32_sig(6)},
      {"wasi_experimental_http.headers_get_all", i32_sig(4)},
      {"wasi_experimental_http.body_read", i32_sig(4)},
  };
  for (const auto& [name, signature] : expected) {
    ASSERT_TRUE(imports.contains(name)) << name;
    EXPECT_EQ(imports[name], signature) << name;
  }
  for (const auto& [name, signature] : imports) {
    EXPECT_TRUE(name.starts_with("wasi_experimental_http.") ||
                name.starts_with("wasi_snapshot_preview1."))
        << name;
  }
  for (const char* example : {"fetch_summary", "chain_front"}) {
    auto used = imports_of(guest(example));
    EXPECT_EQ(used["wasi_experimental_http.req"], i32_sig(10)) << example;
    for (const auto& [name, signature] : used)
      EXPECT_FALSE(name.starts_with("wasm_actions.")) << name;
  }
  for (const auto& [name, signature] : imports_of(guest("chain_render")))
    EXPECT_FALSE(name.starts_with("wasi_experimental_http.")) << name;
}

TEST(SdkC, EveryKvWrapperWorksOnAReadWriteGrant) {
  Outcome o = run_cli({"--kv", "default", "--kv-db", test_db()}, guest("sdk_kv"), {"rw"});
  expect_suite_passes(o);
  // The iteration checks really ran (a suite that stopped early would print fewer).
  EXPECT_NE(o.out.find("PASS iterate 51 keys over small pages"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("PASS iterate from a too-small buffer"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("PASS get_alloc retries"), std::string::npos) << o.out;
}

TEST(SdkC, ReadOnlyGrantReadsButRefusesWrites) {
  std::string db = test_db();
  expect_suite_passes(run_cli({"--kv", "default:rw", "--kv-db", db}, guest("sdk_kv"), {"seed"}));
  Outcome o = run_cli({"--kv", "default:ro", "--kv-db", db}, guest("sdk_kv"), {"ro"});
  expect_suite_passes(o);
  EXPECT_NE(o.out.find("PASS read-only set"), std::string::npos) << o.out;
}

TEST(SdkC, NoGrantIsAccessDenied) {
  expect_suite_passes(run_cli({"--kv-db", test_db()}, guest("sdk_kv"), {"none"}));
  expect_suite_passes(run_cli({}, guest("sdk_kv"), {"none"}));
}

// --- examples/counter.c ---

Outcome counter(const std::string& db, const std::string& method, const std::string& path,
                const std::string& query = "", const std::string& grant = "default") {
  std::vector<std::string> flags = {"--env", "REQUEST_METHOD=" + method,
                                    "--env", "PATH_INFO=" + path,
                                    "--env", "QUERY_STRING=" + query};
  if (!grant.empty()) flags.insert(flags.end(), {"--kv", grant});
  flags.insert(flags.end(), {"--kv-db", db});
  return run_cli(flags, guest("counter"));
}

void expect_count(const Outcome& o, const std::string& name, int count) {
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Status: 200"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Content-Type: application/json"), std::string::npos) << o.out;
  std::string want = "{\"name\": \"" + name + "\", \"count\": " + std::to_string(count) + "}";
  EXPECT_NE(o.out.find(want), std::string::npos) << "want " << want << " in\n" << o.out << o.err;
}

TEST(CounterExample, CountsAcrossRunsSharingOneStore) {
  std::string db = test_db();
  expect_count(counter(db, "GET", "/apples"), "apples", 1);
  expect_count(counter(db, "GET", "/apples"), "apples", 2);
  expect_count(counter(db, "GET", "/apples"), "apples", 3);
  expect_count(counter(db, "GET", "/", "name=pears"), "pears", 1);
  expect_count(counter(db, "GET", ""), "default", 1);
  expect_count(counter(db, "GET", "/apples"), "apples", 4);
}

TEST(CounterExample, ResetsWithGetResetOrDelete) {
  std::string db = test_db();
  expect_count(counter(db, "GET", "/a"), "a", 1);
  expect_count(counter(db, "GET", "/a"), "a", 2);
  expect_count(counter(db, "GET", "/reset", "name=a"), "a", 0);
  expect_count(counter(db, "GET", "/a"), "a", 1);
  expect_count(counter(db, "DELETE", "/a"), "a", 0);
  expect_count(counter(db, "GET", "/a"), "a", 1);
}

TEST(CounterExample, ReadOnlyGrantIs403) {
  std::string db = test_db();
  Outcome o = counter(db, "GET", "/apples", "", "default:ro");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Status: 403"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("access_denied"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("read-write"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("\"count\""), std::string::npos) << o.out;
}

TEST(CounterExample, NoGrantIs403) {
  Outcome o = counter(test_db(), "GET", "/apples", "", "");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Status: 403"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("kv_open: access_denied"), std::string::npos) << o.out;
}

TEST(CounterExample, OtherMethodsAre405) {
  Outcome o = counter(test_db(), "POST", "/apples");
  EXPECT_NE(o.out.find("Status: 405"), std::string::npos) << o.out;
}

}  // namespace
