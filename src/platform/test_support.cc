#include "platform/test_support.h"

#include <stdlib.h>

#include <string>

namespace wa::platform::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "wa-platform-XXXXXX").string();
  path_ = ::mkdtemp(pattern.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace wa::platform::testing
