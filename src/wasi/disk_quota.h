// DiskQuota: the byte budget of one mapped directory (a developer's volume), shared by
// every guest call that maps it and by the platform's own uploads into it.
//
// What it counts is the logical size (st_size) of the regular files under the directory,
// each inode once: a sparse file counts at its full size, so a guest cannot make the
// host's disk hold more than the budget by seeking far and writing one byte.
//
// Header-only so that the platform layer can share one with the guests' preopens without
// linking the WASI host functions.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>

namespace wa::wasi {

class DiskQuota {
 public:
  DiskQuota(uint64_t limit_bytes, uint64_t used_bytes) : limit_(limit_bytes), used_(used_bytes) {}
  DiskQuota(const DiskQuota&) = delete;
  DiskQuota& operator=(const DiskQuota&) = delete;

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }

  // Adds `bytes` unless that would pass the limit (then nothing changes). Safe to race.
  bool try_charge(uint64_t bytes) {
    uint64_t current = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ || current > limit_ - bytes) return false;
    } while (!used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
    return true;
  }

  // Adds bytes that are already on disk (a size change measured after the fact).
  void charge(uint64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }

  // Gives bytes back (never below zero: a miscount must not wrap into "full").
  void credit(uint64_t bytes) {
    uint64_t current = used_.load(std::memory_order_relaxed);
    while (!used_.compare_exchange_weak(current, current > bytes ? current - bytes : 0,
                                        std::memory_order_relaxed)) {
    }
  }

  // Held around "measure the file, change it, measure again" so that the size change a
  // call charges is exactly the one it made, even with other writers of the same files
  // (two fds of one file, another call mapping the same volume, an upload replacing it).
  std::mutex& resize_mutex() { return resize_mutex_; }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> used_;
  std::mutex resize_mutex_;
};

}  // namespace wa::wasi
