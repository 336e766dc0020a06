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
inline constexpr int kRuntimeAbiVersion = 3;

enum class Tier : uint8_t { kFast, kOptimized };

struct CompilerSettings {
  std::filesystem::path cache_dir;
  std::chrono::seconds cpu_limit{600};
  uint64_t memory_limit_bytes = 4ull << 30;
  // Wall-clock cap on one build (wasm2c and the C compiler together) per tier: a compile
  // bomb must not hold a compile slot for long. Past it the tools are killed and the
  // module fails with error kind "compile_limit".
  std::chrono::seconds fast_wall_clock{120};
  std::chrono::seconds optimized_wall_clock{600};
};

// The most C wasm2c may write for a module of `wasm_size` bytes: the larger of 64 MiB and
// 24 x the module (ordinary modules make 5-15x; a 1.1 MB module made 13.7 MB). A module
// that needs more fails with error kind "compile_limit".
uint64_t generated_c_limit_bytes(uint64_t wasm_size);

// The pinned command line for a tier (compiler first, by name).
std::vector<std::string> tier_compiler_command(Tier tier);
std::string_view tier_name(Tier tier);

class Compiler {
 public:
  explicit Compiler(CompilerSettings settings);

  // Where the artifact for (module, tier) lives in the cache, whether built or not.
  // The key covers the module hash, the identity of the tools that tier runs (wasm2c and
  // its C compiler: tcc or gcc), their flags, the generated prelude and the ABI.
  std::filesystem::path artifact_path(const std::string& module_sha256, Tier tier) const;

  // Builds the artifact unless it is already cached. Returns its path. Error kinds:
  // "compile_failed" with the tool's output; "compile_limit" when the module passed the
  // generated-C size cap or the tier's wall-clock cap (the message says which).
  Expected<std::filesystem::path> build(std::span<const uint8_t> wasm,
                                        const std::string& module_sha256, Tier tier) const;

  // Kills the tools running now and any started later (shutdown): their builds fail.
  void cancel_all() { children_.kill_all(); }

 private:
  struct ToolRun {
    std::vector<std::string> argv;
    const char* what;  // for messages: "wasm2c", "the C compiler"
    int nice = 0;
    std::chrono::steady_clock::time_point deadline;
    uint64_t file_size_bytes = 0;  // RLIMIT_FSIZE; 0: none
  };
  Status run_tool(const ToolRun& run, const std::filesystem::path& dir, Tier tier,
                  uint64_t wasm_size) const;
  std::chrono::seconds wall_clock(Tier tier) const;

  CompilerSettings settings_;
  mutable ChildProcesses children_;
  // Each tool as found in PATH when the compiler was made: the resolved file (run by that
  // path, so what is hashed is what runs) and its identity for the cache key.
  struct Tool {
    std::string path;
    std::string identity;
  };
  Tool wasm2c_, tcc_, gcc_;
};

// Writes the C shim that exports a fixed interface (wa_instance_size, wa_instantiate,
// wa_exports, ...) over the module-specific names in wasm2c's header `header_text`.
// Fails if the header has a shape this wasm2c version should not produce.
Expected<std::string> generate_shim(const std::string& header_text, const std::string& header_name);

}  // namespace wa::runtime
