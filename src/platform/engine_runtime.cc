// The embedded runtime::Engine behind the ModuleRuntime seam, and Platform::open with it.
#include "capabilities/experimental_http_module.h"
#include "capabilities/wasm_actions_module.h"
#include "platform/module_runtime.h"
#include "platform/platform.h"
#include "runtime/engine.h"

namespace wa::platform {

namespace {

class EngineRuntime final : public ModuleRuntime {
 public:
  explicit EngineRuntime(runtime::EngineConfig config) : engine_(std::move(config)) {}

  Expected<runtime::ModuleInfo> validate(std::span<const uint8_t> wasm) const override {
    return engine_.validate(wasm);
  }

  Expected<std::shared_ptr<runtime::Module>> load(std::span<const uint8_t> wasm,
                                                  StateCallback on_state,
                                                  const std::string& owner) override {
    std::function<void(const runtime::Module&)> forward;
    if (on_state) {
      forward = [on_state](const runtime::Module& module) {
        on_state(module.state(),
                 module.state() == runtime::ModuleState::kFailed ? module.error() : std::string());
      };
    }
    return engine_.load(wasm, std::move(forward), owner);
  }

  runtime::CallResult call(runtime::Module& module, const runtime::CallOptions& options) override {
    return engine_.call(module, options);
  }

  std::unique_ptr<runtime::LiveInstance> instantiate(runtime::Module& module,
                                                     const runtime::CallOptions& options,
                                                     runtime::CallResult& result) override {
    return engine_.instantiate(module, options, result);
  }

 private:
  runtime::Engine engine_;
};

}  // namespace

std::unique_ptr<ModuleRuntime> make_engine_runtime(const EngineRuntimeConfig& config) {
  // Every platform engine offers the capability modules (the grants decide what they do).
  capabilities::register_wasm_actions_module();
  capabilities::register_experimental_http_module();
  runtime::EngineConfig engine_config;
  engine_config.cache_dir = config.artifact_cache_dir;
  engine_config.tiers = config.tiers;
  engine_config.max_concurrent_compiles = config.max_concurrent_compiles;
  engine_config.fast_compile_timeout = config.fast_compile_timeout;
  engine_config.optimized_compile_timeout = config.optimized_compile_timeout;
  return std::make_unique<EngineRuntime>(std::move(engine_config));
}

Expected<std::unique_ptr<Platform>> Platform::open(PlatformConfig config) {
  EngineRuntimeConfig engine;
  engine.artifact_cache_dir =
      config.artifact_cache_dir.empty() ? config.data_dir / "artifacts" : config.artifact_cache_dir;
  engine.tiers = config.compile_tiers;
  engine.max_concurrent_compiles = config.max_concurrent_compiles;
  engine.fast_compile_timeout = config.fast_compile_timeout;
  engine.optimized_compile_timeout = config.optimized_compile_timeout;
  return open(std::move(config), make_engine_runtime(engine));
}

}  // namespace wa::platform
