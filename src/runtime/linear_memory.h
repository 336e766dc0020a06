// Guard-page linear memories, recycled per thread.
//
// Each memory reserves 8 GiB of address space with no access rights: wasm2c's
// signal-handler bounds checking relies on every 32-bit address plus 32-bit offset
// landing inside the reservation, so an access beyond the accessible prefix faults
// and becomes an out-of-bounds trap. Memories are reused across calls on the same
// thread (pages dropped with madvise, no mmap/munmap per request: the mmap lock is
// what kept a per-call mmap design from scaling across threads).
#pragma once

#include <cstddef>
#include <cstdint>

namespace wa::runtime {

inline constexpr uint64_t kWasmPageBytes = 65536;
inline constexpr uint64_t kMemoryReservationBytes = 8ull << 30;

struct LinearMemory {
  uint8_t* base = nullptr;
  uint64_t accessible_bytes = 0;  // read-write prefix; the rest faults
};

// Takes a memory from this thread's pool (or maps a new one) with `bytes` accessible
// and zeroed. Returns {nullptr, 0} if the address space is exhausted.
LinearMemory acquire_linear_memory(uint64_t bytes);
// Makes more of the memory accessible (grow). Returns false if the kernel refuses.
bool extend_linear_memory(LinearMemory& memory, uint64_t new_bytes);
// Zeroes the memory and returns it to this thread's pool (or unmaps it if full).
void release_linear_memory(LinearMemory memory);

void set_memory_pool_capacity(unsigned per_thread);
// Unmaps this thread's pooled memories (thread exit).
void release_thread_memory_pool();

// Number of reservations currently mapped by the process (for leak tests).
uint64_t mapped_linear_memories();

}  // namespace wa::runtime
