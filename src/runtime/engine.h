// The embeddable engine: validate, compile (tiered, cached) and run WebAssembly modules.
//
//   Engine engine(config);
//   auto module = engine.load(bytes);          // validates; compiles or loads cached .so
//   module.value()->wait_until_runnable();
//   CallResult r = engine.call(*module.value(), options);
//
// Thread-safe: many threads may call the same module at once. Guests run on the
// calling thread, which the engine prepares on first use (signal stack, trap state).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "runtime/call.h"
#include "runtime/live_instance.h"
#include "runtime/module.h"
#include "support/expected.h"

namespace wa::runtime {

struct EngineConfig {
  // Compiled artifacts, keyed by module sha256 + compiler + flags + ABI version.
  std::filesystem::path cache_dir = default_cache_dir();
  // kTiered: a quick unoptimised build makes the module runnable, the optimised
  // build replaces it in the background. The others build one tier only.
  enum class Tiers : uint8_t { kTiered, kFastOnly, kOptimizedOnly };
  Tiers tiers = Tiers::kTiered;
  // Per tier. With 2 or more, one owner's compiles use at most all but one, so another
  // owner's deploy never waits for someone's compile bomb to hit its limit.
  unsigned max_concurrent_compiles = 2;
  std::chrono::seconds compile_cpu_limit{600};
  uint64_t compile_memory_limit_bytes = 4ull << 30;
  // Wall-clock cap on one build per tier; a module past it fails ("compile_limit").
  std::chrono::seconds fast_compile_timeout{120};
  std::chrono::seconds optimized_compile_timeout{600};
  // Linear memories kept mapped per thread for reuse (each reserves 8 GiB of address
  // space, no RAM).
  unsigned pooled_memories_per_thread = 4;
  // Calls running longer than this drop to idle CPU priority until they end or time out
  // (runaways then cost short calls little). Needs the privilege to restore a thread's
  // priority (root, CAP_SYS_NICE or RLIMIT_NICE); silently off without it. 0: off.
  std::chrono::microseconds deprioritize_after{1000};

  static std::filesystem::path default_cache_dir();  // $XDG_CACHE_HOME or ~/.cache
};

class Engine {
 public:
  explicit Engine(EngineConfig config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Validates without compiling: kinds "not_wasm", "invalid_module",
  // "unsupported_feature", "unsupported_import".
  Expected<ModuleInfo> validate(std::span<const uint8_t> wasm) const;

  // Validates and starts compiling (or loads the cached artifact). Returns at once;
  // the module becomes runnable when its first tier is loaded. `on_state` (optional)
  // is called from a compile thread on each state change. Compiles are shared fairly
  // between `owner`s (see CompileQueue); a module already loading keeps its place.
  Expected<std::shared_ptr<Module>> load(std::span<const uint8_t> wasm,
                                         std::function<void(const Module&)> on_state = nullptr,
                                         const std::string& owner = {});

  // Runs `options.entry` on a fresh instance on the calling thread, under the
  // deadline and memory cap. Never throws; a module that is not runnable yet waits
  // (servers check Module::state() first and answer "compiling" instead).
  CallResult call(Module& module, const CallOptions& options);
  // The same with a WASI context the caller built (and may inspect afterwards).
  CallResult call(Module& module, const CallOptions& options, wasi::Context& context);

  // An instance that lives across calls (see LiveInstance::create); nullptr when its
  // instantiation or initializer failed (`result` says why).
  std::unique_ptr<LiveInstance> instantiate(Module& module, const CallOptions& options,
                                            CallResult& result) {
    return LiveInstance::create(module, options, result);
  }

  const EngineConfig& config() const { return config_; }

 private:
  struct Impl;
  EngineConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wa::runtime
