// Translation of host (Linux) errno values into WASI errno codes.
#pragma once

#include "wasi/wasi_types.h"

namespace wa::wasi {

// Maps a Linux errno to its WASI counterpart; unknown values become kIo.
Errno errno_from_host(int host_errno);

// The current thread's errno, translated.
Errno last_host_errno();

}  // namespace wa::wasi
