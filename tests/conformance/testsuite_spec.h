// One wasi-testsuite test case: its module, how to run it and what it must produce.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/expected.h"

namespace wa::conformance {

struct TestSpec {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> root;  // directory (relative to the test's folder) preopened as "/"
  int exit_code = 0;
  std::optional<std::string> expected_stdout;
  std::optional<std::string> expected_stderr;
};

// Reads NAME.json beside NAME.wasm (defaults when it does not exist). Understands the
// legacy form (args/env/root/exit_code/stdout/stderr) and the operations form
// (run / wait / read). Fails on malformed JSON or an operation it does not know.
Expected<TestSpec> load_spec(const std::filesystem::path& wasm_path);

// Every NAME.wasm under <suite>/tests/{assemblyscript,c,rust}/testsuite/wasm32-wasip1,
// sorted, as paths.
std::vector<std::filesystem::path> find_test_modules(const std::filesystem::path& suite_dir);

}  // namespace wa::conformance
