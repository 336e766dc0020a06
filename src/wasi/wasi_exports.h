// The extern "C" symbols wasm2c-generated guest code links against for each
// wasi_snapshot_preview1 import (`Z_wasi_snapshot_preview1Z_<name>`), defined in
// wasi_exports.cc.
//
// Declared here so the host-import registry (runtime/host_imports.cc) can take each
// function's address and derive the wasm signature it accepts from the C type:
// the list of what guests may import is then the list of what the host really exports,
// with the types the host really takes (u32: i32, u64: i64, void: no result).
#pragma once

#include <cstdint>

// The instance type the generated code declares; it is really a wa::wasi::Context.
struct Z_wasi_snapshot_preview1_instance_t;

extern "C" {

uint32_t Z_wasi_snapshot_preview1Z_args_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                            uint32_t argv_ptr, uint32_t argv_buf_ptr);
uint32_t Z_wasi_snapshot_preview1Z_args_sizes_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                  uint32_t argc_ptr, uint32_t argv_buf_size_ptr);
uint32_t Z_wasi_snapshot_preview1Z_clock_res_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                 uint32_t clock_id, uint32_t resolution_ptr);
uint32_t Z_wasi_snapshot_preview1Z_clock_time_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                  uint32_t clock_id, uint64_t precision,
                                                  uint32_t time_ptr);
uint32_t Z_wasi_snapshot_preview1Z_environ_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t environ_ptr, uint32_t environ_buf_ptr);
uint32_t Z_wasi_snapshot_preview1Z_environ_sizes_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                     uint32_t count_ptr, uint32_t buf_size_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_advise(Z_wasi_snapshot_preview1_instance_t* instance,
                                             uint32_t fd, uint64_t offset, uint64_t len,
                                             uint32_t advice);
uint32_t Z_wasi_snapshot_preview1Z_fd_allocate(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t fd, uint64_t offset, uint64_t len);
uint32_t Z_wasi_snapshot_preview1Z_fd_close(Z_wasi_snapshot_preview1_instance_t* instance,
                                            uint32_t fd);
uint32_t Z_wasi_snapshot_preview1Z_fd_datasync(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t fd);
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                 uint32_t fd, uint32_t stat_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_flags(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint32_t flags);
uint32_t Z_wasi_snapshot_preview1Z_fd_fdstat_set_rights(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint64_t base, uint64_t inheriting);
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                   uint32_t fd, uint32_t stat_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_set_size(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint64_t size);
uint32_t Z_wasi_snapshot_preview1Z_fd_filestat_set_times(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint64_t atim, uint64_t mtim,
    uint32_t fstflags);
