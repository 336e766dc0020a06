// Runs every module of the WASI preview1 conformance suite (../shared/wasi-testsuite)
// through `wasm-actions run`, the way the suite's own adapters run wasmtime, and checks
// exit code and outputs against each test's JSON spec. One gtest case per module; a
// pass/fail table is printed at the end.
//
// CMake bakes in the wasm-actions binary and the suite's folder; the environment
// variables WA_CLI and WA_WASI_TESTSUITE override them. The suite folder is read-only:
// each test runs on a private copy.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testsuite_spec.h"

namespace wa::conformance {
namespace {

namespace fs = std::filesystem;

// The first run of a module compiles it (wasm2c + cc, tens of seconds for the 2 MB
// Rust modules on a 2-core machine); later runs hit the artifact cache.
constexpr std::chrono::seconds kRunTimeout{600};
constexpr size_t kExpectedModules = 72;

fs::path suite_dir() {
  const char* dir = std::getenv("WA_WASI_TESTSUITE");
  return dir ? fs::path(dir) : fs::path(WA_WASI_TESTSUITE_DIR);
}

struct ChildResult {
  int exit_code = -1;
  int term_signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Drains both pipes until EOF or the deadline.
void collect_output(int out_fd, int err_fd, ChildResult& result,
                    std::chrono::steady_clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      return;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) return;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
}

ChildResult run_child(const std::vector<std::string>& argv, const fs::path& cwd) {
  ChildResult result;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return result;
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execv(c_argv[0], c_argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  collect_output(out_pipe[0], err_pipe[0], result,
                 std::chrono::steady_clock::now() + kRunTimeout);
  close(out_pipe[0]);
  close(err_pipe[0]);
  if (pid < 0) return result;
  if (result.timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

// A writable private copy of what one test needs: the module and its root directory,
// with leftovers of earlier runs (*.cleanup) removed as the suite requires.
fs::path prepare_copy(const fs::path& wasm, const TestSpec& spec) {
  std::string pattern = (fs::temp_directory_path() / "wa-conformance-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return {};
  const fs::path dir(pattern);
  fs::copy_file(wasm, dir / wasm.filename());
  if (spec.root) {
    fs::copy(wasm.parent_path() / *spec.root, dir / *spec.root, fs::copy_options::recursive);
  }
  std::vector<fs::path> leftovers;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    fs::permissions(item.path(), fs::perms::owner_write, fs::perm_options::add);
    if (item.path().extension() == ".cleanup") leftovers.push_back(item.path());
  }
  for (const fs::path& p : leftovers) fs::remove_all(p);
  return dir;
}

std::vector<std::string> command_line(const fs::path& dir, const fs::path& wasm,
                                      const TestSpec& spec) {
  const char* cli = std::getenv("WA_CLI");
  // The fast tier (clang -O0) keeps the first, compiling run of the 2 MB Rust modules
  // short; conformance is about WASI behaviour, not code quality.
  // A cache inside the build tree: each fresh build measures (and pays for) cold
  // compiles honestly, and tests never write into the user's own cache.
  std::vector<std::string> argv = {cli ? cli : WA_CLI_PATH, "run", "--tier", "fast",
                                   "--cache-dir", WA_TEST_ARTIFACT_CACHE};
  for (const auto& [key, value] : spec.env) {
    argv.push_back("--env");
    argv.push_back(key + "=" + value);
  }
  if (spec.root) {
    argv.push_back("--dir");
    argv.push_back((dir / *spec.root).string() + "::/");
  }
  argv.push_back((dir / wasm.filename()).string());
  argv.insert(argv.end(), spec.args.begin(), spec.args.end());
  return argv;
}

std::string test_name(const fs::path& wasm) {
  // .../tests/<language>/testsuite/wasm32-wasip1/<name>.wasm → <language>_<name>
  std::string language = wasm.parent_path().parent_path().parent_path().filename().string();
  std::string name = language + "_" + wasm.stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// One row of the summary table.
struct Row {
  std::string name;
  std::string expected;
  std::string got;
  bool passed = false;
};

std::mutex g_rows_mutex;
std::vector<Row> g_rows;

std::string describe(const ChildResult& r) {
  if (r.timed_out) return "timeout";
  if (r.term_signal != 0) return "signal " + std::to_string(r.term_signal);
  return "exit " + std::to_string(r.exit_code);
}

// Prints the table once all cases ran.
class SummaryPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    std::lock_guard<std::mutex> lock(g_rows_mutex);
    if (g_rows.empty()) return;
    size_t passed = 0;
    std::printf("\n%-50s %-10s %-24s %s\n", "test", "expected", "got", "result");
    for (const Row& row : g_rows) {
      std::printf("%-50s %-10s %-24s %s\n", row.name.c_str(), row.expected.c_str(),
                  row.got.c_str(), row.passed ? "PASS" : "FAIL");
      passed += row.passed;
    }
    std::printf("WASI conformance: %zu/%zu passed\n", passed, g_rows.size());
  }
};

const auto* const kSummary = ::testing::AddGlobalTestEnvironment(new SummaryPrinter);

class WasiTestsuite : public ::testing::TestWithParam<fs::path> {};

TEST_P(WasiTestsuite, MatchesSpec) {
  const fs::path& wasm = GetParam();
  auto spec = load_spec(wasm);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  const fs::path dir = prepare_copy(wasm, *spec);
  ASSERT_FALSE(dir.empty()) << "cannot create a temporary directory";
  const ChildResult result = run_child(command_line(dir, wasm, *spec), dir);
  fs::remove_all(dir);

  const bool exit_ok = !result.timed_out && result.term_signal == 0 &&
                       result.exit_code == spec->exit_code;
  const bool stdout_ok = !spec->expected_stdout || result.out == *spec->expected_stdout;
  const bool stderr_ok = !spec->expected_stderr || result.err == *spec->expected_stderr;
  {
    std::lock_guard<std::mutex> lock(g_rows_mutex);
    std::string got = describe(result);
    if (!stdout_ok) got += ", stdout differs";
    if (!stderr_ok) got += ", stderr differs";
    g_rows.push_back(Row{test_name(wasm), "exit " + std::to_string(spec->exit_code), got,
                         exit_ok && stdout_ok && stderr_ok});
  }
  EXPECT_TRUE(exit_ok) << "expected exit " << spec->exit_code << ", got " << describe(result)
                       << "\nstderr:\n" << result.err;
  if (spec->expected_stdout) EXPECT_EQ(result.out, *spec->expected_stdout);
  if (spec->expected_stderr) EXPECT_EQ(result.err, *spec->expected_stderr);
}

INSTANTIATE_TEST_SUITE_P(Wasip1, WasiTestsuite, ::testing::ValuesIn(find_test_modules(suite_dir())),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           return test_name(info.param);
                         });

TEST(WasiTestsuiteInventory, FindsAllModules) {
  EXPECT_EQ(find_test_modules(suite_dir()).size(), kExpectedModules)
      << "suite folder: " << suite_dir();
}

}  // namespace
}  // namespace wa::conformance
