#include "runtime/artifact.h"

#include <dlfcn.h>

#include <cstring>
#include <mutex>

#include "runtime/compiler.h"

namespace wa::runtime {

namespace {
// dlopen/dlclose and wasm_rt_register_func_type in init are serialised here.
std::mutex g_loader_mutex;
}  // namespace

Expected<std::shared_ptr<Artifact>> Artifact::load(const std::filesystem::path& path) {
  std::lock_guard lock(g_loader_mutex);
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return make_error("load_failed", std::string("cannot load compiled module: ") +
                                         (why ? why : "unknown dlopen error"));
  }
  auto* abi = static_cast<const int*>(dlsym(handle, "wa_abi_version"));
  auto* size = static_cast<const unsigned long*>(dlsym(handle, "wa_instance_size"));
  auto init = reinterpret_cast<void (*)()>(dlsym(handle, "wa_init_module"));
  auto* exports = static_cast<const ExportEntry*>(dlsym(handle, "wa_exports"));
  auto instantiate =
      reinterpret_cast<void (*)(void*, void* const*)>(dlsym(handle, "wa_instantiate"));
  auto* import_names = static_cast<const char* const*>(dlsym(handle, "wa_import_modules"));
  auto free_fn = reinterpret_cast<void (*)(void*)>(dlsym(handle, "wa_free"));
  if (!abi || *abi != kRuntimeAbiVersion || !size || !init || !exports || !instantiate ||
      !free_fn || !import_names) {
    // Closed here, under the lock we hold: no Artifact owns the handle yet, because
    // ~Artifact takes the same (non-recursive) lock and would deadlock every later load.
    dlclose(handle);
    return make_error("load_failed", "compiled module " + path.string() +
                                         " does not match this runtime's ABI; rebuild it");
  }
  std::vector<const HostImportModule*> import_modules;
  for (const char* const* name = import_names; *name; ++name) {
    const HostImportModule* module = find_host_import_module(*name);
    if (!module) {
      dlclose(handle);
      return make_error("load_failed", "compiled module " + path.string() + " imports from '" +
                                           *name + "', which this host does not provide");
    }
    import_modules.push_back(module);
  }
  auto artifact = std::shared_ptr<Artifact>(new Artifact());
  artifact->import_modules_ = std::move(import_modules);
  artifact->handle_ = handle;
  artifact->path_ = path;
  artifact->instance_size_ = *size;
  artifact->exports_ = exports;
  artifact->instantiate_ = instantiate;
  artifact->free_ = free_fn;
  init();  // registers function types: process-wide, once per loaded object
  return artifact;
}

Artifact::~Artifact() {
  std::lock_guard lock(g_loader_mutex);
  if (handle_) dlclose(handle_);
}

Artifact::EntryFn Artifact::entry(std::string_view name) const {
  for (const ExportEntry* e = exports_; e->name; ++e)
    if (name == e->name) return e->fn;
  return nullptr;
}

}  // namespace wa::runtime
