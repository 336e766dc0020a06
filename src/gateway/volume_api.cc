#include "gateway/volume_api.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "gateway/cgi_request.h"
#include "gateway/json_response.h"
#include "gateway/static_files.h"
#include "platform/error_kinds.h"

namespace wa::gateway {
namespace {

using nlohmann::json;
namespace ek = platform::error_kind;

json volume_json(const platform::VolumeInfo& v) {
  return {{"name", v.name},
          {"bytes", v.bytes},
          {"files", v.files},
          {"quota_bytes", v.quota_bytes},
          {"created_at", v.created_at_ms}};
}

HttpResponse no_content() {
  HttpResponse response{http::status::no_content, 11};
  response.set(http::field::cache_control, "no-store");
  return response;
}

HttpResponse method_not_allowed() {
  return error_json(405, "method_not_allowed", "method not allowed on this path");
}

std::string query_value(std::string_view query, std::string_view key) {
  for (const auto& item : query_arguments(query)) {
    auto eq = item.find('=');
    if (item.substr(0, eq) == key) return eq == std::string::npos ? "" : item.substr(eq + 1);
  }
  return {};
}

HttpResponse create(platform::VolumeStore& volumes, const HttpRequest& request, int64_t owner_id) {
  json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return error_json(400, "bad_request", "expected a JSON object {\"name\": ...}");
  }
  auto name = body.find("name");
  if (name == body.end() || !name->is_string()) {
    return error_json(400, "bad_request", "field \"name\" must be a string");
  }
  std::optional<uint64_t> quota;
  if (auto mb = body.find("quota_mb"); mb != body.end() && !mb->is_null()) {
    if (!mb->is_number_unsigned() || mb->get<uint64_t>() == 0 ||
        mb->get<uint64_t>() > (UINT64_MAX >> 20)) {
      return error_json(400, "bad_request", "field \"quota_mb\" must be a positive integer");
    }
    quota = mb->get<uint64_t>() << 20;
  }
  auto created = volumes.create(owner_id, name->get<std::string>(), quota);
  if (!created) return error_json(created.error());
  return json_response(201, volume_json(*created));
}

HttpResponse file_call(platform::VolumeStore& volumes, const HttpRequest& request,
                       const std::vector<std::string>& s, int64_t owner_id) {
  const std::string& volume = s[1];
  // The rest of the path is the file's (a %2F inside a segment is a '/' as well).
  std::string path;
  for (size_t i = 3; i < s.size(); ++i) path += (i > 3 ? "/" : "") + s[i];
  switch (request.method()) {
    case http::verb::get: {
      auto bytes = volumes.read_file(owner_id, volume, path);
      if (!bytes) return error_json(bytes.error());
      const size_t slash = path.rfind('/');
      auto response = text_response(
          200, mime_type_for(slash == std::string::npos ? path : path.substr(slash + 1)),
          std::move(*bytes));
      // Developers' files are data to this origin, never a page that runs in it.
      response.set("Content-Security-Policy", "sandbox");
      response.set("X-Content-Type-Options", "nosniff");
      response.set(http::field::cache_control, "no-store");
      return response;
    }
    case http::verb::put: {
      auto created = volumes.put_file(owner_id, volume, path, request.body());
      if (!created) return error_json(created.error());
      if (!*created) return no_content();
      return json_response(201, {{"path", path}, {"size", request.body().size()}});
    }
    case http::verb::delete_: {
      auto removed = volumes.delete_file(owner_id, volume, path);
      if (!removed) return error_json(removed.error());
      return no_content();
    }
    default:
      return method_not_allowed();
  }
}

}  // namespace

HttpResponse VolumeApi::handle(const HttpRequest& request, const std::vector<std::string>& s,
                               std::string_view query, int64_t owner_id) {
  platform::VolumeStore& volumes = platform_.volumes();
  const auto method = request.method();
  if (s.size() == 1) {
    if (method == http::verb::get) {
      auto list = volumes.list(owner_id);
      if (!list) return error_json(list.error());
      json out = json::array();
      for (const auto& v : *list) out.push_back(volume_json(v));
      return json_response(200, {{"volumes", out}});
    }
    if (method == http::verb::post) return create(volumes, request, owner_id);
    return method_not_allowed();
  }
  if (s.size() == 2) {
    if (method != http::verb::delete_) return method_not_allowed();
    auto removed = platform_.delete_volume(owner_id, s[1]);
    if (!removed) return error_json(removed.error());
    return no_content();
  }
  if (s[2] != "files") {
    return error_json(404, ek::kNotFound, "no API endpoint here (volumes/NAME/files/...)");
  }
  if (s.size() == 3 && method == http::verb::get) {
    auto files = volumes.list_files(owner_id, s[1], query_value(query, "prefix"));
    if (!files) return error_json(files.error());
    json out = json::array();
    for (const auto& f : *files) {
      out.push_back({{"path", f.path},
                     {"size", f.size},
                     {"modified_at", f.modified_at_ms},
                     {"type", f.symlink ? "symlink" : "file"}});
    }
    return json_response(200, {{"files", out}});
  }
  return file_call(volumes, request, s, owner_id);
}

}  // namespace wa::gateway
