// Turns a validated module into a loadable shared object: wasm2c, a generated shim,
// and the system C compiler, each run as a resource-limited subprocess.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "support/expected.h"
#include "support/subprocess.h"

namespace wa::runtime {

// Bumped whenever the shim's exported interface or our wasm-rt ABI changes, so stale
// artifacts are never loaded.
inline constexpr int kRuntimeAbiVersion = 2;

enum class Tier : uint8_t { kFast, kOptimized };

struct CompilerSettings {
  std::filesystem::path cache_dir;
  std::chrono::seconds cpu_limit{600};
  uint64_t memory_limit_bytes = 4ull << 30;
};

// The pinned command line for a tier (compiler first).
std::vector<std::string> tier_compiler_command(Tier tier);
std::string_view tier_name(Tier tier);

class Compiler {
 public:
  explicit Compiler(CompilerSettings settings);

  // Where the artifact for (module, tier) lives in the cache, whether built or not.
  // The key covers the module hash, wasm2c and compiler versions, flags and ABI.
  std::filesystem::path artifact_path(const std::string& module_sha256, Tier tier) const;

  // Builds the artifact unless it is already cached. Returns its path. Error kind
  // "compile_failed" with the tool's output.
  Expected<std::filesystem::path> build(std::span<const uint8_t> wasm,
                                        const std::string& module_sha256, Tier tier) const;

  // Kills the tools running now and any started later (shutdown): their builds fail.
  void cancel_all() { children_.kill_all(); }

 private:
  Status run_tool(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                  const char* what, int nice) const;

  CompilerSettings settings_;
  mutable ChildProcesses children_;
  std::string toolchain_identity_;  // versions of wasm2c and the compilers
};

// Writes the C shim that exports a fixed interface (wa_instance_size, wa_instantiate,
// wa_exports, ...) over the module-specific names in wasm2c's header `header_text`.
// Fails if the header has a shape this wasm2c version should not produce.
Expected<std::string> generate_shim(const std::string& header_text, const std::string& header_name);

}  // namespace wa::runtime
