#include "runtime/host_imports.h"

#include <type_traits>

#include "wasi/wasi_exports.h"

namespace wa::runtime {

namespace {

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

// The wasm signature of a host symbol as wasm2c calls it: the first parameter is the
// import module's instance; the rest and the result map one to one onto wasm values.
template <typename Result, typename Instance, typename... Params>
HostFunction host_function(std::string_view name, Result (*symbol)(Instance*, Params...)) {
  HostFunction function;
  function.name = name;
  function.type.params = {wasm_type_of<Params>()...};
  if constexpr (!std::is_void_v<Result>) function.type.results = {wasm_type_of<Result>()};
  function.symbol = reinterpret_cast<const void*>(symbol);
  return function;
}

#define WA_WASI_FUNCTION(name) host_function(#name, &Z_wasi_snapshot_preview1Z_##name)

HostImportModule wasi_preview1() {
  return HostImportModule{kWasiModule,
                          {
                              WA_WASI_FUNCTION(args_get),
                              WA_WASI_FUNCTION(args_sizes_get),
                              WA_WASI_FUNCTION(environ_get),
                              WA_WASI_FUNCTION(environ_sizes_get),
                              WA_WASI_FUNCTION(clock_res_get),
                              WA_WASI_FUNCTION(clock_time_get),
                              WA_WASI_FUNCTION(fd_advise),
                              WA_WASI_FUNCTION(fd_allocate),
                              WA_WASI_FUNCTION(fd_close),
                              WA_WASI_FUNCTION(fd_datasync),
                              WA_WASI_FUNCTION(fd_fdstat_get),
                              WA_WASI_FUNCTION(fd_fdstat_set_flags),
                              WA_WASI_FUNCTION(fd_fdstat_set_rights),
                              WA_WASI_FUNCTION(fd_filestat_get),
                              WA_WASI_FUNCTION(fd_filestat_set_size),
                              WA_WASI_FUNCTION(fd_filestat_set_times),
                              WA_WASI_FUNCTION(fd_pread),
                              WA_WASI_FUNCTION(fd_prestat_get),
                              WA_WASI_FUNCTION(fd_prestat_dir_name),
                              WA_WASI_FUNCTION(fd_pwrite),
                              WA_WASI_FUNCTION(fd_read),
                              WA_WASI_FUNCTION(fd_readdir),
                              WA_WASI_FUNCTION(fd_renumber),
                              WA_WASI_FUNCTION(fd_seek),
                              WA_WASI_FUNCTION(fd_sync),
                              WA_WASI_FUNCTION(fd_tell),
                              WA_WASI_FUNCTION(fd_write),
                              WA_WASI_FUNCTION(path_create_directory),
                              WA_WASI_FUNCTION(path_filestat_get),
                              WA_WASI_FUNCTION(path_filestat_set_times),
                              WA_WASI_FUNCTION(path_link),
                              WA_WASI_FUNCTION(path_open),
                              WA_WASI_FUNCTION(path_readlink),
                              WA_WASI_FUNCTION(path_remove_directory),
                              WA_WASI_FUNCTION(path_rename),
                              WA_WASI_FUNCTION(path_symlink),
                              WA_WASI_FUNCTION(path_unlink_file),
                              WA_WASI_FUNCTION(poll_oneoff),
                              WA_WASI_FUNCTION(proc_exit),
                              WA_WASI_FUNCTION(proc_raise),
                              WA_WASI_FUNCTION(sched_yield),
                              WA_WASI_FUNCTION(random_get),
                              WA_WASI_FUNCTION(sock_accept),
                              WA_WASI_FUNCTION(sock_recv),
                              WA_WASI_FUNCTION(sock_send),
                              WA_WASI_FUNCTION(sock_shutdown),
                          }};
}

#undef WA_WASI_FUNCTION

}  // namespace

std::string_view wasm_type_name(WasmType type) {
  switch (type) {
    case WasmType::kI32:
      return "i32";
    case WasmType::kI64:
      return "i64";
    case WasmType::kF32:
      return "f32";
    case WasmType::kF64:
      return "f64";
  }
  return "?";
}

std::string describe_type(std::span<const std::string_view> params,
                          std::span<const std::string_view> results) {
  auto list = [](std::span<const std::string_view> types) {
    std::string out = "(";
    for (size_t i = 0; i < types.size(); ++i) {
      if (i) out += ", ";
      out += types[i];
    }
    return out + ")";
  };
  return list(params) + " -> " + (results.size() == 1 ? std::string(results[0]) : list(results));
}

std::string describe_type(const HostFunctionType& type) {
  auto names = [](const std::vector<WasmType>& types) {
    std::vector<std::string_view> out;
    for (WasmType t : types) out.push_back(wasm_type_name(t));
    return out;
  };
  return describe_type(names(type.params), names(type.results));
}

const HostFunction* HostImportModule::find(std::string_view function) const {
  for (const HostFunction& f : functions)
    if (f.name == function) return &f;
  return nullptr;
}

std::span<const HostImportModule> host_import_modules() {
  static const std::vector<HostImportModule> modules = {wasi_preview1()};
  return modules;
}

const HostFunction* find_host_function(std::string_view module, std::string_view name) {
  for (const HostImportModule& m : host_import_modules())
    if (m.name == module) return m.find(name);
  return nullptr;
}

std::string host_import_module_names() {
  std::string out;
  for (const HostImportModule& m : host_import_modules()) {
    if (!out.empty()) out += ", ";
    out += m.name;
  }
  return out;
}

}  // namespace wa::runtime
