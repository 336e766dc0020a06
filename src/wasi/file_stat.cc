#include "wasi/file_stat.h"

namespace wa::wasi {
namespace {

constexpr uint64_t kNanosPerSecond = 1'000'000'000ull;

uint64_t nanos(const struct timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * kNanosPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

struct timespec timespec_from_nanos(uint64_t ns) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / kNanosPerSecond);
  ts.tv_nsec = static_cast<long>(ns % kNanosPerSecond);
  return ts;
}

Errno one_time(uint64_t value, bool set, bool now, struct timespec& out) {
  if (set && now) return Errno::kInval;
  if (now) {
    out.tv_sec = 0;
    out.tv_nsec = UTIME_NOW;
  } else if (set) {
    out = timespec_from_nanos(value);
  } else {
    out.tv_sec = 0;
    out.tv_nsec = UTIME_OMIT;
  }
  return Errno::kSuccess;
}

}  // namespace

Filetype filetype_from_mode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return Filetype::kRegularFile;
    case S_IFDIR: return Filetype::kDirectory;
    case S_IFLNK: return Filetype::kSymbolicLink;
    case S_IFCHR: return Filetype::kCharacterDevice;
    case S_IFBLK: return Filetype::kBlockDevice;
    case S_IFSOCK: return Filetype::kSocketStream;
    default: return Filetype::kUnknown;  // FIFOs have no WASI filetype
  }
}

bool store_filestat(const GuestMemory& memory, uint32_t ptr, const struct stat& st) {
  using namespace layout;
  uint8_t* out = memory.bytes(ptr, kFilestatSize);
  if (out == nullptr) return false;
  return memory.store<uint64_t>(ptr + kFilestatDev, st.st_dev) &&
         memory.store<uint64_t>(ptr + kFilestatIno, st.st_ino) &&
         memory.store<uint64_t>(ptr + kFilestatFiletype, 0) &&  // clears the padding too
         memory.store<uint8_t>(ptr + kFilestatFiletype,
                               static_cast<uint8_t>(filetype_from_mode(st.st_mode))) &&
         memory.store<uint64_t>(ptr + kFilestatNlink, st.st_nlink) &&
         memory.store<uint64_t>(ptr + kFilestatSize_, static_cast<uint64_t>(st.st_size)) &&
         memory.store<uint64_t>(ptr + kFilestatAtim, nanos(st.st_atim)) &&
         memory.store<uint64_t>(ptr + kFilestatMtim, nanos(st.st_mtim)) &&
         memory.store<uint64_t>(ptr + kFilestatCtim, nanos(st.st_ctim));
}

bool store_empty_filestat(const GuestMemory& memory, uint32_t ptr, Filetype type) {
  uint8_t zeros[layout::kFilestatSize] = {};
  zeros[layout::kFilestatFiletype] = static_cast<uint8_t>(type);
  return memory.write(ptr, zeros, sizeof(zeros));
}

Errno timespecs_from_fstflags(uint64_t atim, uint64_t mtim, uint16_t fstflags,
                              struct timespec out[2]) {
  constexpr uint16_t kKnown = kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow;
  if ((fstflags & ~kKnown) != 0) return Errno::kInval;
  if (Errno e = one_time(atim, fstflags & kFstAtim, fstflags & kFstAtimNow, out[0]);
      e != Errno::kSuccess) {
    return e;
  }
  return one_time(mtim, fstflags & kFstMtim, fstflags & kFstMtimNow, out[1]);
}

}  // namespace wa::wasi
