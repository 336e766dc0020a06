// args_* and environ_*: NUL-terminated strings packed into one guest buffer, plus an
// array of guest pointers into it.
#include <string>
#include <vector>

#include "wasi/guest_memory.h"
#include "wasi/host_functions.h"

namespace wa::wasi {
namespace {

std::vector<std::string> environ_strings(const Context& ctx) {
  std::vector<std::string> out;
  out.reserve(ctx.config().env.size());
  for (const auto& [key, value] : ctx.config().env) out.push_back(key + "=" + value);
  return out;
}

Errno store_sizes(Context& ctx, const std::vector<std::string>& strings, u32 count_ptr,
                  u32 size_ptr) {
  uint64_t bytes = 0;
  for (const std::string& s : strings) bytes += s.size() + 1;
  if (bytes > UINT32_MAX) return Errno::kOverflow;
  GuestMemory memory(ctx.memory());
  if (!memory.store<uint32_t>(count_ptr, static_cast<uint32_t>(strings.size())) ||
      !memory.store<uint32_t>(size_ptr, static_cast<uint32_t>(bytes))) {
    return Errno::kFault;
  }
  return Errno::kSuccess;
}

Errno store_strings(Context& ctx, const std::vector<std::string>& strings, u32 pointers,
                    u32 buffer) {
  GuestMemory memory(ctx.memory());
  uint64_t offset = buffer;
  for (size_t i = 0; i < strings.size(); ++i) {
    const std::string& s = strings[i];
    if (offset + s.size() + 1 > UINT32_MAX ||
        !memory.store<uint32_t>(pointers + static_cast<u32>(i * 4), static_cast<u32>(offset)) ||
        !memory.write(static_cast<u32>(offset), s.c_str(), s.size() + 1)) {
      return Errno::kFault;
    }
    offset += s.size() + 1;
  }
  return Errno::kSuccess;
}

}  // namespace

Errno args_sizes_get(Context& ctx, u32 argc_ptr, u32 argv_buf_size_ptr) {
  return store_sizes(ctx, ctx.config().args, argc_ptr, argv_buf_size_ptr);
}

Errno args_get(Context& ctx, u32 argv_ptr, u32 argv_buf_ptr) {
  return store_strings(ctx, ctx.config().args, argv_ptr, argv_buf_ptr);
}

Errno environ_sizes_get(Context& ctx, u32 count_ptr, u32 buf_size_ptr) {
  return store_sizes(ctx, environ_strings(ctx), count_ptr, buf_size_ptr);
}

Errno environ_get(Context& ctx, u32 environ_ptr, u32 environ_buf_ptr) {
  return store_strings(ctx, environ_strings(ctx), environ_ptr, environ_buf_ptr);
}

}  // namespace wa::wasi
