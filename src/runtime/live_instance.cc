#include "runtime/live_instance.h"

#include <cstdlib>
#include <cstring>

namespace wa::runtime {

std::unique_ptr<LiveInstance> LiveInstance::create(Module& module, const CallOptions& options,
                                                   CallResult& result) {
  result = CallResult{};
  if (!module.wait_until_runnable()) {
    result.trap = TrapKind::kHostError;
    result.message = "the module failed to compile: " + module.error();
    return nullptr;
  }
  auto context = wasi::Context::create(options.wasi);
  if (!context) {
    result.trap = TrapKind::kHostError;
    result.message = context.error().message;
    return nullptr;
  }
  std::unique_ptr<LiveInstance> live(new LiveInstance());
  live->artifact_ = module.current_artifact();
  live->context_ = std::move(context.value());
  const size_t size = (live->artifact_->instance_size() + 63) / 64 * 64;
  live->buffer_ = std::aligned_alloc(64, size ? size : 64);
  if (!live->buffer_) {
    result.trap = TrapKind::kHostError;
    result.message = "out of host memory for the instance";
    return nullptr;
  }
  std::memset(live->buffer_, 0, size);
  live->state_.instance = live->buffer_;
  live->memory_limit_bytes_ = options.memory_limit_bytes;
  result = live->run(options);
  if (!live->usable_) return nullptr;
  return live;
}

LiveInstance::~LiveInstance() {
  free_live_instance(*artifact_, state_);
  std::free(buffer_);
}

CallResult LiveInstance::call(std::string_view entry, std::chrono::milliseconds timeout) {
  if (!usable_) {
    CallResult refused;
    refused.trap = TrapKind::kHostError;
    refused.message = "the live instance ended with an earlier call";
    return refused;
  }
  if (!has_export(entry)) {
    // Nothing ran: the instance is as it was.
    CallResult missing;
    missing.trap = TrapKind::kHostError;
    missing.message = "the module has no exported function '" + std::string(entry) +
                      "' taking no parameters and returning nothing";
    return missing;
  }
  CallOptions options;
  options.entry = std::string(entry);
  options.timeout = timeout;
  options.memory_limit_bytes = memory_limit_bytes_;
  return run(options);
}

CallResult LiveInstance::run(const CallOptions& options) {
  ++calls_;
  CallResult result = run_live_call(*artifact_, state_, options, *context_);
  // An exit unwinds the guest without restoring what its code keeps in globals (the
  // shadow stack pointer): as unusable as a trap.
  usable_ = !result.trapped() && !result.exited;
  result.stdout_data = context_->take_stdout();
  result.stderr_data = context_->take_stderr();
  return result;
}

uint64_t LiveInstance::memory_bytes() const {
  const wasm_rt_memory_t* memory = context_->memory();
  return memory ? memory->size : 0;
}

}  // namespace wa::runtime
