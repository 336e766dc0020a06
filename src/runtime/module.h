// A loaded module: its identity, what it exports, and its compiled tiers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace wa::runtime {

class Artifact;

// What validation learned about a module.
struct ModuleInfo {
  std::string sha256;
  uint64_t size_bytes = 0;
  std::vector<std::string> function_exports;
  std::vector<std::string> imports;  // "module.name"
  bool has_start_function = false;
};

enum class ModuleState : uint8_t {
  kCompiling,  // no tier loaded yet
  kReady,      // runnable (fast tier or optimised tier)
  kOptimized,  // the optimised tier is loaded
  kFailed,     // compilation failed; see error()
};

std::string_view module_state_name(ModuleState state);

class Module {
 public:
  explicit Module(ModuleInfo info) : info_(std::move(info)) {}

  const ModuleInfo& info() const { return info_; }
  ModuleState state() const { return state_.load(); }
  std::string error() const;
  // Which tier serves new calls: "none", "fast", "optimized".
  std::string tier() const;

  // Blocks until runnable or failed. Returns false if failed.
  bool wait_until_runnable() const;
  bool wait_until_optimized() const;

  // Internal (engine): the artifact serving new calls; in-flight calls keep theirs.
  std::shared_ptr<Artifact> current_artifact() const;
  void install_artifact(std::shared_ptr<Artifact> artifact, bool optimized);
  void fail(std::string error);

 private:
  ModuleInfo info_;
  std::atomic<ModuleState> state_{ModuleState::kCompiling};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::shared_ptr<Artifact> artifact_;
  std::string error_;
};

}  // namespace wa::runtime
