// The extern "C" symbols wasm2c-generated guest code calls for each
// wasi_snapshot_preview1 import (`Z_wasi_snapshot_preview1Z_<name>`), declared in
// wasi_exports.h. Each runs its implementation through host_call (host_call.h), which
// brackets it for the engine and keeps exceptions from reaching guest code; proc_exit
// ends the guest from here, never from inside an implementation.
#include "wasi/wasi_exports.h"

#include <cstdint>

#include "wasi/host_call.h"
#include "wasi/host_functions.h"
#include "wasi/host_hooks.h"

namespace {

using u32 = uint32_t;
using u64 = uint64_t;
using Instance = Z_wasi_snapshot_preview1_instance_t;
using wa::wasi::host_call;
using wa::wasi::host_hooks;

}  // namespace

extern "C" {

u32 Z_wasi_snapshot_preview1Z_args_get(Instance* instance, u32 argv_ptr, u32 argv_buf_ptr) {
  return host_call<wa::wasi::args_get>("args_get", instance, argv_ptr, argv_buf_ptr);
}

u32 Z_wasi_snapshot_preview1Z_args_sizes_get(Instance* instance, u32 argc_ptr,
                                             u32 argv_buf_size_ptr) {
  return host_call<wa::wasi::args_sizes_get>("args_sizes_get", instance, argc_ptr,
                                             argv_buf_size_ptr);
}

u32 Z_wasi_snapshot_preview1Z_clock_res_get(Instance* instance, u32 clock_id, u32 resolution_ptr) {
  return host_call<wa::wasi::clock_res_get>("clock_res_get", instance, clock_id, resolution_ptr);
}

u32 Z_wasi_snapshot_preview1Z_clock_time_get(Instance* instance, u32 clock_id, u64 precision,
                                             u32 time_ptr) {
  return host_call<wa::wasi::clock_time_get>("clock_time_get", instance, clock_id, precision,
                                             time_ptr);
}

u32 Z_wasi_snapshot_preview1Z_environ_get(Instance* instance, u32 environ_ptr,
                                          u32 environ_buf_ptr) {
  return host_call<wa::wasi::environ_get>("environ_get", instance, environ_ptr, environ_buf_ptr);
}

u32 Z_wasi_snapshot_preview1Z_environ_sizes_get(Instance* instance, u32 count_ptr,
                                                u32 buf_size_ptr) {
  return host_call<wa::wasi::environ_sizes_get>("environ_sizes_get", instance, count_ptr,
                                                buf_size_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_advise(Instance* instance, u32 fd, u64 offset, u64 len,
                                        u32 advice) {
  return host_call<wa::wasi::fd_advise>("fd_advise", instance, fd, offset, len, advice);
}

u32 Z_wasi_snapshot_preview1Z_fd_allocate(Instance* instance, u32 fd, u64 offset, u64 len) {
  return host_call<wa::wasi::fd_allocate>("fd_allocate", instance, fd, offset, len);
}

u32 Z_wasi_snapshot_preview1Z_fd_close(Instance* instance, u32 fd) {
  return host_call<wa::wasi::fd_close>("fd_close", instance, fd);
}

u32 Z_wasi_snapshot_preview1Z_fd_datasync(Instance* instance, u32 fd) {
  return host_call<wa::wasi::fd_datasync>("fd_datasync", instance, fd);
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_get(Instance* instance, u32 fd, u32 stat_ptr) {
  return host_call<wa::wasi::fd_fdstat_get>("fd_fdstat_get", instance, fd, stat_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(Instance* instance, u32 fd, u32 flags) {
  return host_call<wa::wasi::fd_fdstat_set_flags>("fd_fdstat_set_flags", instance, fd, flags);
}

u32 Z_wasi_snapshot_preview1Z_fd_fdstat_set_rights(Instance* instance, u32 fd, u64 base,
                                                   u64 inheriting) {
  return host_call<wa::wasi::fd_fdstat_set_rights>("fd_fdstat_set_rights", instance, fd, base,
                                                   inheriting);
}

u32 Z_wasi_snapshot_preview1Z_fd_filestat_get(Instance* instance, u32 fd, u32 stat_ptr) {
  return host_call<wa::wasi::fd_filestat_get>("fd_filestat_get", instance, fd, stat_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_filestat_set_size(Instance* instance, u32 fd, u64 size) {
  return host_call<wa::wasi::fd_filestat_set_size>("fd_filestat_set_size", instance, fd, size);
}

u32 Z_wasi_snapshot_preview1Z_fd_filestat_set_times(Instance* instance, u32 fd, u64 atim, u64 mtim,
                                                    u32 fstflags) {
  return host_call<wa::wasi::fd_filestat_set_times>("fd_filestat_set_times", instance, fd, atim,
                                                    mtim, fstflags);
}

u32 Z_wasi_snapshot_preview1Z_fd_pread(Instance* instance, u32 fd, u32 iovs, u32 iovs_len,
                                       u64 offset, u32 nread_ptr) {
  return host_call<wa::wasi::fd_pread>("fd_pread", instance, fd, iovs, iovs_len, offset, nread_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(Instance* instance, u32 fd, u32 path,
                                                  u32 path_len) {
  return host_call<wa::wasi::fd_prestat_dir_name>("fd_prestat_dir_name", instance, fd, path,
                                                  path_len);
}

u32 Z_wasi_snapshot_preview1Z_fd_prestat_get(Instance* instance, u32 fd, u32 prestat_ptr) {
  return host_call<wa::wasi::fd_prestat_get>("fd_prestat_get", instance, fd, prestat_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_pwrite(Instance* instance, u32 fd, u32 iovs, u32 iovs_len,
                                        u64 offset, u32 nwritten_ptr) {
  return host_call<wa::wasi::fd_pwrite>("fd_pwrite", instance, fd, iovs, iovs_len, offset,
                                        nwritten_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_read(Instance* instance, u32 fd, u32 iovs, u32 iovs_len,
                                      u32 nread_ptr) {
  return host_call<wa::wasi::fd_read>("fd_read", instance, fd, iovs, iovs_len, nread_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_readdir(Instance* instance, u32 fd, u32 buf, u32 buf_len,
                                         u64 cookie, u32 bufused_ptr) {
  return host_call<wa::wasi::fd_readdir>("fd_readdir", instance, fd, buf, buf_len, cookie,
                                         bufused_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_renumber(Instance* instance, u32 from, u32 to) {
  return host_call<wa::wasi::fd_renumber>("fd_renumber", instance, from, to);
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(Instance* instance, u32 fd, u64 offset, u32 whence,
                                      u32 newoffset_ptr) {
  return host_call<wa::wasi::fd_seek>("fd_seek", instance, fd, offset, whence, newoffset_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_sync(Instance* instance, u32 fd) {
  return host_call<wa::wasi::fd_sync>("fd_sync", instance, fd);
}

u32 Z_wasi_snapshot_preview1Z_fd_tell(Instance* instance, u32 fd, u32 offset_ptr) {
  return host_call<wa::wasi::fd_tell>("fd_tell", instance, fd, offset_ptr);
}

u32 Z_wasi_snapshot_preview1Z_fd_write(Instance* instance, u32 fd, u32 iovs, u32 iovs_len,
                                       u32 nwritten_ptr) {
  return host_call<wa::wasi::fd_write>("fd_write", instance, fd, iovs, iovs_len, nwritten_ptr);
}

u32 Z_wasi_snapshot_preview1Z_path_create_directory(Instance* instance, u32 fd, u32 path,
                                                    u32 path_len) {
  return host_call<wa::wasi::path_create_directory>("path_create_directory", instance, fd, path,
                                                    path_len);
}

u32 Z_wasi_snapshot_preview1Z_path_filestat_get(Instance* instance, u32 fd, u32 flags, u32 path,
                                                u32 path_len, u32 stat_ptr) {
  return host_call<wa::wasi::path_filestat_get>("path_filestat_get", instance, fd, flags, path,
                                                path_len, stat_ptr);
}

u32 Z_wasi_snapshot_preview1Z_path_filestat_set_times(Instance* instance, u32 fd, u32 flags,
                                                      u32 path, u32 path_len, u64 atim, u64 mtim,
                                                      u32 fstflags) {
  return host_call<wa::wasi::path_filestat_set_times>("path_filestat_set_times", instance, fd,
                                                      flags, path, path_len, atim, mtim, fstflags);
}

u32 Z_wasi_snapshot_preview1Z_path_link(Instance* instance, u32 old_fd, u32 old_flags, u32 old_path,
                                        u32 old_path_len, u32 new_fd, u32 new_path,
                                        u32 new_path_len) {
  return host_call<wa::wasi::path_link>("path_link", instance, old_fd, old_flags, old_path,
                                        old_path_len, new_fd, new_path, new_path_len);
}

u32 Z_wasi_snapshot_preview1Z_path_open(Instance* instance, u32 fd, u32 dirflags, u32 path,
                                        u32 path_len, u32 oflags, u64 rights_base,
                                        u64 rights_inheriting, u32 fdflags, u32 fd_ptr) {
  return host_call<wa::wasi::path_open>("path_open", instance, fd, dirflags, path, path_len, oflags,
                                        rights_base, rights_inheriting, fdflags, fd_ptr);
}

u32 Z_wasi_snapshot_preview1Z_path_readlink(Instance* instance, u32 fd, u32 path, u32 path_len,
                                            u32 buf, u32 buf_len, u32 bufused_ptr) {
  return host_call<wa::wasi::path_readlink>("path_readlink", instance, fd, path, path_len, buf,
                                            buf_len, bufused_ptr);
}

u32 Z_wasi_snapshot_preview1Z_path_remove_directory(Instance* instance, u32 fd, u32 path,
                                                    u32 path_len) {
  return host_call<wa::wasi::path_remove_directory>("path_remove_directory", instance, fd, path,
                                                    path_len);
}

u32 Z_wasi_snapshot_preview1Z_path_rename(Instance* instance, u32 fd, u32 old_path,
                                          u32 old_path_len, u32 new_fd, u32 new_path,
                                          u32 new_path_len) {
  return host_call<wa::wasi::path_rename>("path_rename", instance, fd, old_path, old_path_len,
                                          new_fd, new_path, new_path_len);
}

u32 Z_wasi_snapshot_preview1Z_path_symlink(Instance* instance, u32 old_path, u32 old_path_len,
                                           u32 fd, u32 new_path, u32 new_path_len) {
  return host_call<wa::wasi::path_symlink>("path_symlink", instance, old_path, old_path_len, fd,
                                           new_path, new_path_len);
}

u32 Z_wasi_snapshot_preview1Z_path_unlink_file(Instance* instance, u32 fd, u32 path, u32 path_len) {
  return host_call<wa::wasi::path_unlink_file>("path_unlink_file", instance, fd, path, path_len);
}

u32 Z_wasi_snapshot_preview1Z_poll_oneoff(Instance* instance, u32 in, u32 out, u32 nsubscriptions,
                                          u32 nevents_ptr) {
  return host_call<wa::wasi::poll_oneoff>("poll_oneoff", instance, in, out, nsubscriptions,
                                          nevents_ptr);
}

u32 Z_wasi_snapshot_preview1Z_proc_raise(Instance* instance, u32 signal) {
  return host_call<wa::wasi::proc_raise>("proc_raise", instance, signal);
}

u32 Z_wasi_snapshot_preview1Z_random_get(Instance* instance, u32 buf, u32 buf_len) {
  return host_call<wa::wasi::random_get>("random_get", instance, buf, buf_len);
}

u32 Z_wasi_snapshot_preview1Z_sched_yield(Instance* instance) {
  return host_call<wa::wasi::sched_yield>("sched_yield", instance);
}

u32 Z_wasi_snapshot_preview1Z_sock_accept(Instance* instance, u32 fd, u32 flags, u32 fd_ptr) {
  return host_call<wa::wasi::sock_accept>("sock_accept", instance, fd, flags, fd_ptr);
}

u32 Z_wasi_snapshot_preview1Z_sock_recv(Instance* instance, u32 fd, u32 ri_data, u32 ri_data_len,
                                        u32 ri_flags, u32 ro_datalen_ptr, u32 ro_flags_ptr) {
  return host_call<wa::wasi::sock_recv>("sock_recv", instance, fd, ri_data, ri_data_len, ri_flags,
                                        ro_datalen_ptr, ro_flags_ptr);
}

u32 Z_wasi_snapshot_preview1Z_sock_send(Instance* instance, u32 fd, u32 si_data, u32 si_data_len,
                                        u32 si_flags, u32 so_datalen_ptr) {
  return host_call<wa::wasi::sock_send>("sock_send", instance, fd, si_data, si_data_len, si_flags,
                                        so_datalen_ptr);
}

u32 Z_wasi_snapshot_preview1Z_sock_shutdown(Instance* instance, u32 fd, u32 how) {
  return host_call<wa::wasi::sock_shutdown>("sock_shutdown", instance, fd, how);
}

void Z_wasi_snapshot_preview1Z_proc_exit(Instance* instance, u32 code) {
  host_hooks().enter();
  host_hooks().exit(code);
}

}  // extern "C"
