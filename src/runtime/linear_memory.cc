#include "runtime/linear_memory.h"

#include <sys/mman.h>

#include <atomic>
#include <cstring>

namespace wa::runtime {

namespace {

std::atomic<unsigned> g_pool_capacity{4};
std::atomic<uint64_t> g_mapped{0};

struct PooledMemory {
  uint8_t* base;
  uint64_t accessible_bytes;  // still read-write (already zeroed)
};

// Trivially destructible on purpose: the thread's exit handler releases it, and must
// not run after a thread_local destructor has already torn it down.
constexpr unsigned kMaxPoolCapacity = 64;
thread_local PooledMemory t_pool[kMaxPoolCapacity];
thread_local unsigned t_pool_size = 0;

constexpr uint64_t kSystemPage = 4096;
// Below this many resident bytes, zeroing with memset beats madvise: madvise in a
// multi-threaded process costs TLB-shootdown IPIs, and the dropped pages fault back
// in on the next call. Above it, madvise also gives the RAM back.
constexpr uint64_t kMemsetResidentLimit = 1ull << 20;
// Larger memories are not scanned for resident pages at all.
constexpr uint64_t kResidencyScanLimit = 64ull << 20;

thread_local unsigned char t_residency[kResidencyScanLimit / kSystemPage];

// Zeroes [0, bytes) of a memory, keeping its pages mapped when few were touched.
void zero_memory(uint8_t* base, uint64_t bytes) {
  if (bytes == 0) return;
  uint64_t pages = bytes / kSystemPage;
  if (bytes <= kResidencyScanLimit && mincore(base, bytes, t_residency) == 0) {
    uint64_t resident = 0;
    for (uint64_t i = 0; i < pages; ++i) resident += t_residency[i] & 1;
    if (resident * kSystemPage <= kMemsetResidentLimit) {
      for (uint64_t i = 0; i < pages; ++i)
        if (t_residency[i] & 1) std::memset(base + i * kSystemPage, 0, kSystemPage);
      return;
    }
  }
  madvise(base, bytes, MADV_DONTNEED);
}

uint8_t* reserve() {
  void* addr = mmap(nullptr, kMemoryReservationBytes, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (addr == MAP_FAILED) return nullptr;
  g_mapped.fetch_add(1, std::memory_order_relaxed);
  return static_cast<uint8_t*>(addr);
}

void unreserve(uint8_t* base) {
  munmap(base, kMemoryReservationBytes);
  g_mapped.fetch_sub(1, std::memory_order_relaxed);
}

// Sets exactly [0, bytes) read-write, given that [0, current) is read-write now.
bool set_accessible(uint8_t* base, uint64_t current, uint64_t bytes) {
  if (bytes > current)
    return mprotect(base + current, bytes - current, PROT_READ | PROT_WRITE) == 0;
  if (bytes < current) return mprotect(base + bytes, current - bytes, PROT_NONE) == 0;
  return true;
}

}  // namespace

LinearMemory acquire_linear_memory(uint64_t bytes) {
  PooledMemory pooled{nullptr, 0};
  if (t_pool_size > 0) {
    pooled = t_pool[--t_pool_size];
  } else {
    pooled.base = reserve();
    if (!pooled.base) return {};
  }
  if (!set_accessible(pooled.base, pooled.accessible_bytes, bytes)) {
    unreserve(pooled.base);
    return {};
  }
  return LinearMemory{pooled.base, bytes};
}

bool extend_linear_memory(LinearMemory& memory, uint64_t new_bytes) {
  if (!set_accessible(memory.base, memory.accessible_bytes, new_bytes)) return false;
  memory.accessible_bytes = new_bytes;
  return true;
}

void release_linear_memory(LinearMemory memory) {
  if (!memory.base) return;
  if (t_pool_size >= g_pool_capacity.load(std::memory_order_relaxed)) {
    unreserve(memory.base);
    return;
  }
  // The pages stay read-write so the next call of the same size needs no mprotect.
  zero_memory(memory.base, memory.accessible_bytes);
  t_pool[t_pool_size++] = {memory.base, memory.accessible_bytes};
}

void set_memory_pool_capacity(unsigned per_thread) {
  g_pool_capacity = per_thread < kMaxPoolCapacity ? per_thread : kMaxPoolCapacity;
}

void release_thread_memory_pool() {
  while (t_pool_size > 0) unreserve(t_pool[--t_pool_size].base);
}

uint64_t mapped_linear_memories() { return g_mapped.load(std::memory_order_relaxed); }

}  // namespace wa::runtime
