#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

namespace wa::testing {

namespace fs = std::filesystem;

std::string server_binary() {
  if (const char* env = std::getenv("WA_SERVER_BINARY"); env && *env) return env;
  return WA_SERVER_BINARY;
}

fs::path guests_dir() {
  const char* env = std::getenv("WA_GUESTS_DIR");
  return env ? fs::path(env) : fs::path("guests");
}

fs::path make_temp_dir(const std::string& prefix) {
  auto dir = fs::temp_directory_path() / (prefix + "-" + std::to_string(getpid()) + "-" +
                                          std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  return dir;
}

ServerProcess::ServerProcess(fs::path data_dir, std::vector<std::string> extra_args,
                             ProcessOptions options) {
  fs::path port_file = data_dir / "port";
  fs::remove(port_file);
  std::vector<std::string> args = {server_binary(),
                                   "serve",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--data-dir",
                                   data_dir.string(),
                                   "--port-file",
                                   port_file.string(),
                                   "--fast-password-hashing",
                                   "--log-level",
                                   "warn"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    if (options.fd_limit > 0) {
      rlimit limit{options.fd_limit, options.fd_limit};
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(126);
    }
    if (options.fd_soft_limit > 0) {
      rlimit limit{};
      getrlimit(RLIMIT_NOFILE, &limit);
      limit.rlim_cur = options.fd_soft_limit;
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(126);
    }
    if (!options.log_file.empty()) {
      // Appended: a test that restarts the server keeps every instance's log.
      int fd = open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
      }
    }
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Compiling nothing at start, the server listens within a second; allow much more.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    std::string address;
    if (in && std::getline(in, address) && !address.empty()) {
      url_ = "http://" + address;
      port_ = static_cast<uint16_t>(std::stoul(address.substr(address.rfind(':') + 1)));
      if (std::string dashboard; std::getline(in, dashboard) && !dashboard.empty()) {
        dashboard_url_ = "http://" + dashboard;
      }
      return;
    }
    if (!alive()) {
      throw std::runtime_error("the server exited during start-up: " + exit_description_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  throw std::runtime_error("the server did not start listening within 30 s");
}

ServerProcess::~ServerProcess() { stop(); }

void ServerProcess::signal(int signal_number) const {
  if (pid_ > 0) kill(pid_, signal_number);
}

void ServerProcess::reaped(int status) {
  pid_ = -1;
  if (WIFEXITED(status)) {
    exit_description_ = "exited with " + std::to_string(WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    exit_description_ = "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                        strsignal(WTERMSIG(status)) + ")";
  }
}

bool ServerProcess::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped(status);
    return false;
  }
  return true;
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped(status);
}

int ServerProcess::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  reaped(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace wa::testing
