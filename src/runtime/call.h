// What a guest call takes (CallOptions) and what it gives back (CallResult).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "runtime/host_imports.h"
#include "runtime/outcome.h"
#include "wasi/context.h"

namespace wa::runtime {

struct CallOptions {
  std::string entry = "_start";  // an exported function taking and returning nothing
  // Runs this export first when the module has it (reactor modules' `_initialize`; room
  // events call it on each fresh instance). Empty: none.
  std::string initializer;
  wasi::ContextConfig wasi;  // args, env, stdin, stdio, preopens
  std::chrono::milliseconds timeout{5000};
  uint64_t memory_limit_bytes = 128ull << 20;
  // States of the import modules beyond WASI (capabilities); a module bound to nothing
  // gets its unbound (nothing granted) state.
  ImportStates imports;
};

struct CallResult {
  TrapKind trap = TrapKind::kNone;
  int exit_code = 0;        // valid when trap == kNone (0 if the entry just returned)
  bool exited = false;      // the guest called proc_exit (with any code)
  std::string message;      // detail for traps and host errors
  std::string stdout_data;  // buffered output (empty when streamed to a host fd)
  std::string stderr_data;
  std::chrono::nanoseconds duration{0};
  uint64_t peak_memory_bytes = 0;

  bool trapped() const { return trap != TrapKind::kNone; }
};

}  // namespace wa::runtime
