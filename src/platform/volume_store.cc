#include "platform/volume_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <set>
#include <utility>

#include "platform/clock.h"
#include "platform/error_kinds.h"

namespace wa::platform {
namespace ek = error_kind;
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxPathBytes = 1024;
constexpr size_t kMaxComponentBytes = 255;
// Guests can nest directories deeper than any REST path; scans hold one fd per level.
constexpr int kMaxScanDepth = 1024;
constexpr std::string_view kTempDirName = ".tmp";

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

UniqueFd open_dir_at(int dir_fd, const char* name) {
  return UniqueFd(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

std::vector<std::string> split_components(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

Error storage_error(const std::string& what) {
  return Error{std::string(ek::kStorage), what + ": " + std::strerror(errno)};
}

// The names in a directory (without . and ..).
std::vector<std::string> read_names(int dir_fd) {
  std::vector<std::string> names;
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return names;
  }
  while (dirent* d = ::readdir(dir)) {
    if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
    names.emplace_back(d->d_name);
  }
  ::closedir(dir);
  return names;
}

// Visits every entry beneath dir_fd (lstat semantics: a symlink is reported, never
// entered). `visit` gets the relative path and the entry's stat.
using Visitor = std::function<void(const std::string& path, const struct stat& st)>;
void walk(int dir_fd, const std::string& prefix, int depth, const Visitor& visit) {
  for (const std::string& name : read_names(dir_fd)) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    if (S_ISDIR(st.st_mode)) {
      if (depth >= kMaxScanDepth) continue;
      UniqueFd child = open_dir_at(dir_fd, name.c_str());
      if (child.ok()) walk(child.get(), path, depth + 1, visit);
    } else {
      visit(path, st);
    }
  }
}

// Removes everything beneath dir_fd without following any symlink (a guest may be
// swapping directories for links while this runs: every step is relative to an fd).
void remove_contents(int dir_fd, int depth) {
  for (const std::string& name : read_names(dir_fd)) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode) && depth < kMaxScanDepth) {
      UniqueFd child = open_dir_at(dir_fd, name.c_str());
      if (child.ok()) remove_contents(child.get(), depth + 1);
      ::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR);
    } else {
      ::unlinkat(dir_fd, name.c_str(), 0);
    }
  }
}

void remove_tree(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.ok()) remove_contents(fd.get(), 0);
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) {
    spdlog::warn("volumes: cannot remove {}: {}", dir.string(), std::strerror(errno));
  }
}

// The bytes the quota counts: regular files, each inode once.
uint64_t scan_usage(int dir_fd, uint64_t* files = nullptr) {
  uint64_t bytes = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  walk(dir_fd, "", 0, [&](const std::string&, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) return;
    if (files) ++*files;
    if (st.st_nlink > 1 && !seen.emplace(st.st_dev, st.st_ino).second) return;
    bytes += static_cast<uint64_t>(st.st_size);
  });
  return bytes;
}

// The directory holding a path's last component, opened one component at a time from
// the volume's root with O_NOFOLLOW (creating the missing ones when `create`).
Expected<UniqueFd> open_parent(const fs::path& root, const std::vector<std::string>& parts,
                               bool create) {
  UniqueFd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.ok()) return storage_error("cannot open the volume directory");
  std::string so_far;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const char* name = parts[i].c_str();
    so_far += (so_far.empty() ? "" : "/") + parts[i];
    if (create && ::mkdirat(dir.get(), name, 0777) != 0 && errno != EEXIST) {
      return storage_error("cannot create directory '" + so_far + "'");
    }
    UniqueFd next = open_dir_at(dir.get(), name);
    if (!next.ok()) {
      if (errno == ENOENT) {
        return make_error(std::string(ek::kNotFound), "no directory '" + so_far + "'");
      }
      if (errno == ELOOP || errno == ENOTDIR) {
        return make_error(
            std::string(ek::kInvalidArgument),
            "'" + so_far + "' is not a directory (symbolic links are never followed)");
      }
      return storage_error("cannot open '" + so_far + "'");
    }
    dir = std::move(next);
  }
  return dir;
}

