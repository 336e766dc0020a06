#include "platform/module_store.h"

#include <cctype>
#include <system_error>

#include "platform/error_kinds.h"
#include "support/files.h"
#include "support/sha256.h"

namespace wa::platform {

namespace {

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

Error bad_hash(std::string_view sha256) {
  return make_error(std::string(error_kind::kInvalidArgument),
                    "not a sha256 module id: '" + std::string(sha256) + "'");
}

}  // namespace

LocalModuleStore::LocalModuleStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path LocalModuleStore::path_for(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) return {};
  return root_ / std::string(sha256.substr(0, 2)) / (std::string(sha256) + ".wasm");
}

Expected<std::string> LocalModuleStore::put(std::span<const uint8_t> bytes) {
  std::string sha256 = sha256_hex(bytes);
  // Content-addressed: an existing file already holds exactly these bytes.
  if (contains(sha256)) return sha256;
  if (auto st = write_file_atomically(path_for(sha256), bytes); !st) {
    return make_error(std::string(error_kind::kStorage),
                      "cannot store module: " + st.error().message);
  }
  return sha256;
}

Expected<std::vector<uint8_t>> LocalModuleStore::get(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) return bad_hash(sha256);
  const auto path = path_for(sha256);
  if (!std::filesystem::exists(path)) {
    return make_error(std::string(error_kind::kNotFound),
                      "module " + std::string(sha256) + " is not in the store");
  }
  auto bytes = read_file_bytes(path);
  if (!bytes) return make_error(std::string(error_kind::kStorage), bytes.error().message);
  if (sha256_hex(*bytes) != sha256) {
    return make_error(std::string(error_kind::kStorage),
                      "module file " + path.string() + " is corrupt (hash mismatch)");
  }
  return std::move(bytes).value();
}

bool LocalModuleStore::contains(std::string_view sha256) const {
  std::error_code ec;
  return is_sha256_hex(sha256) && std::filesystem::is_regular_file(path_for(sha256), ec);
}

Status LocalModuleStore::remove(std::string_view sha256) {
  if (!is_sha256_hex(sha256)) return bad_hash(sha256);
  std::error_code ec;
  std::filesystem::remove(path_for(sha256), ec);
  if (ec) return make_error(std::string(error_kind::kStorage), ec.message());
  return ok_status();
}

}  // namespace wa::platform
