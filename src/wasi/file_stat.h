// Conversions between host file metadata (struct stat, timespec) and WASI's forms.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <cstdint>

#include "wasi/guest_memory.h"
#include "wasi/wasi_types.h"

namespace wa::wasi {

Filetype filetype_from_mode(mode_t mode);

// Writes a WASI filestat for `st` at guest address `ptr`; false when out of bounds.
bool store_filestat(const GuestMemory& memory, uint32_t ptr, const struct stat& st);

// A filestat for something that has no host file (buffered stdio).
bool store_empty_filestat(const GuestMemory& memory, uint32_t ptr, Filetype type);

// Turns fd/path_filestat_set_times arguments into utimensat()'s two timespecs;
// EINVAL when a time is given both explicitly and as "now", or unknown bits are set.
Errno timespecs_from_fstflags(uint64_t atim, uint64_t mtim, uint16_t fstflags,
                              struct timespec out[2]);

}  // namespace wa::wasi
