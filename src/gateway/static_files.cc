#include "gateway/static_files.h"

#include <fstream>
#include <sstream>

#include "gateway/cgi_request.h"

namespace wa::gateway {

namespace fs = std::filesystem;

StaticFiles::StaticFiles(fs::path root) {
  if (root.empty()) return;
  std::error_code ec;
  auto canonical = fs::canonical(root, ec);
  root_ = ec ? fs::absolute(root) : canonical;
}

std::string_view mime_type_for(std::string_view filename) {
  auto dot = filename.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : filename.substr(dot + 1);
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTypes[] = {
      {"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
      {"json", "application/json"}, {"svg", "image/svg+xml"}, {"png", "image/png"},
      {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
      {"ico", "image/x-icon"}, {"webp", "image/webp"}, {"woff", "font/woff"},
      {"woff2", "font/woff2"}, {"txt", "text/plain; charset=utf-8"}, {"map", "application/json"},
      {"wasm", "application/wasm"},
  };
  for (const auto& entry : kTypes) {
    if (entry.ext == ext) return entry.type;
  }
  return "application/octet-stream";
}

std::optional<HttpResponse> StaticFiles::file(std::string_view path, bool head) const {
  if (!enabled()) return std::nullopt;
  std::string decoded = percent_decode(path, /*plus_is_space=*/false);
  if (decoded.find('\0') != std::string::npos) return std::nullopt;
  fs::path candidate = root_ / fs::path(decoded).relative_path();
  std::error_code ec;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  auto canonical = fs::canonical(candidate, ec);
  if (ec || !fs::is_regular_file(canonical, ec)) return std::nullopt;
  // Symlinks and ".." must not lead outside the root.
  auto [root_end, _] = std::mismatch(root_.begin(), root_.end(), canonical.begin(), canonical.end());
  if (root_end != root_.end()) return std::nullopt;
  return serve(canonical, head);
}

std::optional<HttpResponse> StaticFiles::index(bool head) const {
  if (!enabled()) return std::nullopt;
  return file("/index.html", head);
}

std::optional<HttpResponse> StaticFiles::serve(const fs::path& file, bool head) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  HttpResponse response{http::status::ok, 11};
  response.set(http::field::content_type, mime_type_for(file.filename().string()));
  // Hashed asset names (Vite's assets/x-1234.js) never change; index.html must be fresh.
  bool is_html = file.extension() == ".html";
  response.set(http::field::cache_control, is_html ? "no-cache" : "public, max-age=3600");
  response.body() = content.str();
  if (head) {
    response.content_length(response.body().size());
    response.body().clear();
  }
  return response;
}

}  // namespace wa::gateway
