// StaticFiles: serves the dashboard's built files from a web root, with index.html as
// the fallback for client-side (SPA) routes.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "gateway/http_types.h"

namespace wa::gateway {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);  // empty root: serves nothing

  bool enabled() const { return !root_.empty(); }

  // The file at `path` (decoded, without query) below the root; "/" and directories
  // give their index.html. nullopt if there is no such file, or the path tries to leave
  // the root. HEAD gets the headers only.
  std::optional<HttpResponse> file(std::string_view path, bool head) const;
  // The root's index.html (for SPA routes), or nullopt.
  std::optional<HttpResponse> index(bool head) const;

 private:
  std::optional<HttpResponse> serve(const std::filesystem::path& file, bool head) const;

  std::filesystem::path root_;  // canonical
};

// Content-Type for a file name by its extension (application/octet-stream if unknown).
std::string_view mime_type_for(std::string_view filename);

}  // namespace wa::gateway
