// The registry of what a guest may import: import modules, each a table of host
// functions with the full wasm signature the host implements.
//
// The validator checks every function import against it by name AND type (a guest
// that imports `fd_write` as `(f64) -> i64` would otherwise link, since C symbols carry
// no types, and run with garbage arguments). WASI preview1 is the first module; its
// entries are derived from the declarations of the symbols the host really exports
// (wasi/wasi_exports.h), so the table cannot drift from the implementation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
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

// One import module: its functions, and the state its functions get when a call binds
// none (CallOptions::imports). That state must make every function answer "not granted":
// the import always links, so one module runs with or without a capability.
namespace detail {
template <typename T>
constexpr WasmType wasm_type_of() {
  if constexpr (std::is_same_v<T, uint32_t> || std::is_same_v<T, int32_t>)
    return WasmType::kI32;
  else if constexpr (std::is_same_v<T, uint64_t> || std::is_same_v<T, int64_t>)
    return WasmType::kI64;
  else if constexpr (std::is_same_v<T, float>)
    return WasmType::kF32;
  else if constexpr (std::is_same_v<T, double>)
    return WasmType::kF64;
  else
    static_assert(!sizeof(T), "a host function parameter has no wasm type");
}
}  // namespace detail

// The entry for a host symbol as wasm2c calls it: the first parameter is the import
// module's instance (its state); the rest and the result map one to one onto wasm
// values, so the table's types are those of the C declaration and cannot drift from it.
template <typename Result, typename Instance, typename... Params>
HostFunction make_host_function(std::string_view name, Result (*symbol)(Instance*, Params...)) {
  HostFunction function;
  function.name = name;
  function.type.params = {detail::wasm_type_of<Params>()...};
  if constexpr (!std::is_void_v<Result>) function.type.results = {detail::wasm_type_of<Result>()};
  function.symbol = reinterpret_cast<const void*>(symbol);
  return function;
}

struct HostImportModule {
  std::string_view name;
  std::vector<HostFunction> functions;
  void* unbound_state = nullptr;

  const HostFunction* find(std::string_view function) const;
};

// Adds an import module beyond WASI (a capability layer registers its own, e.g.
// `wasm_actions`). Call before validating or loading modules that import it; a module
// registered twice by name keeps the first registration. Thread-safe.
void register_host_import_module(HostImportModule module);

// Every import module the host provides (WASI preview1 first). Entries never move or
// change once registered.
std::span<const HostImportModule> host_import_modules();
const HostImportModule* find_host_import_module(std::string_view module);

// The typed per-call state of the import modules a call binds, each the object its host
// functions receive as their first parameter (wasm2c's `Z_<module>_instance_t*`). A state
// type names its module:
//   struct KvCallState { static constexpr std::string_view kImportModule = "wasm_actions"; };
//   options.imports.bind(state);
// WASI's state is the call's wasi::Context, which the engine binds itself.
class ImportStates {
 public:
  static constexpr size_t kMaxModules = 8;

  template <typename State>
  void bind(State& state) {
    bind_state(State::kImportModule, &state);
  }
  // The bound state of `module`, or nullptr.
  void* find(std::string_view module) const;

 private:
  struct Entry {
    std::string_view module;
    void* state = nullptr;
  };
  void bind_state(std::string_view module, void* state);
  std::array<Entry, kMaxModules> entries_{};
  size_t size_ = 0;
};

// wasm2c's C name for an import module ("wasm_actions" → "wasm_actions", 'Z' doubled,
// other characters escaped): what `Z_<name>_instance_t` is spelled with.
std::string wasm2c_mangled_name(std::string_view module);

// nullptr when the host provides no such module or function.
const HostFunction* find_host_function(std::string_view module, std::string_view name);

// The names of all import modules, comma-separated (for messages).
std::string host_import_module_names();

inline bool is_provided_host_function(std::string_view module, std::string_view name) {
  return find_host_function(module, name) != nullptr;
}

}  // namespace wa::runtime