VolumeInfo volume_from_row(const SqlRow& row) {
  VolumeInfo info;
  info.id = row.integer(0);
  info.owner_id = row.integer(1);
  info.name = row.text(2);
  info.quota_bytes = static_cast<uint64_t>(row.integer(3));
  info.created_at_ms = row.integer(4);
  return info;
}

constexpr const char* kColumns = "id, owner_id, name, quota_bytes, created_at";

}  // namespace

bool valid_volume_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

Status validate_volume_path(std::string_view path) {
  auto bad = [&](const std::string& why) {
    return make_error(std::string(ek::kInvalidArgument), "bad file path: " + why);
  };
  if (path.empty()) return bad("it is empty");
  if (path.size() > kMaxPathBytes) {
    return bad("longer than " + std::to_string(kMaxPathBytes) + " bytes");
  }
  if (path.find('\0') != std::string_view::npos) return bad("it contains a NUL byte");
  if (path.find('\\') != std::string_view::npos) return bad("it contains a backslash");
  if (path.front() == '/') return bad("it must be relative (no leading '/')");
  for (const std::string& part : split_components(path)) {
    if (part.empty()) return bad("it has an empty component ('//' or a trailing '/')");
    if (part == "." || part == "..") return bad("'.' and '..' are not allowed");
    if (part.size() > kMaxComponentBytes) {
      return bad("a component is longer than " + std::to_string(kMaxComponentBytes) + " bytes");
    }
  }
  return ok_status();
}

VolumeStore::VolumeStore(Database& db, fs::path root, VolumeLimits limits)
    : db_(db), root_(std::move(root)), limits_(limits) {}

Expected<std::unique_ptr<VolumeStore>> VolumeStore::open(Database& db, fs::path root,
                                                         VolumeLimits limits) {
  std::error_code ec;
  fs::create_directories(root / kTempDirName, ec);
  if (ec) {
    return make_error(std::string(ek::kStorage),
                      "cannot create " + root.string() + ": " + ec.message());
  }
  std::unique_ptr<VolumeStore> store(new VolumeStore(db, std::move(root), limits));
  store->sweep_orphans();
  return store;
}

void VolumeStore::sweep_orphans() {
  // Uploads of a previous process that never reached their rename.
  remove_tree(root_ / kTempDirName);
  std::error_code ec;
  fs::create_directories(root_ / kTempDirName, ec);
  auto rows = db_.query("SELECT id FROM volumes");
  if (!rows) {
    spdlog::warn("volumes: cannot list volumes to sweep: {}", rows.error().message);
    return;
  }
  std::set<std::string> live;
  for (const SqlRow& row : rows->rows) live.insert(std::to_string(row.integer(0)));
  UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.ok()) return;
  for (const std::string& name : read_names(root.get())) {
    if (name == kTempDirName || live.count(name)) continue;
    // Only what this store names: decimal ids.
    if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    spdlog::info("volumes: removing {}, whose volume no longer exists", name);
    remove_tree(root_ / name);
  }
}

fs::path VolumeStore::directory_of(int64_t volume_id) const {
  return root_ / std::to_string(volume_id);
}

Expected<VolumeInfo> VolumeStore::find_row(int64_t owner_id, std::string_view name) {
  auto rows =
      db_.query(std::string("SELECT ") + kColumns + " FROM volumes WHERE owner_id = ? AND name = ?",
                {owner_id, std::string(name)});
  if (!rows) return rows.error();
  if (rows->rows.empty()) {
    return make_error(std::string(ek::kNotFound), "no volume named '" + std::string(name) + "'");
  }
  return volume_from_row(rows->rows.front());
}

