// The guest's file descriptor table: what each WASI fd refers to and what it may do.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wasi/disk_quota.h"
#include "wasi/wasi_types.h"

namespace wa::wasi {

// What kind of object a guest fd refers to. Stdio may be a host fd or a context buffer.
enum class FdKind : uint8_t { kStdin, kStdout, kStderr, kFile, kDirectory };

// One cached directory entry for fd_readdir.
struct DirEntry {
  uint64_t ino = 0;
  Filetype type = Filetype::kUnknown;
  std::string name;
};

// One open guest fd.
struct FdEntry {
  FdKind kind = FdKind::kFile;
  int host_fd = -1;          // -1 for buffered stdio
  bool owns_host_fd = true;  // false for the host's own stdio fds
  Filetype filetype = Filetype::kUnknown;
  Rights rights_base = 0;
  Rights rights_inheriting = 0;
  bool is_preopen = false;
  std::string preopen_name;           // guest path of a preopen, e.g. "/"
  std::vector<DirEntry> dir_listing;  // fd_readdir snapshot, refreshed at cookie 0
  bool dir_listing_valid = false;
  // The budget of the preopen this fd was opened beneath (inherited by path_open); null
  // when that directory has none.
  std::shared_ptr<DiskQuota> quota;

  FdEntry() = default;
  FdEntry(const FdEntry&) = delete;
  FdEntry& operator=(const FdEntry&) = delete;
  ~FdEntry();

  bool has(Rights rights) const { return (rights_base & rights) == rights; }
  bool is_stdio() const {
    return kind == FdKind::kStdin || kind == FdKind::kStdout || kind == FdKind::kStderr;
  }
};

// Fd number → entry. New fds take the lowest free number, like POSIX.
class FdTable {
 public:
  // An instance may hold at most this many fds: bounds host fd use per guest.
  static constexpr uint32_t kMaxFds = 1024;

  // nullptr when `fd` is not open.
  FdEntry* get(uint32_t fd);
  // Inserts at the lowest free number; EMFILE when the table is full.
  Errno insert(std::unique_ptr<FdEntry> entry, uint32_t& fd_out);
  // Places an entry at exactly `fd` (used while building the table).
  void insert_at(uint32_t fd, std::unique_ptr<FdEntry> entry);
  Errno close(uint32_t fd);
  // fd_renumber: `to` must be open; it is closed and `from` moves there.
  Errno renumber(uint32_t from, uint32_t to);

 private:
  void trim();  // drops closed slots at the end

  std::vector<std::unique_ptr<FdEntry>> entries_;
};

}  // namespace wa::wasi
