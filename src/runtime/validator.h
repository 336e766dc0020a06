// Validates uploaded bytes before anything is stored or compiled.
#pragma once

#include <cstdint>
#include <span>

#include "runtime/module.h"
#include "support/expected.h"

namespace wa::runtime {

// Checks that `wasm` is a valid module our engine can run. Error kinds:
//   not_wasm            the bytes are not a WebAssembly binary
//   invalid_module      malformed or fails validation (message from the validator)
//   unsupported_feature uses SIMD, threads, tail calls, memory64, ... (named)
//   unsupported_import  imports something the host does not provide (named)
// Never crashes on any input.
Expected<ModuleInfo> validate_module(std::span<const uint8_t> wasm);

}  // namespace wa::runtime
