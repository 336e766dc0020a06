// Running the real `wasm-actions` CLI as a subprocess from GoogleTest: a per-process
// scratch directory, shell quoting, and a shell runner that captures the exit status,
// stdout and stderr. Header-only; the tests pass in their own WA_CLI_PATH, WA_GUESTS and
// WA_TEST_ARTIFACT_CACHE (compile definitions of each test target).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace wa::testing {

// What a subprocess did: its exit code (-1 if killed by a signal) and both streams.
struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

// The process's own temp directory `<tmp>/<prefix><pid>`, created on first use (and
// emptied first when `wipe`); later calls with the same prefix return the same path.
inline std::filesystem::path scratch_dir(const std::string& prefix, bool wipe) {
  static std::map<std::string, std::filesystem::path> made;
  auto found = made.find(prefix);
  if (found != made.end()) return found->second;
  auto dir = std::filesystem::temp_directory_path() / (prefix + std::to_string(getpid()));
  if (wipe) std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return made.emplace(prefix, dir).first->second;
}

// The whole file as bytes ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// POSIX shell single quoting: the word reaches the program byte for byte.
inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Each word quoted, separated by single spaces ("" for no words).
inline std::string quote_all(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + quote(w);
  return out;
}

// `command` through /bin/sh with `input` as stdin; the stdio files live in `dir`.
inline Outcome run_shell(const std::string& command, const std::string& input,
                         const std::filesystem::path& dir) {
  auto in = dir / "stdin", out = dir / "stdout", err = dir / "stderr";
  std::ofstream(in, std::ios::binary) << input;
  std::string cmd = command + " <" + in.string() + " >" + out.string() + " 2>" + err.string();
  int raw = std::system(cmd.c_str());
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

// The start of a `wasm-actions run` command line: fast tier, the tests' shared artifact cache.
inline std::string cli_run(const std::string& cli_path, const std::string& artifact_cache) {
  return quote(cli_path) + " run --tier fast --cache-dir " + quote(artifact_cache);
}

// The path of the guest module `<guests_dir>/<name>.wasm`.
inline std::string guest_module(const std::string& guests_dir, const std::string& name) {
  return guests_dir + "/" + name + ".wasm";
}

}  // namespace wa::testing
