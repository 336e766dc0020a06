// ServerProcess: runs the real `wasm-actions serve` binary on a free port with a
// temporary data dir, for integration tests.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace wa::testing {

class ServerProcess {
 public:
  // Starts the server (listen 127.0.0.1:0) with `extra_args`; waits until it listens.
  ServerProcess(std::filesystem::path data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // stop()

  // SIGTERM and wait; returns the exit status (0 for a clean shutdown).
  int stop();

  const std::string& url() const { return url_; }  // "http://127.0.0.1:PORT"
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

// The server binary (WA_SERVER_BINARY env overrides the built-in path).
std::string server_binary();
// Where the test guests and examples are (WA_GUESTS_DIR).
std::filesystem::path guests_dir();
// A fresh empty directory under the system temp dir.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace wa::testing
