#include "runtime/engine.h"

#include <atomic>
#include <cstdlib>
#include <unordered_map>

#include "runtime/artifact.h"
#include "runtime/compile_queue.h"
#include "runtime/compiler.h"
#include "runtime/guest_call.h"
#include "runtime/guest_thread.h"
#include "runtime/linear_memory.h"
#include "runtime/validator.h"
#include "runtime/watchdog.h"

namespace wa::runtime {

namespace fs = std::filesystem;

fs::path EngineConfig::default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "wasm-actions" / "artifacts";
  if (const char* home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "wasm-actions" / "artifacts";
  return fs::temp_directory_path() / "wasm-actions-artifacts";
}

struct Engine::Impl {
  using StateCallback = std::function<void(const Module&)>;

  explicit Impl(const EngineConfig& config)
      : compiler(CompilerSettings{config.cache_dir, config.compile_cpu_limit,
                                  config.compile_memory_limit_bytes, config.fast_compile_timeout,
                                  config.optimized_compile_timeout}),
        tiers(config.tiers),
        fast_queue(config.max_concurrent_compiles),
        optimized_queue(config.max_concurrent_compiles) {}

  Compiler compiler;
  // Set when the engine goes away: builds killed by the shutdown are not failures (the
  // module compiles again on the next start) and are not reported.
  std::atomic<bool> stopping{false};
  std::mutex modules_mutex;
  std::unordered_map<std::string, std::weak_ptr<Module>> modules;  // by sha256
  EngineConfig::Tiers tiers;
  // Declared last: destroyed first, so no job outlives what it uses.
  CompileQueue fast_queue;
  CompileQueue optimized_queue;

  // Loads the tier's artifact if it is already on disk. Returns true if installed.
  bool try_cached(Module& module, Tier tier) {
    fs::path path = compiler.artifact_path(module.info().sha256, tier);
    if (!fs::exists(path)) return false;
    auto artifact = Artifact::load(path);
    if (!artifact) return false;
    module.install_artifact(std::move(artifact.value()), tier == Tier::kOptimized);
    return true;
  }

  void compile(std::shared_ptr<Module> module, std::shared_ptr<std::vector<uint8_t>> wasm,
               Tier tier, StateCallback on_state, const std::string& owner) {
    Expected<std::shared_ptr<Artifact>> artifact =
        make_error("compile_failed", "internal error while compiling");
    try {
      auto built = compiler.build(*wasm, module->info().sha256, tier);
      artifact = built ? Artifact::load(built.value())
                       : Expected<std::shared_ptr<Artifact>>(built.error());
    } catch (const std::exception& e) {
      artifact =
          make_error("compile_failed", std::string("internal error while compiling: ") + e.what());
    }
    if (stopping) return;
    if (!artifact) {
      module->fail(artifact.error().message);
    } else {
      module->install_artifact(std::move(artifact.value()), tier == Tier::kOptimized);
      if (tier == Tier::kFast && tiers == EngineConfig::Tiers::kTiered)
        schedule(module, wasm, Tier::kOptimized, on_state, owner);
    }
    if (on_state) on_state(*module);
  }

  void schedule(std::shared_ptr<Module> module, std::shared_ptr<std::vector<uint8_t>> wasm,
                Tier tier, StateCallback on_state, const std::string& owner) {
    auto& queue = tier == Tier::kFast ? fast_queue : optimized_queue;
    queue.push(owner, [this, module, wasm, tier, on_state, owner] {
      compile(module, wasm, tier, on_state, owner);
    });
  }

  void start(const std::shared_ptr<Module>& module, std::span<const uint8_t> bytes,
             StateCallback on_state, const std::string& owner) {
    const bool want_optimized = tiers != EngineConfig::Tiers::kFastOnly;
    if (want_optimized && try_cached(*module, Tier::kOptimized)) return;
    auto wasm = std::make_shared<std::vector<uint8_t>>(bytes.begin(), bytes.end());
    if (tiers == EngineConfig::Tiers::kOptimizedOnly) {
      schedule(module, wasm, Tier::kOptimized, on_state, owner);
      return;
    }
    if (try_cached(*module, Tier::kFast)) {
      if (want_optimized) schedule(module, wasm, Tier::kOptimized, on_state, owner);
      return;
    }
    schedule(module, wasm, Tier::kFast, on_state, owner);
  }
};

Engine::Engine(EngineConfig config) : config_(std::move(config)) {
  // First: the threads made from here on (compile queues, the caller's workers) get
  // a guard large enough for any frame the fast tier can produce.
  reserve_large_stack_guards();
  install_signal_handlers();
  install_wasi_host_hooks();
  set_memory_pool_capacity(config_.pooled_memories_per_thread);
  Watchdog::instance().set_deprioritize_after(config_.deprioritize_after);
  impl_ = std::make_unique<Impl>(config_);
}

Engine::~Engine() {
  // Shutting down: a build in progress (minutes for a large module at -O2) is killed
  // rather than waited for; the artifact cache never sees a partial file.
  impl_->stopping = true;
  impl_->compiler.cancel_all();
}

Expected<ModuleInfo> Engine::validate(std::span<const uint8_t> wasm) const {
  return validate_module(wasm);
}

Expected<std::shared_ptr<Module>> Engine::load(std::span<const uint8_t> wasm,
                                               std::function<void(const Module&)> on_state,
                                               const std::string& owner) {
  auto info = validate_module(wasm);
  if (!info) return info.error();
  std::shared_ptr<Module> module;
  {
    std::lock_guard lock(impl_->modules_mutex);
    auto& slot = impl_->modules[info->sha256];
    module = slot.lock();
    if (module && module->state() != ModuleState::kFailed) {
      if (on_state) on_state(*module);
      return module;
    }
    module = std::make_shared<Module>(std::move(info.value()));
    slot = module;
  }
  impl_->start(module, wasm, on_state, owner);
  if (on_state && module->state() != ModuleState::kCompiling) on_state(*module);
  return module;
}

CallResult Engine::call(Module& module, const CallOptions& options) {
  auto context = wasi::Context::create(options.wasi);
  if (!context) {
    CallResult result;
    result.trap = TrapKind::kHostError;
    result.message = context.error().message;
    return result;
  }
  return call(module, options, *context.value());
}

CallResult Engine::call(Module& module, const CallOptions& options, wasi::Context& context) {
  if (!module.wait_until_runnable()) {
    CallResult result;
    result.trap = TrapKind::kHostError;
    result.message = "the module failed to compile: " + module.error();
    return result;
  }
  // Holding the artifact keeps it loaded for this call even if a newer tier replaces it.
  std::shared_ptr<Artifact> artifact = module.current_artifact();
  CallResult result = run_guest_call(*artifact, options, context);
  result.stdout_data = context.take_stdout();
  result.stderr_data = context.take_stderr();
  return result;
}

}  // namespace wa::runtime
