#include "runtime/host_imports.h"

#include <atomic>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <type_traits>

#include "wasi/wasi_exports.h"

namespace wa::runtime {

namespace {

#define WA_WASI_FUNCTION(name) make_host_function(#name, &Z_wasi_snapshot_preview1Z_##name)

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

namespace {

// Registered modules in a fixed array: entries never move, so spans and pointers handed
// out stay valid while modules are added. Readers take the published count (acquire)
// without a lock; registration writes the entry first, then publishes it (release).
constexpr size_t kMaxRegisteredModules = 16;

struct Registry {
  std::mutex mutex;
  std::array<HostImportModule, kMaxRegisteredModules> modules;
  std::atomic<size_t> size{0};

  Registry() {
    modules[0] = wasi_preview1();
    size.store(1, std::memory_order_release);
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void register_host_import_module(HostImportModule module) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const size_t n = r.size.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i)
    if (r.modules[i].name == module.name) return;
  if (n == kMaxRegisteredModules) throw std::length_error("too many host import modules");
  r.modules[n] = std::move(module);
  r.size.store(n + 1, std::memory_order_release);
}

std::span<const HostImportModule> host_import_modules() {
  Registry& r = registry();
  return {r.modules.data(), r.size.load(std::memory_order_acquire)};
}

const HostImportModule* find_host_import_module(std::string_view module) {
  for (const HostImportModule& m : host_import_modules())
    if (m.name == module) return &m;
  return nullptr;
}

const HostFunction* find_host_function(std::string_view module, std::string_view name) {
  const HostImportModule* m = find_host_import_module(module);
  return m ? m->find(name) : nullptr;
}

void ImportStates::bind_state(std::string_view module, void* state) {
  for (size_t i = 0; i < size_; ++i) {
    if (entries_[i].module == module) {
      entries_[i].state = state;
      return;
    }
  }
  if (size_ == kMaxModules) throw std::length_error("too many import module states bound");
  entries_[size_++] = {module, state};
}

void* ImportStates::find(std::string_view module) const {
  for (size_t i = 0; i < size_; ++i)
    if (entries_[i].module == module) return entries_[i].state;
  return nullptr;
}

std::string wasm2c_mangled_name(std::string_view module) {
  // wasm2c 1.0.32 (MangleName): letters, digits and '_' stay, 'Z' becomes "ZZ", any other
  // byte becomes 'Z' and two hex digits.
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : module) {
    if (c == 'Z') {
      out += "ZZ";
    } else if (std::isalnum(c) || c == '_') {
      out += char(c);
    } else {
      out += 'Z';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
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
