// Runs a tool (wasm2c, the C compiler) as a child process under resource limits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "support/expected.h"

namespace wa {

struct SubprocessLimits {
  std::chrono::seconds cpu_time{300};
  uint64_t address_space_bytes = 4ull << 30;
  int nice = 0;  // raise for background work so it yields to requests
  // Wall-clock cap (0: none). CPU time alone misses a child that sleeps or waits on its
  // own children; past this the child's whole process group is killed.
  std::chrono::milliseconds wall_clock{0};
  // Largest file the child and its children may write (RLIMIT_FSIZE; 0: no limit). A
  // write past it kills the writer with SIGXFSZ.
  uint64_t file_size_bytes = 0;
};

struct SubprocessResult {
  int exit_code = -1;      // valid when term_signal == 0
  int term_signal = 0;     // signal that killed the child, 0 if it exited
  bool timed_out = false;  // killed because it passed limits.wall_clock
  std::string output;      // stdout and stderr combined, truncated to 64 KiB
};

// The children started through it, so an owner shutting down can end them instead of
// waiting (an optimised build of a large module takes minutes). Each child leads its own
// process group, and the group is killed (gcc's cc1, as and ld die with the driver).
// Thread-safe.
class ChildProcesses {
 public:
  void add(pid_t pid);
  void remove(pid_t pid);
  // Kills every child still running, and every child added from now on.
  void kill_all();

 private:
  std::mutex mutex_;
  std::set<pid_t> running_;
  bool killing_ = false;
};

// Runs argv[0] (looked up in PATH unless it contains a '/') with `argv` in `cwd`, in a
// process group of its own. Fails only if the child could not be started; a child that
// fails is reported in the result. With `children`, the child is registered there while
// it runs.
Expected<SubprocessResult> run_subprocess(const std::vector<std::string>& argv,
                                          const std::filesystem::path& cwd,
                                          const SubprocessLimits& limits,
                                          ChildProcesses* children = nullptr);

}  // namespace wa
