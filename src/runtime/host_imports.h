// The registry of what a guest may import: import modules, each a table of host
// functions with the full wasm signature the host implements.
//
// The validator checks every function import against it by name AND type (a guest
// that imports `fd_write` as `(f64) -> i64` would otherwise link, since C symbols carry
// no types, and run with garbage arguments). WASI preview1 is the first module; its
// entries are derived from the declarations of the symbols the host really exports
// (wasi/wasi_exports.h), so the table cannot drift from the implementation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wa::runtime {

inline constexpr std::string_view kWasiModule = "wasi_snapshot_preview1";

// The value types a host function can take or return.
enum class WasmType : uint8_t { kI32, kI64, kF32, kF64 };
std::string_view wasm_type_name(WasmType type);  // "i32", ...

struct HostFunctionType {
  std::vector<WasmType> params;
  std::vector<WasmType> results;
  bool operator==(const HostFunctionType&) const = default;
};
// "(i32, i64) -> i32", "(i32) -> ()", "() -> (i32, i32)": type names as wasm spells them.
std::string describe_type(std::span<const std::string_view> params,
                          std::span<const std::string_view> results);
std::string describe_type(const HostFunctionType& type);

struct HostFunction {
  std::string_view name;
  HostFunctionType type;
  // The host symbol generated code links against (Z_<module>Z_<name>).
  const void* symbol = nullptr;
};

struct HostImportModule {
  std::string_view name;
  std::vector<HostFunction> functions;

  const HostFunction* find(std::string_view function) const;
};

// Every import module the host provides (WASI preview1 first). Built once; immutable.
std::span<const HostImportModule> host_import_modules();

// nullptr when the host provides no such module or function.
const HostFunction* find_host_function(std::string_view module, std::string_view name);

// The names of all import modules, comma-separated (for messages).
std::string host_import_module_names();

inline bool is_provided_host_function(std::string_view module, std::string_view name) {
  return find_host_function(module, name) != nullptr;
}

}  // namespace wa::runtime
