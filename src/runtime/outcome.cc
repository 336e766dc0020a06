#include "runtime/outcome.h"

namespace wa::runtime {

std::string_view trap_kind_name(TrapKind kind) {
  switch (kind) {
    case TrapKind::kNone:
      return "none";
    case TrapKind::kTimeout:
      return "timeout";
    case TrapKind::kOutOfBounds:
      return "out_of_bounds";
    case TrapKind::kStackExhaustion:
      return "stack_exhaustion";
    case TrapKind::kUnreachable:
      return "unreachable";
    case TrapKind::kMemoryLimit:
      return "memory_limit";
    case TrapKind::kIntegerOverflow:
      return "integer_overflow";
    case TrapKind::kDivideByZero:
      return "divide_by_zero";
    case TrapKind::kInvalidConversion:
      return "invalid_conversion";
    case TrapKind::kIndirectCallMismatch:
      return "indirect_call_mismatch";
    case TrapKind::kUncaughtException:
      return "uncaught_exception";
    case TrapKind::kOutputLimit:
      return "output_limit";
    case TrapKind::kHostError:
      return "host_error";
  }
  return "unknown";
}

std::string_view trap_kind_description(TrapKind kind) {
  switch (kind) {
    case TrapKind::kNone:
      return "no trap";
    case TrapKind::kTimeout:
      return "the guest ran past its time limit and was halted";
    case TrapKind::kOutOfBounds:
      return "out-of-bounds memory or table access";
    case TrapKind::kStackExhaustion:
      return "call stack exhausted (recursion too deep)";
    case TrapKind::kUnreachable:
      return "unreachable instruction executed (the guest aborted)";
    case TrapKind::kMemoryLimit:
      return "the guest reached its memory limit";
    case TrapKind::kIntegerOverflow:
      return "integer overflow";
    case TrapKind::kDivideByZero:
      return "integer division by zero";
    case TrapKind::kInvalidConversion:
      return "invalid conversion to integer (NaN)";
    case TrapKind::kIndirectCallMismatch:
      return "indirect call to a null or mistyped function";
    case TrapKind::kUncaughtException:
      return "uncaught WebAssembly exception";
    case TrapKind::kOutputLimit:
      return "the guest wrote more output than allowed";
    case TrapKind::kHostError:
      return "the host could not run the guest";
  }
  return "unknown trap";
}

}  // namespace wa::runtime
