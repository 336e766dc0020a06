// A bounds-checked view of the guest's linear memory.
//
// Every guest pointer is checked against the memory's current size before use, so a
// host function never faults on guest memory; a bad pointer becomes EFAULT. The view
// re-reads data/size from the wasm_rt_memory_t on each access because memory.grow may
// move or extend it between calls. Guest data is little-endian and unaligned: memcpy.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include <wasm-rt.h>

namespace wa::wasi {

class GuestMemory {
 public:
  explicit GuestMemory(wasm_rt_memory_t* memory) : memory_(memory) {}

  // True when [offset, offset + length) lies inside the memory.
  bool contains(uint32_t offset, uint64_t length) const {
    return memory_ != nullptr && uint64_t{offset} + length <= memory_->size;
  }

  // Pointer to `length` guest bytes at `offset`, or nullptr when out of bounds.
  uint8_t* bytes(uint32_t offset, uint64_t length) const {
    return contains(offset, length) ? memory_->data + offset : nullptr;
  }

  template <typename T>
  bool load(uint32_t offset, T& value) const {
    const uint8_t* p = bytes(offset, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(&value, p, sizeof(T));
    return true;
  }

  template <typename T>
  bool store(uint32_t offset, T value) const {
    uint8_t* p = bytes(offset, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &value, sizeof(T));
    return true;
  }

  bool write(uint32_t offset, const void* data, uint64_t length) const {
    uint8_t* p = bytes(offset, length);
    if (p == nullptr) return false;
    if (length != 0) std::memcpy(p, data, length);
    return true;
  }

  // A guest string (not NUL-terminated) as a view into guest memory.
  bool string(uint32_t offset, uint32_t length, std::string_view& out) const {
    const uint8_t* p = bytes(offset, length);
    if (p == nullptr) return false;
    out = std::string_view(reinterpret_cast<const char*>(p), length);
    return true;
  }

 private:
  wasm_rt_memory_t* memory_;
};

}  // namespace wa::wasi