Expected<std::shared_ptr<wasi::DiskQuota>> VolumeStore::quota(const VolumeInfo& volume) {
  std::lock_guard lock(mutex_);
  if (auto it = quotas_.find(volume.id); it != quotas_.end()) return it->second;
  const fs::path dir = directory_of(volume.id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.ok()) return storage_error("cannot open the directory of volume '" + volume.name + "'");
  auto quota = std::make_shared<wasi::DiskQuota>(volume.quota_bytes, scan_usage(fd.get()));
  quotas_.emplace(volume.id, quota);
  return quota;
}

Expected<std::vector<VolumeInfo>> VolumeStore::list(int64_t owner_id) {
  auto rows = db_.query(
      std::string("SELECT ") + kColumns + " FROM volumes WHERE owner_id = ? ORDER BY name",
      {owner_id});
  if (!rows) return rows.error();
  std::vector<VolumeInfo> out;
  for (const SqlRow& row : rows->rows) {
    VolumeInfo info = volume_from_row(row);
    auto q = quota(info);
    if (!q) return q.error();
    info.bytes = (*q)->used();
    UniqueFd fd(
        ::open(directory_of(info.id).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.ok()) scan_usage(fd.get(), &info.files);
    out.push_back(std::move(info));
  }
  return out;
}

Expected<VolumeInfo> VolumeStore::find(int64_t owner_id, std::string_view name) {
  auto info = find_row(owner_id, name);
  if (!info) return info;
  auto q = quota(*info);
  if (!q) return q.error();
  info->bytes = (*q)->used();
  return info;
}

Expected<VolumeInfo> VolumeStore::create(int64_t owner_id, std::string_view name,
                                         std::optional<uint64_t> quota_bytes) {
  if (!valid_volume_name(name)) {
    return make_error(std::string(ek::kInvalidArgument),
                      "bad volume name '" + std::string(name) +
                          "': 1-64 of letters, digits, '_', '.', '-', starting with a letter "
                          "or digit");
  }
  const uint64_t quota = quota_bytes.value_or(limits_.default_quota_bytes);
  if (quota == 0 || quota > limits_.max_quota_bytes) {
    return make_error(std::string(ek::kInvalidArgument),
                      "the quota must be between 1 and " +
                          std::to_string(limits_.max_quota_bytes >> 20) + " MiB");
  }
  VolumeInfo info;
  Status st = db_.transaction([&]() -> Status {
    auto count = db_.query("SELECT COUNT(*) FROM volumes WHERE owner_id = ?", {owner_id});
    if (!count) return count.error();
    if (static_cast<size_t>(count->rows.front().integer(0)) >= limits_.max_volumes_per_owner) {
      return make_error(std::string(ek::kQuotaExceeded),
                        "you have " + std::to_string(limits_.max_volumes_per_owner) +
                            " volumes, the most allowed: delete one first");
    }
    const int64_t now = now_unix_ms();
    auto inserted = db_.query(
        "INSERT INTO volumes (owner_id, name, quota_bytes, created_at) VALUES (?, ?, ?, ?)",
        {owner_id, std::string(name), static_cast<int64_t>(quota), now});
    if (!inserted) {
      if (inserted.error().kind == ek::kConflict) {
        return make_error(std::string(ek::kConflict),
                          "a volume named '" + std::string(name) + "' already exists");
      }
      return inserted.error();
    }
    info.id = inserted->last_insert_id;
    info.owner_id = owner_id;
    info.name = std::string(name);
    info.quota_bytes = quota;
    info.created_at_ms = now;
    return ok_status();
  });
  if (!st) return st.error();
  // A directory with this id can only be a leftover of a database restored from backup.
  remove_tree(directory_of(info.id));
  std::error_code ec;
  fs::create_directories(directory_of(info.id), ec);
  if (ec) {
    return make_error(std::string(ek::kStorage),
                      "cannot create the volume's directory: " + ec.message());
  }
  return info;
}

Status VolumeStore::remove(int64_t owner_id, std::string_view name) {
  auto info = find_row(owner_id, name);
  if (!info) return info.error();
  auto deleted = db_.query("DELETE FROM volumes WHERE id = ?", {info->id});
  if (!deleted) return deleted.error();
  {
    std::lock_guard lock(mutex_);
    quotas_.erase(info->id);
  }
  remove_tree(directory_of(info->id));
  return ok_status();
}

Expected<std::vector<VolumeFile>> VolumeStore::list_files(int64_t owner_id, std::string_view volume,
                                                          std::string_view prefix) {
  auto info = find_row(owner_id, volume);
  if (!info) return info.error();
  UniqueFd root(
      ::open(directory_of(info->id).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  std::vector<VolumeFile> out;
  if (!root.ok()) return out;
  walk(root.get(), "", 0, [&](const std::string& path, const struct stat& st) {
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) return;
    if (path.compare(0, prefix.size(), prefix) != 0) return;
    VolumeFile file;
    file.path = path;
    file.size = static_cast<uint64_t>(st.st_size);
    file.modified_at_ms = int64_t{st.st_mtim.tv_sec} * 1000 + int64_t{st.st_mtim.tv_nsec} / 1000000;
    file.symlink = S_ISLNK(st.st_mode);
    out.push_back(std::move(file));
  });
  std::sort(out.begin(), out.end(),
            [](const VolumeFile& a, const VolumeFile& b) { return a.path < b.path; });
  return out;
}

Expected<bool> VolumeStore::put_file(int64_t owner_id, std::string_view volume,
                                     std::string_view path, std::string_view bytes) {
  if (auto st = validate_volume_path(path); !st) return st.error();
  auto info = find_row(owner_id, volume);
  if (!info) return info.error();
  auto q = quota(*info);
  if (!q) return q.error();
  wasi::DiskQuota& budget = **q;
  if (bytes.size() > budget.limit()) {
    return make_error(std::string(ek::kQuotaExceeded), "the file (" + std::to_string(bytes.size()) +
                                                           " bytes) is larger than the " +
                                                           "quota of volume '" + info->name + "'");
  }
  const auto parts = split_components(path);
  auto parent = open_parent(directory_of(info->id), parts, /*create=*/true);
  if (!parent) return parent.error();

  // The bytes go to a temp file first, so readers (guests included) never see half a file.
  static std::atomic<uint64_t> counter{0};
  const std::string temp_name =
      std::to_string(info->id) + "." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  UniqueFd temp_dir(
      ::open((root_ / kTempDirName).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!temp_dir.ok()) return storage_error("cannot open the upload directory");
  {
    UniqueFd temp(::openat(temp_dir.get(), temp_name.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!temp.ok()) return storage_error("cannot create an upload file");
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(temp.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        auto error = storage_error("cannot write the upload");
        ::unlinkat(temp_dir.get(), temp_name.c_str(), 0);
        return error;
      }
      done += static_cast<size_t>(n);
    }
  }
  const char* name = parts.back().c_str();
  std::lock_guard lock(budget.resize_mutex());
  struct stat old_st;
  const bool existed = ::fstatat(parent->get(), name, &old_st, AT_SYMLINK_NOFOLLOW) == 0;
  if (existed && S_ISDIR(old_st.st_mode)) {
    ::unlinkat(temp_dir.get(), temp_name.c_str(), 0);
    return make_error(std::string(ek::kInvalidArgument),
                      "'" + std::string(path) + "' is a directory");
  }
  const uint64_t old_size = existed && S_ISREG(old_st.st_mode) && old_st.st_nlink == 1
                                ? static_cast<uint64_t>(old_st.st_size)
                                : 0;
  const uint64_t needed = bytes.size() > old_size ? bytes.size() - old_size : 0;
  if (!budget.try_charge(needed)) {
    ::unlinkat(temp_dir.get(), temp_name.c_str(), 0);
    return make_error(std::string(ek::kQuotaExceeded),
                      "volume '" + info->name + "' is full: " + std::to_string(budget.used()) +
                          " of " + std::to_string(budget.limit()) + " bytes used, the file needs " +
                          std::to_string(needed) + " more");
  }
  // Replaces a symlink itself, never its target.
  if (::renameat(temp_dir.get(), temp_name.c_str(), parent->get(), name) != 0) {
    auto error = storage_error("cannot store '" + std::string(path) + "'");
    budget.credit(needed);
    ::unlinkat(temp_dir.get(), temp_name.c_str(), 0);
    return error;
  }
  if (old_size > bytes.size()) budget.credit(old_size - bytes.size());
  return !existed;
}

Expected<std::string> VolumeStore::read_file(int64_t owner_id, std::string_view volume,
                                             std::string_view path) {
  if (auto st = validate_volume_path(path); !st) return st.error();
  auto info = find_row(owner_id, volume);
  if (!info) return info.error();
  const auto parts = split_components(path);
  auto parent = open_parent(directory_of(info->id), parts, /*create=*/false);
  if (!parent) return parent.error();
  const std::string missing = "no file '" + std::string(path) + "'";
  // O_NONBLOCK: a FIFO cannot make the server wait.
  UniqueFd file(::openat(parent->get(), parts.back().c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file.ok()) {
    if (errno == ELOOP) {
      return make_error(std::string(ek::kNotFound),
                        "'" + std::string(path) + "' is a symbolic link (never followed)");
    }
    if (errno == ENOENT || errno == ENOTDIR) return make_error(std::string(ek::kNotFound), missing);
    return storage_error("cannot open '" + std::string(path) + "'");
  }
  struct stat st;
  if (::fstat(file.get(), &st) != 0) return storage_error("cannot stat the file");
  if (!S_ISREG(st.st_mode)) return make_error(std::string(ek::kNotFound), missing);
  if (static_cast<uint64_t>(st.st_size) > limits_.max_read_bytes) {
    return make_error("too_large", "'" + std::string(path) + "' is larger than " +
                                       std::to_string(limits_.max_read_bytes) + " bytes");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(file.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("cannot read '" + std::string(path) + "'");
    if (n == 0) break;  // shrank meanwhile
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Status VolumeStore::delete_file(int64_t owner_id, std::string_view volume, std::string_view path) {
  if (auto st = validate_volume_path(path); !st) return st.error();
  auto info = find_row(owner_id, volume);
  if (!info) return info.error();
  auto q = quota(*info);
  if (!q) return q.error();
  const auto parts = split_components(path);
  auto parent = open_parent(directory_of(info->id), parts, /*create=*/false);
  if (!parent) return parent.error();
  const char* name = parts.back().c_str();
  std::lock_guard lock((*q)->resize_mutex());
  struct stat st;
  if (::fstatat(parent->get(), name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode)) {
    return make_error(std::string(ek::kNotFound), "no file '" + std::string(path) + "'");
  }
  const uint64_t freed =
      S_ISREG(st.st_mode) && st.st_nlink == 1 ? static_cast<uint64_t>(st.st_size) : 0;
  if (::unlinkat(parent->get(), name, 0) != 0) {
    if (errno == ENOENT) {
      return make_error(std::string(ek::kNotFound), "no file '" + std::string(path) + "'");
    }
    return storage_error("cannot delete '" + std::string(path) + "'");
  }
  (*q)->credit(freed);
  return ok_status();
}

Expected<std::vector<VolumePreopen>> VolumeStore::preopens(
    int64_t owner_id, const std::vector<capabilities::VolumeGrant>& grants) {
  std::vector<VolumePreopen> out;
  for (const capabilities::VolumeGrant& grant : grants) {
    auto info = find_row(owner_id, grant.volume);
    if (!info) {
      return make_error(std::string(ek::kNotFound), "volume '" + grant.volume + "' (granted at " +
                                                        grant.path + ") no longer exists");
    }
    auto q = quota(*info);
    if (!q) return q.error();
    VolumePreopen p;
    p.volume = info->name;
    p.host_path = directory_of(info->id).string();
    p.guest_path = grant.path;
    p.read_only = grant.access == capabilities::Access::kReadOnly;
    p.quota = std::move(*q);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace wa::platform
