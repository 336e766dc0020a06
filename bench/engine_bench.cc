// Engine benchmarks: per-call cost on a warm pool, and compute guests against the same
// C built natively. Ratios are computed from figures measured in this same run.
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "runtime/engine.h"
#include "support/files.h"

namespace wa::runtime {
namespace {

namespace fs = std::filesystem;

Engine& engine() {
  static Engine* e = [] {
    EngineConfig config;
    config.tiers = EngineConfig::Tiers::kOptimizedOnly;
    return new Engine(config);
  }();
  return *e;
}

std::shared_ptr<Module> optimized(const std::string& name) {
  auto bytes = read_file_bytes(fs::path(WA_GUESTS_DIR) / (name + ".wasm"));
  if (!bytes) return nullptr;
  auto module = engine().load(*bytes);
  if (!module || !module.value()->wait_until_optimized()) return nullptr;
  return module.value();
}

// Instantiate + run `_start` + release, hello guest, buffers in memory.
void BM_HelloCall(benchmark::State& state) {
  auto module = optimized("hello");
  if (!module) return state.SkipWithError("hello did not compile");
  CallOptions options;
  options.wasi.args = {"hello"};
  options.wasi.env = {{"QUERY_STRING", "x=1"}};
  for (auto _ : state) {
    CallResult r = engine().call(*module, options);
    if (r.trapped()) return state.SkipWithError(r.message.c_str());
    benchmark::DoNotOptimize(r.stdout_data.data());
  }
}
BENCHMARK(BM_HelloCall)->Unit(benchmark::kMicrosecond)->ThreadRange(1, 2)->UseRealTime();

double run_native_seconds(const std::string& name, const std::string& arg) {
  auto start = std::chrono::steady_clock::now();
  std::string cmd = std::string(WA_NATIVE_DIR) + "/native_" + name + " " + arg + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) return -1;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double run_wasm_seconds(Module& module, const std::string& name, const std::string& arg) {
  CallOptions options;
  options.wasi.args = {name};
  for (size_t s = 0, e; s <= arg.size(); s = e + 1) {
    e = arg.find(' ', s);
    if (e == std::string::npos) e = arg.size();
    options.wasi.args.push_back(arg.substr(s, e - s));
  }
  options.timeout = std::chrono::seconds(120);
  options.memory_limit_bytes = 1ull << 30;
  CallResult r = engine().call(module, options);
  if (r.trapped()) return -1;
  return std::chrono::duration<double>(r.duration).count();
}

// Alternates native and wasm runs so drift affects both; reports wasm/native.
void compute_vs_native(benchmark::State& state, const std::string& name, const std::string& arg) {
  auto module = optimized(name);
  if (!module) return state.SkipWithError("guest did not compile");
  double native = 0, wasm = 0;
  for (auto _ : state) {
    double n = run_native_seconds(name, arg);
    double w = run_wasm_seconds(*module, name, arg);
    if (n < 0 || w < 0) return state.SkipWithError("run failed");
    native += n;
    wasm += w;
  }
  state.counters["native_s"] = native / state.iterations();
  state.counters["wasm_s"] = wasm / state.iterations();
  state.counters["wasm_vs_native"] = wasm / native;
}

void BM_SieveVsNative(benchmark::State& state) { compute_vs_native(state, "sieve", "20000000 4"); }
void BM_PrimesVsNative(benchmark::State& state) {
  compute_vs_native(state, "primes_count", "5000000");
}
BENCHMARK(BM_SieveVsNative)->Iterations(5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PrimesVsNative)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace wa::runtime

BENCHMARK_MAIN();
