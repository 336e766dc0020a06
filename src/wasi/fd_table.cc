#include "wasi/fd_table.h"

#include <unistd.h>

namespace wa::wasi {

FdEntry::~FdEntry() {
  if (host_fd >= 0 && owns_host_fd) ::close(host_fd);
}

FdEntry* FdTable::get(uint32_t fd) {
  return fd < entries_.size() ? entries_[fd].get() : nullptr;
}

Errno FdTable::insert(std::unique_ptr<FdEntry> entry, uint32_t& fd_out) {
  for (uint32_t fd = 0; fd < entries_.size(); ++fd) {
    if (!entries_[fd]) {
      entries_[fd] = std::move(entry);
      fd_out = fd;
      return Errno::kSuccess;
    }
  }
  if (entries_.size() >= kMaxFds) return Errno::kMfile;
  fd_out = static_cast<uint32_t>(entries_.size());
  entries_.push_back(std::move(entry));
  return Errno::kSuccess;
}

void FdTable::insert_at(uint32_t fd, std::unique_ptr<FdEntry> entry) {
  if (entries_.size() <= fd) entries_.resize(fd + 1);
  entries_[fd] = std::move(entry);
}

Errno FdTable::close(uint32_t fd) {
  if (get(fd) == nullptr) return Errno::kBadf;
  entries_[fd].reset();
  trim();
  return Errno::kSuccess;
}

void FdTable::trim() {
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  if (get(from) == nullptr || get(to) == nullptr) return Errno::kBadf;
  if (from == to) return Errno::kSuccess;
  entries_[to] = std::move(entries_[from]);
  trim();
  return Errno::kSuccess;
}

}  // namespace wa::wasi
