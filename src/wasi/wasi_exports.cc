// The extern "C" symbols wasm2c-generated guest code calls for each
// wasi_snapshot_preview1 import (`Z_wasi_snapshot_preview1Z_<name>`).
//
// Each wrapper brackets the real work with host_hooks().enter()/leave(). The work runs
// in a separate C++ function that has returned, destroying everything it created,
// before leave() runs: leave() may long-jump back into the engine when the deadline
// passed, and nothing with a destructor may be skipped. Likewise the output cap trap
// and proc_exit fire only from here, never from inside an implementation.
#include <cstdint>

#include "wasi/context.h"
#include "wasi/host_functions.h"
#include "wasi/host_hooks.h"

// The instance type the generated code declares; it is really a wa::wasi::Context.
struct Z_wasi_snapshot_preview1_instance_t;

namespace {

using u32 = uint32_t;
using u64 = uint64_t;
using Instance = Z_wasi_snapshot_preview1_instance_t;
using wa::wasi::host_hooks;

wa::wasi::Context& ctx(Instance* instance) {
  return *reinterpret_cast<wa::wasi::Context*>(instance);
}

u32 errno_value(wa::wasi::Errno e) { return static_cast<u32>(e); }

}  // namespace

extern "C" {

u32 Z_wasi_snapshot_preview1Z_args_get(Instance* instance, u32 argv_ptr, u32 argv_buf_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::args_get(ctx(instance), argv_ptr, argv_buf_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(Instance* instance, u32 argc_ptr, u32 argv_buf_size_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::args_sizes_get(ctx(instance), argc_ptr, argv_buf_size_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_clock_res_get(Instance* instance, u32 clock_id, u32 resolution_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::clock_res_get(ctx(instance), clock_id, resolution_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_clock_time_get(Instance* instance, u32 clock_id, u64 precision, u32 time_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::clock_time_get(ctx(instance), clock_id, precision, time_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_environ_get(Instance* instance, u32 environ_ptr, u32 environ_buf_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::environ_get(ctx(instance), environ_ptr, environ_buf_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(Instance* instance, u32 count_ptr, u32 buf_size_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::environ_sizes_get(ctx(instance), count_ptr, buf_size_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_advise(Instance* instance, u32 fd, u64 offset, u64 len, u32 advice) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_advise(ctx(instance), fd, offset, len, advice));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_allocate(Instance* instance, u32 fd, u64 offset, u64 len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_allocate(ctx(instance), fd, offset, len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(Instance* instance, u32 fd) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_close(ctx(instance), fd));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_datasync(Instance* instance, u32 fd) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_datasync(ctx(instance), fd));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(Instance* instance, u32 fd, u32 stat_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_fdstat_get(ctx(instance), fd, stat_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(Instance* instance, u32 fd, u32 flags) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_fdstat_set_flags(ctx(instance), fd, flags));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_rights(Instance* instance, u32 fd, u64 base, u64 inheriting) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_fdstat_set_rights(ctx(instance), fd, base, inheriting));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_filestat_get(Instance* instance, u32 fd, u32 stat_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_filestat_get(ctx(instance), fd, stat_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_filestat_set_size(Instance* instance, u32 fd, u64 size) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_filestat_set_size(ctx(instance), fd, size));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_filestat_set_times(Instance* instance, u32 fd, u64 atim, u64 mtim, u32 fstflags) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_filestat_set_times(ctx(instance), fd, atim, mtim, fstflags));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_pread(Instance* instance, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nread_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_pread(ctx(instance), fd, iovs, iovs_len, offset, nread_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(Instance* instance, u32 fd, u32 path, u32 path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_prestat_dir_name(ctx(instance), fd, path, path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(Instance* instance, u32 fd, u32 prestat_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_prestat_get(ctx(instance), fd, prestat_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_pwrite(Instance* instance, u32 fd, u32 iovs, u32 iovs_len, u64 offset, u32 nwritten_ptr) {
  host_hooks().enter();
  wa::wasi::Context& context = ctx(instance);
  u32 result = errno_value(wa::wasi::fd_pwrite(context, fd, iovs, iovs_len, offset, nwritten_ptr));
  if (context.output_limit_exceeded()) host_hooks().output_limit();
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_read(Instance* instance, u32 fd, u32 iovs, u32 iovs_len, u32 nread_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_read(ctx(instance), fd, iovs, iovs_len, nread_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_readdir(Instance* instance, u32 fd, u32 buf, u32 buf_len, u64 cookie, u32 bufused_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_readdir(ctx(instance), fd, buf, buf_len, cookie, bufused_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_renumber(Instance* instance, u32 from, u32 to) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_renumber(ctx(instance), from, to));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(Instance* instance, u32 fd, u64 offset, u32 whence, u32 newoffset_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_seek(ctx(instance), fd, offset, whence, newoffset_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_sync(Instance* instance, u32 fd) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_sync(ctx(instance), fd));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_tell(Instance* instance, u32 fd, u32 offset_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::fd_tell(ctx(instance), fd, offset_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(Instance* instance, u32 fd, u32 iovs, u32 iovs_len, u32 nwritten_ptr) {
  host_hooks().enter();
  wa::wasi::Context& context = ctx(instance);
  u32 result = errno_value(wa::wasi::fd_write(context, fd, iovs, iovs_len, nwritten_ptr));
  if (context.output_limit_exceeded()) host_hooks().output_limit();
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_create_directory(Instance* instance, u32 fd, u32 path, u32 path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_create_directory(ctx(instance), fd, path, path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_filestat_get(Instance* instance, u32 fd, u32 flags, u32 path, u32 path_len, u32 stat_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_filestat_get(ctx(instance), fd, flags, path, path_len, stat_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_filestat_set_times(Instance* instance, u32 fd, u32 flags, u32 path, u32 path_len, u64 atim, u64 mtim, u32 fstflags) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_filestat_set_times(ctx(instance), fd, flags, path, path_len, atim, mtim, fstflags));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_link(Instance* instance, u32 old_fd, u32 old_flags, u32 old_path, u32 old_path_len, u32 new_fd, u32 new_path, u32 new_path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_link(ctx(instance), old_fd, old_flags, old_path, old_path_len, new_fd, new_path, new_path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_open(Instance* instance, u32 fd, u32 dirflags, u32 path, u32 path_len, u32 oflags, u64 rights_base, u64 rights_inheriting, u32 fdflags, u32 fd_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_open(ctx(instance), fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_readlink(Instance* instance, u32 fd, u32 path, u32 path_len, u32 buf, u32 buf_len, u32 bufused_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_readlink(ctx(instance), fd, path, path_len, buf, buf_len, bufused_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_remove_directory(Instance* instance, u32 fd, u32 path, u32 path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_remove_directory(ctx(instance), fd, path, path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_rename(Instance* instance, u32 fd, u32 old_path, u32 old_path_len, u32 new_fd, u32 new_path, u32 new_path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_rename(ctx(instance), fd, old_path, old_path_len, new_fd, new_path, new_path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_symlink(Instance* instance, u32 old_path, u32 old_path_len, u32 fd, u32 new_path, u32 new_path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_symlink(ctx(instance), old_path, old_path_len, fd, new_path, new_path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_path_unlink_file(Instance* instance, u32 fd, u32 path, u32 path_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::path_unlink_file(ctx(instance), fd, path, path_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_poll_oneoff(Instance* instance, u32 in, u32 out, u32 nsubscriptions, u32 nevents_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::poll_oneoff(ctx(instance), in, out, nsubscriptions, nevents_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_proc_raise(Instance* instance, u32 signal) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::proc_raise(ctx(instance), signal));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_random_get(Instance* instance, u32 buf, u32 buf_len) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::random_get(ctx(instance), buf, buf_len));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_sched_yield(Instance* instance) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::sched_yield(ctx(instance)));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_sock_accept(Instance* instance, u32 fd, u32 flags, u32 fd_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::sock_accept(ctx(instance), fd, flags, fd_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_sock_recv(Instance* instance, u32 fd, u32 ri_data, u32 ri_data_len, u32 ri_flags, u32 ro_datalen_ptr, u32 ro_flags_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::sock_recv(ctx(instance), fd, ri_data, ri_data_len, ri_flags, ro_datalen_ptr, ro_flags_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_sock_send(Instance* instance, u32 fd, u32 si_data, u32 si_data_len, u32 si_flags, u32 so_datalen_ptr) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::sock_send(ctx(instance), fd, si_data, si_data_len, si_flags, so_datalen_ptr));
  host_hooks().leave();
  return result;
}

u32 Z_wasi_snapshot_preview1Z_sock_shutdown(Instance* instance, u32 fd, u32 how) {
  host_hooks().enter();
  u32 result = errno_value(wa::wasi::sock_shutdown(ctx(instance), fd, how));
  host_hooks().leave();
  return result;
}

void Z_wasi_snapshot_preview1Z_proc_exit(Instance* instance, u32 code) {
  host_hooks().enter();
  host_hooks().exit(code);
}

}  // extern "C"
