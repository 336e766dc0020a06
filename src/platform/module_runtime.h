// ModuleRuntime: what the platform needs from an engine (validate, load, call).
//
// The default implementation is the embedded runtime::Engine (make_engine_runtime); the
// seam lets a remote or pooled engine be plugged in later without touching the platform.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "runtime/call.h"
#include "runtime/engine.h"
#include "runtime/live_instance.h"
#include "runtime/module.h"
#include "support/expected.h"

namespace wa::platform {

class ModuleRuntime {
 public:
  virtual ~ModuleRuntime() = default;

  // Error kinds: not_wasm, invalid_module, unsupported_feature, unsupported_import.
  virtual Expected<runtime::ModuleInfo> validate(std::span<const uint8_t> wasm) const = 0;
  // Called from a compile thread on each state change; `error` is set for kFailed.
  using StateCallback = std::function<void(runtime::ModuleState state, const std::string& error)>;
  // Returns at once; the module becomes runnable when its first tier is loaded. Compiles
  // are shared fairly between owners (`owner`: the deploying user's key).
  virtual Expected<std::shared_ptr<runtime::Module>> load(std::span<const uint8_t> wasm,
                                                          StateCallback on_state,
                                                          const std::string& owner) = 0;
  // Runs on the calling thread; waits while the module is still compiling (the platform
  // answers "compiling" instead of calling then).
  virtual runtime::CallResult call(runtime::Module& module,
                                   const runtime::CallOptions& options) = 0;
  // An instance that lives across calls (persistent rooms): instantiates, runs
  // options.initializer and options.entry; nullptr if that left no usable instance
  // (`result` says why). The states bound in options.imports must outlive it.
  virtual std::unique_ptr<runtime::LiveInstance> instantiate(runtime::Module& module,
                                                             const runtime::CallOptions& options,
                                                             runtime::CallResult& result) = 0;
};

struct EngineRuntimeConfig {
  std::filesystem::path artifact_cache_dir;  // compiled artifacts
  // Fast tier first and the optimised one in the background (or one tier only).
  runtime::EngineConfig::Tiers tiers = runtime::EngineConfig::Tiers::kTiered;
  unsigned max_concurrent_compiles = 2;  // per tier
  std::chrono::seconds fast_compile_timeout{120};
  std::chrono::seconds optimized_compile_timeout{600};
};

// The embedded engine (defined in engine_runtime.cc; needs wa_runtime).
std::unique_ptr<ModuleRuntime> make_engine_runtime(const EngineRuntimeConfig& config);

}  // namespace wa::platform
