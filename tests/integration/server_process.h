// ServerProcess: runs the real `wasm-actions serve` binary on a free port with a
// temporary data dir, for integration, adversarial and crash-safety tests.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wa::testing {

// How the server process is started, beyond its arguments.
struct ProcessOptions {
  unsigned fd_limit = 0;           // > 0: RLIMIT_NOFILE soft and hard limit in the child
  std::filesystem::path log_file;  // non-empty: the server's stdout and stderr go here
  unsigned fd_soft_limit = 0;      // > 0: only the soft RLIMIT_NOFILE (the hard one stays)
};

class ServerProcess {
 public:
  // Starts the server (listen 127.0.0.1:0) with `extra_args`; waits until it listens.
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {},
                ProcessOptions options = {});
  ~ServerProcess();  // stop()

  // SIGTERM and wait; returns the exit status (0 for a clean shutdown).
  int stop();
  // SIGKILL and reap: a crash at an arbitrary moment.
  void kill_hard();

  const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT"
  uint16_t port() const { return port_; }
  // The dashboard's own listener (the port file's second line), "" if it has none.
  const std::string& dashboard_url() const { return dashboard_url_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Sends a signal without waiting (stop() still reaps the process).
  void signal(int signal_number) const;
  // True while the process has not exited (reaps it if it has: see exit_description).
  bool alive();
  // How the process ended ("exited with 1", "killed by signal 6 (Aborted)"), or "".
  const std::string& exit_description() const { return exit_description_; }

 private:
  void reaped(int status);

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string url_;
  std::string dashboard_url_;
  std::string exit_description_;
};

// The server binary (WA_SERVER_BINARY env overrides the built-in path).
std::string server_binary();
// Where the test guests and examples are (WA_GUESTS_DIR).
std::filesystem::path guests_dir();
// A fresh empty directory under the system temp dir.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace wa::testing
