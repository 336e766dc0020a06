// How a guest call ended: normal exit with a code, or a trap of a specific kind.
#pragma once

#include <cstdint>
#include <string_view>

namespace wa::runtime {

enum class TrapKind : uint8_t {
  kNone,                  // the guest returned or called proc_exit
  kTimeout,               // halted at its deadline
  kOutOfBounds,           // linear memory or table access out of bounds
  kStackExhaustion,       // call stack exhausted (deep recursion)
  kUnreachable,           // `unreachable` executed (also C abort())
  kMemoryLimit,           // the instance hit its memory cap (and then failed)
  kIntegerOverflow,       // signed division overflow or float->int out of range
  kDivideByZero,          // integer division by zero
  kInvalidConversion,     // NaN -> integer
  kIndirectCallMismatch,  // call_indirect to null or wrong signature
  kUncaughtException,     // wasm exception not caught
  kOutputLimit,           // wrote more than the stdout/stderr cap
  kHostError,             // the host could not run the guest (resources)
};

// Stable snake_case name ("timeout", "out_of_bounds", ...), used in logs and APIs.
std::string_view trap_kind_name(TrapKind kind);
// One sentence for a human.
std::string_view trap_kind_description(TrapKind kind);

}  // namespace wa::runtime
