// Fuzzes module validation (runtime/validator): every upload reaches it before
// anything is stored. It must answer every input with a module description or one of
// its documented error kinds, and never crash.
// Known open crash (issue 8 item 3, the runtime's): ~400,000 nested blocks overflow the
// stack in wabt; libFuzzer's default 4 KiB inputs cannot nest that deep.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "runtime/validator.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "validator invariant violated: %s\n", what);
  std::abort();
}

bool documented_kind(std::string_view kind) {
  for (std::string_view k : {"not_wasm", "invalid_module", "unsupported_feature",
                             "unsupported_import", "module_too_complex", "limit_exceeded"}) {
    if (kind == k) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto info = wa::runtime::validate_module(std::span<const uint8_t>(data, size));
  if (!info) {
    if (info.error().message.empty()) fail("error without a message");
    if (!documented_kind(info.error().kind)) {
      std::fprintf(stderr, "kind: %s\n", info.error().kind.c_str());
      fail("undocumented error kind");
    }
    return 0;
  }
  if (size < 8) fail("fewer than 8 bytes validated");
  if (info->size_bytes != size) fail("size_bytes differs from the input size");
  if (info->sha256.size() != 64) fail("sha256 is not 64 hex digits");
  return 0;
}
