// VolumeStore: developers' named volumes, directories on local disk that actions can be
// granted (mapped into the guest as WASI preopens) and that the REST API uploads to.
//
// Rows live in the metadata database (`volumes`: owner, name, quota); files under
// `<root>/<volume id>/`, named by id so that a volume deleted and created again never
// sees the old files. A deleted volume's directory goes at once; one whose removal was
// interrupted (crash) goes at the next open, like any directory without a row.
//
// Every file operation here is made against directory fds opened one component at a
// time with O_NOFOLLOW: a guest with read-write access can put symlinks into its volume
// (to /etc/passwd, to a directory outside), and none of them is ever followed — reads,
// writes, deletes and listings all refuse or list the link itself.
//
// Usage: each volume has one wasi::DiskQuota (bytes of its regular files, computed by a
// scan at first use), shared by every call that maps it and by the uploads here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capabilities/grants.h"
#include "platform/database.h"
#include "support/expected.h"
#include "wasi/disk_quota.h"

namespace wa::platform {

struct VolumeLimits {
  uint64_t default_quota_bytes = 256ull << 20;  // a new volume's quota when none is asked
  uint64_t max_quota_bytes = 4096ull << 20;     // the most a volume may ask for
  size_t max_volumes_per_owner = 16;
  uint64_t max_read_bytes = 64ull << 20;  // read_file of a bigger file is too_large
};

struct VolumeInfo {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string name;  // 1-64 of [A-Za-z0-9_.-], starting with a letter or digit
  uint64_t quota_bytes = 0;
  uint64_t bytes = 0;  // what the quota counts now (list() and find() fill it)
  uint64_t files = 0;  // regular files (list() fills it)
  int64_t created_at_ms = 0;
};

struct VolumeFile {
  std::string path;  // relative to the volume, '/'-separated
  uint64_t size = 0;
  int64_t modified_at_ms = 0;
  bool symlink = false;  // listed, never followed
};

// One volume as a guest call maps it (the platform turns it into a wasi::Preopen).
struct VolumePreopen {
  std::string volume;
  std::string host_path;
  std::string guest_path;
  bool read_only = true;
  std::shared_ptr<wasi::DiskQuota> quota;
};

bool valid_volume_name(std::string_view name);
// A file path inside a volume as the REST API takes it: non-empty, relative, no `.` or
// `..` or empty components, no NUL or backslash, components of at most 255 bytes, at most
// 1024 bytes in all. invalid_argument naming the problem.
Status validate_volume_path(std::string_view path);

class VolumeStore {
 public:
  // Creates `root` if needed and removes what a previous process left there: directories
  // of volumes with no row, unfinished uploads.
  static Expected<std::unique_ptr<VolumeStore>> open(Database& db, std::filesystem::path root,
                                                     VolumeLimits limits);

  Expected<std::vector<VolumeInfo>> list(int64_t owner_id);
  // conflict if it exists; invalid_argument for a bad name or a quota above the max (or
  // zero); quota_exceeded past max_volumes_per_owner.
  Expected<VolumeInfo> create(int64_t owner_id, std::string_view name,
                              std::optional<uint64_t> quota_bytes = std::nullopt);
  // Deletes the row and the files. not_found if absent.
  Status remove(int64_t owner_id, std::string_view name);
  Expected<VolumeInfo> find(int64_t owner_id, std::string_view name);

  // Regular files and symlinks whose path starts with `prefix`, by path; never descends
  // into a symlink.
  Expected<std::vector<VolumeFile>> list_files(int64_t owner_id, std::string_view volume,
                                               std::string_view prefix);
  // Atomic (temp file + rename; parents created). Returns true when the file is new.
  // quota_exceeded when it does not fit; invalid_argument for a bad path, a directory in
  // the way or a symlink on the way.
  Expected<bool> put_file(int64_t owner_id, std::string_view volume, std::string_view path,
                          std::string_view bytes);
  // not_found for a missing file, a directory or a symlink; too_large past max_read_bytes.
  Expected<std::string> read_file(int64_t owner_id, std::string_view volume, std::string_view path);
  // Removes a file (or a symlink itself); not_found if absent or a directory.
  Status delete_file(int64_t owner_id, std::string_view volume, std::string_view path);

  // The preopens of a call from its grants; not_found naming a volume that no longer
  // exists.
  Expected<std::vector<VolumePreopen>> preopens(
      int64_t owner_id, const std::vector<capabilities::VolumeGrant>& grants);

  // The budget of a volume (scanned at first use).
  Expected<std::shared_ptr<wasi::DiskQuota>> quota(const VolumeInfo& volume);
  std::filesystem::path directory_of(int64_t volume_id) const;
  const VolumeLimits& limits() const { return limits_; }

 private:
  VolumeStore(Database& db, std::filesystem::path root, VolumeLimits limits);
  Expected<VolumeInfo> find_row(int64_t owner_id, std::string_view name);
  void sweep_orphans();

  Database& db_;
  const std::filesystem::path root_;
  const VolumeLimits limits_;
  std::mutex mutex_;  // guards quotas_ and the first scan of a volume
  std::unordered_map<int64_t, std::shared_ptr<wasi::DiskQuota>> quotas_;
};

}  // namespace wa::platform
