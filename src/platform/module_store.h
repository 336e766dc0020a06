// ModuleStore: content-addressed storage of uploaded .wasm modules, keyed by sha256.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/expected.h"

namespace wa::platform {

class ModuleStore {
 public:
  virtual ~ModuleStore() = default;

  // Stores `bytes` and returns their sha256 (lowercase hex). Storing the same bytes
  // twice keeps one copy. Readers never see a partial module.
  virtual Expected<std::string> put(std::span<const uint8_t> bytes) = 0;
  // kind "not_found" if absent; "storage" if the stored bytes no longer match the hash.
  virtual Expected<std::vector<uint8_t>> get(std::string_view sha256) const = 0;
  virtual bool contains(std::string_view sha256) const = 0;
  virtual Status remove(std::string_view sha256) = 0;
};

// Files under `<root>/ab/abcdef....wasm` (first two hex digits fan out the directory).
class LocalModuleStore final : public ModuleStore {
 public:
  explicit LocalModuleStore(std::filesystem::path root);

  Expected<std::string> put(std::span<const uint8_t> bytes) override;
  Expected<std::vector<uint8_t>> get(std::string_view sha256) const override;
  bool contains(std::string_view sha256) const override;
  Status remove(std::string_view sha256) override;

  // Where a module lives (whether or not it exists); empty for a malformed hash.
  std::filesystem::path path_for(std::string_view sha256) const;

 private:
  std::filesystem::path root_;
};

}  // namespace wa::platform
