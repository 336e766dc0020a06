// Bounds on the size of a module's parts, checked on the raw bytes before anything
// builds a tree from them.
//
// wabt's IR nests one heap object per block and frees it recursively: 400,000 nested
// blocks (1.2 MB) overflow an 8 MiB thread stack while the module is destroyed, i.e. an
// upload could crash the server during validation. Huge counts also make validation
// and compilation allocate host memory far beyond the upload's size. So a streaming
// pass (wabt's binary reader with a delegate that builds nothing) checks these limits
// first; only a module within them is parsed into IR and validated.
//
// The counts follow the implementation limits of the WebAssembly JS API (what every
// browser accepts), with our own for what that list leaves open (nesting depth,
// br_table size, instructions, table elements, memories).
#pragma once

#include <cstdint>
#include <span>

#include "support/expected.h"

namespace wa::runtime {

struct ModuleLimits {
  uint32_t max_types = 1'000'000;
  uint32_t max_functions = 1'000'000;  // imported + defined
  uint32_t max_imports = 100'000;
  uint32_t max_exports = 100'000;
  uint32_t max_globals = 1'000'000;
  uint32_t max_data_segments = 100'000;
  uint32_t max_element_segments = 100'000;
  uint32_t max_tables = 100;
  // Sum of the initial sizes of all tables: instantiation allocates them on the host
  // (24 bytes an element, outside the memory cap), so fewer than the JS API's 10M.
  uint64_t max_table_elements = 1'000'000;
  // The engine tracks this many linear memories per call for its fault handler.
  uint32_t max_memories = 4;
  uint32_t max_params = 1'000;
  uint32_t max_results = 1'000;
  uint32_t max_locals_per_function = 50'000;  // decisions.md (compile limits)
  uint32_t max_function_body_bytes = 7'654'321;
  // Blocks, loops, ifs and trys open at once in one function.
  uint32_t max_nesting_depth = 20'000;
  uint32_t max_br_table_targets = 100'000;
  // All instructions of all functions: validation holds each as a heap object of ~80
  // bytes (5M: ~400 MB at worst; a module that large is past the compile caps anyway).
  uint64_t max_instructions = 5'000'000;
};

// Fails with kind "invalid_module" naming the limit, the value and where (function
// index) when the module exceeds one. A module the streaming reader cannot parse
// passes: the full validation that follows reports why, and nothing deeper than these
// limits was read before the point where it fails.
Status check_module_limits(std::span<const uint8_t> wasm, const ModuleLimits& limits = {});

}  // namespace wa::runtime
