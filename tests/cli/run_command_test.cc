// Drives the real `wasm-actions run` binary as a user would: exit codes, stdio, traps,
// rejected modules, preopened directories, limits.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_process.h"

namespace {

namespace fs = std::filesystem;
using wa::testing::Outcome;

fs::path scratch() { return wa::testing::scratch_dir("wa_cli_test_", /*wipe=*/false); }

// Runs the CLI through the shell with stdin from `input`; captures both streams.
Outcome run_cli(const std::string& args, const std::string& input = "") {
  return wa::testing::run_shell(
      wa::testing::cli_run(WA_CLI_PATH, WA_TEST_ARTIFACT_CACHE) + " " + args, input, scratch());
}

std::string guest(const std::string& name) { return wa::testing::guest_module(WA_GUESTS, name); }

TEST(RunCommand, StreamsStdioAndPassesArgsAndEnv) {
  Outcome o = run_cli("--env GREETING=hey " + guest("echo_io") + " a --not-a-flag", "piped in");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("arg1=a\narg2=--not-a-flag\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("GREETING=hey"), std::string::npos);
  EXPECT_NE(o.out.find("stdin=piped in"), std::string::npos);
  EXPECT_EQ(o.err, "to stderr\n");
}

TEST(RunCommand, ExitsWithTheGuestsExitCode) {
  EXPECT_EQ(run_cli(guest("exit_code") + " 3").status, 3);
  EXPECT_EQ(run_cli(guest("exit_code") + " 0").status, 0);
}

TEST(RunCommand, TrapPrintsItsKindAndFails) {
  Outcome o = run_cli(guest("oob"));
  EXPECT_EQ(o.status, 134);
  EXPECT_NE(o.err.find("out_of_bounds"), std::string::npos) << o.err;
}

TEST(RunCommand, TimeoutFlagHaltsARunaway) {
  Outcome o = run_cli("--timeout 150ms " + guest("loop"));
  EXPECT_EQ(o.status, 134);
  EXPECT_NE(o.err.find("timeout"), std::string::npos) << o.err;
}

TEST(RunCommand, MemoryFlagCapsTheGuest) {
  Outcome o = run_cli("--memory 2MiB " + guest("memory_bomb"));
  EXPECT_EQ(o.status, 134);
  EXPECT_NE(o.err.find("memory_limit"), std::string::npos) << o.err;
}

TEST(RunCommand, InvokesANamedExport) {
  EXPECT_EQ(run_cli("--invoke noop " + guest("export_only")).status, 0);
  Outcome missing = run_cli("--invoke nope " + guest("export_only"));
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
}

TEST(RunCommand, RejectsBadModulesWithAReason) {
  fs::path text = scratch() / "not.wasm";
  std::ofstream(text) << "definitely not wasm";
  Outcome o = run_cli(text.string());
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.err.find("not a WebAssembly module"), std::string::npos) << o.err;
  Outcome simd = run_cli(guest("simd"));
  EXPECT_NE(simd.status, 0);
  EXPECT_NE(simd.err.find("SIMD"), std::string::npos) << simd.err;
  Outcome missing = run_cli((scratch() / "absent.wasm").string());
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.err.find("absent.wasm"), std::string::npos) << missing.err;
}

// 400,000 nested blocks (1.2 MB) crashed `run` (and the server) inside validation.
TEST(RunCommand, DeeplyNestedModuleIsRejectedNotACrash) {
  const uint32_t depth = 400'000;
  std::string body(1, '\0');                                // no locals
  for (uint32_t i = 0; i < depth; ++i) body += "\x02\x40";  // block (empty type)
  body.append(depth + 1, '\x0b');                           // the ends
  auto leb = [](uint64_t v) {
    std::string out;
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      out.push_back(static_cast<char>(v ? byte | 0x80 : byte));
    } while (v);
    return out;
  };
  auto section = [&](char id, const std::string& payload) {
    return std::string(1, id) + leb(payload.size()) + payload;
  };
  std::string module = std::string("\0asm\x01\0\0\0", 8) +
                       section(1, std::string("\x01\x60\x00\x00", 4)) +
                       section(3, std::string("\x01\x00", 2)) +
                       section(7, std::string("\x01\x06_start\x00\x00", 10)) +
                       section(10, "\x01" + leb(body.size()) + body);
  fs::path path = scratch() / "nested.wasm";
  std::ofstream(path, std::ios::binary) << module;
  Outcome o = run_cli(path.string());
  EXPECT_LT(o.status, 128) << "killed by a signal (the shell reports 128 + signal)";
  EXPECT_NE(o.status, 0);
  EXPECT_NE(o.err.find("nested blocks"), std::string::npos) << o.err;
}

TEST(RunCommand, BadFlagValuesAreExplained) {
  Outcome o = run_cli("--timeout soon " + guest("hello"));
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--timeout"), std::string::npos) << o.err;
}

TEST(RunCommand, PreopensADirectory) {
  fs::path dir = scratch() / "data";
  fs::create_directories(dir);
  std::ofstream(dir / "note.txt") << "from the host";
  Outcome o = run_cli("--dir " + dir.string() + "::/data " + guest("cat_file") + " /data/note.txt");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "from the host");
  Outcome escape =
      run_cli("--dir " + dir.string() + "::/data " + guest("cat_file") + " /data/../../etc/passwd");
  EXPECT_NE(escape.status, 0);
  EXPECT_EQ(escape.out.find("root:"), std::string::npos);
}

}  // namespace
