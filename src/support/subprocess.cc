#include "support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace wa {

namespace {

constexpr size_t kMaxCapturedOutput = 64 * 1024;

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                             const SubprocessLimits& limits, int out_fd) {
  // Only async-signal-safe calls between fork and exec.
  // Own process group, so a kill reaches the tools this one starts (gcc's cc1, as, ld).
  ::setpgid(0, 0);
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(out_fd, STDERR_FILENO);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  if (::chdir(cwd.c_str()) != 0) ::_exit(126);
  rlimit cpu{static_cast<rlim_t>(limits.cpu_time.count()),
             static_cast<rlim_t>(limits.cpu_time.count())};
  ::setrlimit(RLIMIT_CPU, &cpu);
  rlimit as{limits.address_space_bytes, limits.address_space_bytes};
  ::setrlimit(RLIMIT_AS, &as);
  rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  if (limits.file_size_bytes != 0) {
    rlimit fsize{limits.file_size_bytes, limits.file_size_bytes};
    ::setrlimit(RLIMIT_FSIZE, &fsize);
  }
  // SIGXFSZ must keep its default action (terminate) even if the parent ignores it.
  ::signal(SIGXFSZ, SIG_DFL);
  if (limits.nice != 0) ::setpriority(PRIO_PROCESS, 0, limits.nice);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

}  // namespace

void ChildProcesses::add(pid_t pid) {
  std::lock_guard lock(mutex_);
  running_.insert(pid);
  if (killing_) ::kill(-pid, SIGKILL);
}

void ChildProcesses::remove(pid_t pid) {
  std::lock_guard lock(mutex_);
  running_.erase(pid);
}

void ChildProcesses::kill_all() {
  std::lock_guard lock(mutex_);
  killing_ = true;
  // Still children of ours (not yet reaped: remove() comes after waitpid), so the
  // pids cannot have been reused.
  for (pid_t pid : running_) ::kill(-pid, SIGKILL);
}

Expected<SubprocessResult> run_subprocess(const std::vector<std::string>& argv,
                                          const std::filesystem::path& cwd,
                                          const SubprocessLimits& limits,
                                          ChildProcesses* children) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return make_error("io", std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return make_error("io", std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) exec_child(argv, cwd, limits, pipe_fds[1]);
  // Also here: whichever of parent and child runs first, the group exists before a kill.
  ::setpgid(pid, pid);
  ::close(pipe_fds[1]);
  if (children) children->add(pid);
  SubprocessResult result;
  using Clock = std::chrono::steady_clock;
  const bool capped = limits.wall_clock.count() > 0;
  const auto deadline = Clock::now() + limits.wall_clock;
  char buffer[8192];
  for (;;) {
    if (capped) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd pfd{pipe_fds[0], POLLIN, 0};
      int ready = left.count() > 0
                      ? ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)))
                      : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0 && Clock::now() >= deadline) {
        // Past the cap: end the whole group, and stop reading (a grandchild that left
        // the group could hold the pipe open forever).
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        break;
      }
      if (ready <= 0) continue;
    }
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (result.output.size() < kMaxCapturedOutput)
      result.output.append(buffer, std::min<size_t>(n, kMaxCapturedOutput - result.output.size()));
  }
  ::close(pipe_fds[0]);
  // Wait without reaping first: while the leader is a zombie its pid (the group id)
  // cannot be reused, so killing the group cannot hit an unrelated process.
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  // Helpers the leader left behind in its group go with it.
  ::kill(-pid, SIGKILL);
  if (children) children->remove(pid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (result.exit_code == 127 && result.output.empty()) result.output = "cannot execute " + argv[0];
  return result;
}

}  // namespace wa