uint32_t Z_wasi_snapshot_preview1Z_fd_pread(Z_wasi_snapshot_preview1_instance_t* instance,
                                            uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                                            uint64_t offset, uint32_t nread_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_dir_name(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint32_t path, uint32_t path_len);
uint32_t Z_wasi_snapshot_preview1Z_fd_prestat_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                  uint32_t fd, uint32_t prestat_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_pwrite(Z_wasi_snapshot_preview1_instance_t* instance,
                                             uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                                             uint64_t offset, uint32_t nwritten_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_read(Z_wasi_snapshot_preview1_instance_t* instance,
                                           uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                                           uint32_t nread_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_readdir(Z_wasi_snapshot_preview1_instance_t* instance,
                                              uint32_t fd, uint32_t buf, uint32_t buf_len,
                                              uint64_t cookie, uint32_t bufused_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_renumber(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t from, uint32_t to);
uint32_t Z_wasi_snapshot_preview1Z_fd_seek(Z_wasi_snapshot_preview1_instance_t* instance,
                                           uint32_t fd, uint64_t offset, uint32_t whence,
                                           uint32_t newoffset_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_sync(Z_wasi_snapshot_preview1_instance_t* instance,
                                           uint32_t fd);
uint32_t Z_wasi_snapshot_preview1Z_fd_tell(Z_wasi_snapshot_preview1_instance_t* instance,
                                           uint32_t fd, uint32_t offset_ptr);
uint32_t Z_wasi_snapshot_preview1Z_fd_write(Z_wasi_snapshot_preview1_instance_t* instance,
                                            uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                                            uint32_t nwritten_ptr);
uint32_t Z_wasi_snapshot_preview1Z_path_create_directory(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint32_t path, uint32_t path_len);
uint32_t Z_wasi_snapshot_preview1Z_path_filestat_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                                     uint32_t fd, uint32_t flags, uint32_t path,
                                                     uint32_t path_len, uint32_t stat_ptr);
uint32_t Z_wasi_snapshot_preview1Z_path_filestat_set_times(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint32_t flags, uint32_t path,
    uint32_t path_len, uint64_t atim, uint64_t mtim, uint32_t fstflags);
uint32_t Z_wasi_snapshot_preview1Z_path_link(Z_wasi_snapshot_preview1_instance_t* instance,
                                             uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
                                             uint32_t old_path_len, uint32_t new_fd,
                                             uint32_t new_path, uint32_t new_path_len);
uint32_t Z_wasi_snapshot_preview1Z_path_open(Z_wasi_snapshot_preview1_instance_t* instance,
                                             uint32_t fd, uint32_t dirflags, uint32_t path,
                                             uint32_t path_len, uint32_t oflags,
                                             uint64_t rights_base, uint64_t rights_inheriting,
                                             uint32_t fdflags, uint32_t fd_ptr);
uint32_t Z_wasi_snapshot_preview1Z_path_readlink(Z_wasi_snapshot_preview1_instance_t* instance,
                                                 uint32_t fd, uint32_t path, uint32_t path_len,
                                                 uint32_t buf, uint32_t buf_len,
                                                 uint32_t bufused_ptr);
uint32_t Z_wasi_snapshot_preview1Z_path_remove_directory(
    Z_wasi_snapshot_preview1_instance_t* instance, uint32_t fd, uint32_t path, uint32_t path_len);
uint32_t Z_wasi_snapshot_preview1Z_path_rename(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t fd, uint32_t old_path,
                                               uint32_t old_path_len, uint32_t new_fd,
                                               uint32_t new_path, uint32_t new_path_len);
uint32_t Z_wasi_snapshot_preview1Z_path_symlink(Z_wasi_snapshot_preview1_instance_t* instance,
                                                uint32_t old_path, uint32_t old_path_len,
                                                uint32_t fd, uint32_t new_path,
                                                uint32_t new_path_len);
uint32_t Z_wasi_snapshot_preview1Z_path_unlink_file(Z_wasi_snapshot_preview1_instance_t* instance,
                                                    uint32_t fd, uint32_t path, uint32_t path_len);
uint32_t Z_wasi_snapshot_preview1Z_poll_oneoff(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t in, uint32_t out, uint32_t nsubscriptions,
                                               uint32_t nevents_ptr);
uint32_t Z_wasi_snapshot_preview1Z_proc_raise(Z_wasi_snapshot_preview1_instance_t* instance,
                                              uint32_t signal);
uint32_t Z_wasi_snapshot_preview1Z_random_get(Z_wasi_snapshot_preview1_instance_t* instance,
                                              uint32_t buf, uint32_t buf_len);
uint32_t Z_wasi_snapshot_preview1Z_sched_yield(Z_wasi_snapshot_preview1_instance_t* instance);
uint32_t Z_wasi_snapshot_preview1Z_sock_accept(Z_wasi_snapshot_preview1_instance_t* instance,
                                               uint32_t fd, uint32_t flags, uint32_t fd_ptr);
uint32_t Z_wasi_snapshot_preview1Z_sock_recv(Z_wasi_snapshot_preview1_instance_t* instance,
                                             uint32_t fd, uint32_t ri_data, uint32_t ri_data_len,
                                             uint32_t ri_flags, uint32_t ro_datalen_ptr,
                                             uint32_t ro_flags_ptr);
uint32_t Z_wasi_snapshot_preview1Z_sock_send(Z_wasi_snapshot_preview1_instance_t* instance,
                                             uint32_t fd, uint32_t si_data, uint32_t si_data_len,
                                             uint32_t si_flags, uint32_t so_datalen_ptr);
uint32_t Z_wasi_snapshot_preview1Z_sock_shutdown(Z_wasi_snapshot_preview1_instance_t* instance,
                                                 uint32_t fd, uint32_t how);
void Z_wasi_snapshot_preview1Z_proc_exit(Z_wasi_snapshot_preview1_instance_t* instance,
                                         uint32_t code);

}  // extern "C"
