// Test helpers: a temporary directory that removes itself.
#pragma once

#include <filesystem>

namespace wa::platform::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wa::platform::testing
