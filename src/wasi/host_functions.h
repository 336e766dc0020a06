// The WASI preview1 functions as plain C++: one function per import, taking the
// Context and the raw guest arguments (pointers are guest offsets), returning an errno.
//
// wasi_exports.cc wraps each in the extern "C" symbol the wasm2c-generated code calls;
// unit tests call these directly. None of them traps or exits: proc_exit and the
// output cap are handled by the wrappers (see host_hooks.h).
#pragma once

#include <cstdint>

#include "wasi/context.h"
#include "wasi/wasi_types.h"

namespace wa::wasi {

using u32 = uint32_t;
using u64 = uint64_t;

// args / environ
Errno args_sizes_get(Context& ctx, u32 argc_ptr, u32 argv_buf_size_ptr);
Errno args_get(Context& ctx, u32 argv_ptr, u32 argv_buf_ptr);
Errno environ_sizes_get(Context& ctx, u32 count_ptr, u32 buf_size_ptr);
Errno environ_get(Context& ctx, u32 environ_ptr, u32 environ_buf_ptr);

// clocks, randomness, scheduling, signals
Errno clock_res_get(Context& ctx, u32 clock_id, u32 resolution_ptr);
Errno clock_time_get(Context& ctx, u32 clock_id, u64 precision, u32 time_ptr);
Errno random_get(Context& ctx, u32 buf, u32 buf_len);
Errno sched_yield(Context& ctx);
Errno proc_raise(Context& ctx, u32 signal);

// fd_*
Errno fd_advise(Context& ctx, u32 fd, u64 offset, u64 len, u32 advice);
Errno fd_allocate(Context& ctx, u32 fd, u64 offset, u64 len);
Errno fd_close(Context& ctx, u32 fd);
Errno fd_datasync(Context& ctx, u32 fd);
Errno fd_fdstat_get(Context& ctx, u32 fd, u32 stat_ptr);
Errno fd_fdstat_set_flags(Context& ctx, u32 fd, u32 flags);
Errno fd_fdstat_set_rights(Context& ctx, u32 fd, u64 base, u64 inheriting);
Errno fd_filestat_get(Context& ctx, u32 fd, u32 stat_ptr);
Errno fd_filestat_set_size(Context& ctx, u32 fd, u64 size);
Errno fd_filestat_set_times(Context& ctx, u32 fd, u64 atim, u64 mtim, u32 fstflags);
Errno fd_pread(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nread_ptr);
Errno fd_prestat_get(Context& ctx, u32 fd, u32 prestat_ptr);
Errno fd_prestat_dir_name(Context& ctx, u32 fd, u32 path, u32 path_len);
Errno fd_pwrite(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nwritten_ptr);
Errno fd_read(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u32 nread_ptr);
Errno fd_readdir(Context& ctx, u32 fd, u32 buf, u32 buf_len, u64 cookie, u32 bufused_ptr);
Errno fd_renumber(Context& ctx, u32 from, u32 to);
Errno fd_seek(Context& ctx, u32 fd, u64 offset, u32 whence, u32 newoffset_ptr);
Errno fd_sync(Context& ctx, u32 fd);
Errno fd_tell(Context& ctx, u32 fd, u32 offset_ptr);
Errno fd_write(Context& ctx, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_ptr);

// path_*
Errno path_create_directory(Context& ctx, u32 fd, u32 path, u32 path_len);
Errno path_filestat_get(Context& ctx, u32 fd, u32 flags, u32 path, u32 path_len, u32 stat_ptr);
Errno path_filestat_set_times(Context& ctx, u32 fd, u32 flags, u32 path, u32 path_len,
                              u64 atim, u64 mtim, u32 fstflags);
Errno path_link(Context& ctx, u32 old_fd, u32 old_flags, u32 old_path, u32 old_path_len,
                u32 new_fd, u32 new_path, u32 new_path_len);
Errno path_open(Context& ctx, u32 fd, u32 dirflags, u32 path, u32 path_len, u32 oflags,
                u64 rights_base, u64 rights_inheriting, u32 fdflags, u32 fd_ptr);
Errno path_readlink(Context& ctx, u32 fd, u32 path, u32 path_len, u32 buf, u32 buf_len,
                    u32 bufused_ptr);
Errno path_remove_directory(Context& ctx, u32 fd, u32 path, u32 path_len);
Errno path_rename(Context& ctx, u32 fd, u32 old_path, u32 old_path_len, u32 new_fd,
                  u32 new_path, u32 new_path_len);
Errno path_symlink(Context& ctx, u32 old_path, u32 old_path_len, u32 fd, u32 new_path,
                   u32 new_path_len);
Errno path_unlink_file(Context& ctx, u32 fd, u32 path, u32 path_len);

// poll_oneoff: clock timeouts and fd readiness.
Errno poll_oneoff(Context& ctx, u32 in, u32 out, u32 nsubscriptions, u32 nevents_ptr);

// sock_*: preview1 guests get no sockets; every fd is either unknown or not a socket.
Errno sock_accept(Context& ctx, u32 fd, u32 flags, u32 fd_ptr);
Errno sock_recv(Context& ctx, u32 fd, u32 ri_data, u32 ri_data_len, u32 ri_flags,
                u32 ro_datalen_ptr, u32 ro_flags_ptr);
Errno sock_send(Context& ctx, u32 fd, u32 si_data, u32 si_data_len, u32 si_flags,
                u32 so_datalen_ptr);
Errno sock_shutdown(Context& ctx, u32 fd, u32 how);

}  // namespace wa::wasi
