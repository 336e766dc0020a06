// A compiled module loaded into the process (dlopen'ed shared object).
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/host_imports.h"
#include "support/expected.h"

namespace wa::runtime {

class Artifact {
 public:
  using EntryFn = void (*)(void*);

  // dlopen (RTLD_NOW: a missing import fails here, named) and initialise the module.
  static Expected<std::shared_ptr<Artifact>> load(const std::filesystem::path& path);
  ~Artifact();
  Artifact(const Artifact&) = delete;
  Artifact& operator=(const Artifact&) = delete;

  size_t instance_size() const { return instance_size_; }
  // nullptr if there is no such export taking and returning nothing.
  EntryFn entry(std::string_view name) const;
  // The import modules the module's code takes an instance pointer for, in the order
  // instantiate() wants their states.
  const std::vector<const HostImportModule*>& import_modules() const { return import_modules_; }
  void instantiate(void* instance, void* const* import_states) const {
    instantiate_(instance, import_states);
  }
  void free_instance(void* instance) const { free_(instance); }
  const std::filesystem::path& path() const { return path_; }

 private:
  struct ExportEntry {
    const char* name;
    EntryFn fn;
  };

  Artifact() = default;

  void* handle_ = nullptr;
  std::filesystem::path path_;
  size_t instance_size_ = 0;
  const ExportEntry* exports_ = nullptr;
  std::vector<const HostImportModule*> import_modules_;
  void (*instantiate_)(void*, void* const*) = nullptr;
  void (*free_)(void*) = nullptr;
};

}  // namespace wa::runtime
