// engine_probe: engine-only figures for bench/run, printed as one JSON object.
//
//   engine_probe instantiate --guests DIR --cache-dir DIR [--calls N] [--seconds S]
//                            [--native-hello BINARY --spawns N]
//     Times each instantiate + `_start` + release of hello on a warm, optimised module
//     and reports percentiles (Google Benchmark reports means only); with
//     --native-hello, also the fork + exec + wait of the native build as the baseline.
//   engine_probe compute --guests DIR --native DIR --cache-dir DIR --guest NAME
//                        --args "A B" [--rounds N]
//     Runs the guest as wasm and the same C built natively, alternating so drift hits
//     both, and reports the median time of each and their ratio.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/engine.h"
#include "support/files.h"

extern char** environ;

namespace wa::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using runtime::CallOptions;
using runtime::CallResult;
using runtime::Engine;
using runtime::EngineConfig;
using runtime::Module;

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;

  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto it = flags.find(key);
    return it == flags.end() ? fallback : it->second;
  }
};

std::optional<Args> parse_args(int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  Args args{argv[1], {}};
  for (int i = 2; i < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0 || i + 1 >= argc) return std::nullopt;
    args.flags[key.substr(2)] = argv[i + 1];
  }
  return args;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "engine_probe: %s\n", message.c_str());
  return 1;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// The q-quantile of sorted samples (nearest rank).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<Engine> make_engine(const Args& args) {
  EngineConfig config;
  config.tiers = EngineConfig::Tiers::kOptimizedOnly;  // the tier a warm action runs on
  if (auto dir = args.get("cache-dir"); !dir.empty()) config.cache_dir = dir;
  return std::make_unique<Engine>(config);
}

Expected<std::shared_ptr<Module>> load_optimized(Engine& engine, const fs::path& wasm) {
  auto bytes = read_file_bytes(wasm);
  if (!bytes) return bytes.error();
  auto module = engine.load(*bytes);
  if (!module) return module.error();
  if (!module.value()->wait_until_optimized()) {
    return make_error("compile", wasm.string() + ": " + module.value()->error());
  }
  return module.value();
}

// Wall time of one native run, output discarded; nullopt if it did not exit 0.
std::optional<double> run_native(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<std::string> words = {binary};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  auto start = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return std::nullopt;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::nullopt;
  }
  return seconds_since(start);
}

int instantiate(const Args& args) {
  auto engine = make_engine(args);
  auto module = load_optimized(*engine, fs::path(args.get("guests")) / "hello.wasm");
  if (!module) return fail(module.error().message);
  CallOptions options;
  options.wasi.args = {"hello"};
  options.wasi.env = {{"QUERY_STRING", "x=1"}};
  const size_t max_calls = std::stoul(args.get("calls", "200000"));
  const double max_seconds = std::stod(args.get("seconds", "3"));
  // Warm-up: the per-thread memory pool and caches, as on a serving worker.
  for (int i = 0; i < 1000; ++i) engine->call(**module, options);

  std::vector<double> micros;
  micros.reserve(max_calls);
  auto started = Clock::now();
  while (micros.size() < max_calls && seconds_since(started) < max_seconds) {
    auto start = Clock::now();
    CallResult result = engine->call(**module, options);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    if (result.trapped() || result.exit_code != 0) return fail("hello failed: " + result.message);
  }
  std::sort(micros.begin(), micros.end());
  double total = 0;
  for (double m : micros) total += m;
  nlohmann::json out = {
      {"calls", micros.size()},           {"p50_us", quantile(micros, 0.50)},
      {"p90_us", quantile(micros, 0.90)}, {"p99_us", quantile(micros, 0.99)},
      {"max_us", micros.back()},          {"mean_us", total / static_cast<double>(micros.size())}};
  // Baseline: what classic CGI pays per request to start the same program natively.
  if (auto native = args.get("native-hello"); !native.empty()) {
    std::vector<double> spawn_micros;
    const int spawns = std::stoi(args.get("spawns", "500"));
    for (int i = 0; i < spawns; ++i) {
      auto seconds = run_native(native, {});
      if (!seconds) return fail("native hello failed: " + native);
      spawn_micros.push_back(*seconds * 1e6);
    }
    std::sort(spawn_micros.begin(), spawn_micros.end());
    out["spawns"] = spawns;
    out["spawn_p50_us"] = quantile(spawn_micros, 0.50);
    out["spawn_p99_us"] = quantile(spawn_micros, 0.99);
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// Wall time of one wasm run (instantiate + run + release), as a request would pay it.
std::optional<double> run_wasm(Engine& engine, Module& module, const std::string& name,
                               const std::vector<std::string>& args) {
  CallOptions options;
  options.wasi.args = {name};
  options.wasi.args.insert(options.wasi.args.end(), args.begin(), args.end());
  options.timeout = std::chrono::seconds(300);
  options.memory_limit_bytes = 1ull << 30;
  auto start = Clock::now();
  CallResult result = engine.call(module, options);
  double elapsed = seconds_since(start);
  if (result.trapped() || result.exit_code != 0) return std::nullopt;
  return elapsed;
}

double median(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return quantile(samples, 0.5);
}

int compute(const Args& args) {
  const std::string name = args.get("guest");
  if (name.empty()) return fail("compute needs --guest NAME");
  auto engine = make_engine(args);
  auto module = load_optimized(*engine, fs::path(args.get("guests")) / (name + ".wasm"));
  if (!module) return fail(module.error().message);
  const std::string native = (fs::path(args.get("native")) / ("native_" + name)).string();
  const auto guest_args = split_words(args.get("args"));
  const int rounds = std::stoi(args.get("rounds", "3"));
  std::vector<double> native_s, wasm_s;
  for (int r = 0; r < rounds; ++r) {
    auto n = run_native(native, guest_args);
    if (!n) return fail("native run failed: " + native);
    auto w = run_wasm(*engine, **module, name, guest_args);
    if (!w) return fail("wasm run failed: " + name);
    native_s.push_back(*n);
    wasm_s.push_back(*w);
  }
  double native_median = median(native_s), wasm_median = median(wasm_s);
  nlohmann::json out = {{"guest", name},
                        {"rounds", rounds},
                        {"native_s", native_median},
                        {"wasm_s", wasm_median},
                        {"wasm_vs_native", wasm_median / native_median}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace wa::bench

int main(int argc, char** argv) {
  auto args = wa::bench::parse_args(argc, argv);
  if (!args || args->get("guests").empty()) {
    std::fprintf(stderr,
                 "usage: engine_probe instantiate|compute --guests DIR --cache-dir DIR "
                 "[--calls N --seconds S --native-hello BIN --spawns N] [--native DIR --guest NAME "
                 "--args \"A B\" --rounds N]\n");
    return 2;
  }
  try {
    if (args->command == "instantiate") return wa::bench::instantiate(*args);
    if (args->command == "compute") return wa::bench::compute(*args);
  } catch (const std::exception& e) {  // bad numbers in flags
    return wa::bench::fail(e.what());
  }
  std::fprintf(stderr, "engine_probe: unknown command %s\n", args->command.c_str());
  return 2;
}
