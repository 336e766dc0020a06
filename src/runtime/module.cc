#include "runtime/module.h"

#include "runtime/artifact.h"

namespace wa::runtime {

std::string_view module_state_name(ModuleState state) {
  switch (state) {
    case ModuleState::kCompiling:
      return "compiling";
    case ModuleState::kReady:
      return "ready";
    case ModuleState::kOptimized:
      return "optimized";
    case ModuleState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string Module::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

std::string Module::tier() const {
  switch (state()) {
    case ModuleState::kReady:
      return "fast";
    case ModuleState::kOptimized:
      return "optimized";
    default:
      return "none";
  }
}

bool Module::wait_until_runnable() const {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return state_ != ModuleState::kCompiling; });
  return state_ != ModuleState::kFailed;
}

bool Module::wait_until_optimized() const {
  std::unique_lock lock(mutex_);
  changed_.wait(
      lock, [this] { return state_ == ModuleState::kOptimized || state_ == ModuleState::kFailed; });
  return state_ == ModuleState::kOptimized;
}

std::shared_ptr<Artifact> Module::current_artifact() const {
  std::lock_guard lock(mutex_);
  return artifact_;
}

void Module::install_artifact(std::shared_ptr<Artifact> artifact, bool optimized) {
  {
    std::lock_guard lock(mutex_);
    artifact_ = std::move(artifact);
    state_ = optimized ? ModuleState::kOptimized : ModuleState::kReady;
  }
  changed_.notify_all();
}

void Module::fail(std::string error) {
  {
    std::lock_guard lock(mutex_);
    // A failed optimised build leaves a working fast tier in place.
    if (artifact_) return;
    error_ = std::move(error);
    state_ = ModuleState::kFailed;
  }
  changed_.notify_all();
}

}  // namespace wa::runtime
