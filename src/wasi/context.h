// The per-instance WASI state: args, environment, stdio, fd table, preopened dirs.
//
// One Context exists per guest call. The generated code passes it back to every import
// as `struct Z_wasi_snapshot_preview1_instance_t*` (the engine hands a Context* to
// instantiate; the host functions cast it back).
#pragma once

#include <wasm-rt.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/expected.h"
#include "wasi/disk_quota.h"

namespace wa::wasi {

class FdTable;

// A host directory made visible to the guest under `guest_path` (e.g. "/" or "/data").
struct Preopen {
  std::string host_path;
  std::string guest_path;
  bool read_only = false;
  // When set, writes beneath this directory that grow its files are charged here and fail
  // with `dquot` past the limit (a developer's volume; shared with other calls mapping it).
  std::shared_ptr<DiskQuota> quota = nullptr;
};

// Where a standard stream goes: a capped in-memory buffer (the server) or one of the
// host process's own fds (the `run` command).
struct OutputConfig {
  int host_fd = -1;                  // >= 0: write straight through to this fd
  uint64_t limit_bytes = 16u << 20;  // buffer cap; exceeding it traps (output_limit)
  // false: output past the cap is discarded (the guest sees its writes succeed) and one
  // marker line notes the cut. For a log stream such as stderr, whose size must not
  // decide whether the guest's reply stands.
  bool trap_on_limit = true;
};

struct ContextConfig {
  std::vector<std::string> args;  // argv, including argv[0]
  std::vector<std::pair<std::string, std::string>> env;
  std::string stdin_data;  // used when stdin_host_fd < 0
  int stdin_host_fd = -1;  // >= 0: guest reads this host fd (the `run` command)
  OutputConfig stdout_config;
  OutputConfig stderr_config{-1, 1u << 20};
  std::vector<Preopen> preopens;
};

class Context {
 public:
  // Opens the preopened directories; fails with kind "preopen" naming the directory.
  static Expected<std::unique_ptr<Context>> create(ContextConfig config);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // The guest's memory 0. The engine sets it when the instance allocates its memory;
  // host functions read data/size through it on every access (memory can grow).
  void set_memory(wasm_rt_memory_t* memory) { memory_ = memory; }
  wasm_rt_memory_t* memory() const { return memory_; }

  const ContextConfig& config() const { return config_; }
  FdTable& fds() { return *fds_; }

  // Buffered output (empty when the stream goes to a host fd).
  std::string& stdout_buffer() { return stdout_; }
  std::string& stderr_buffer() { return stderr_; }
  std::string take_stdout() { return std::move(stdout_); }
  std::string take_stderr() { return std::move(stderr_); }

  // Read position in config().stdin_data when stdin is a buffer.
  size_t stdin_offset() const { return stdin_offset_; }
  void advance_stdin(size_t bytes) { stdin_offset_ += bytes; }

  // Set by a write that hit a stdout/stderr cap; the exported function traps through
  // host_hooks().output_limit() once the write has returned and cleaned up.
  void set_output_limit_exceeded() { output_limit_exceeded_ = true; }
  bool output_limit_exceeded() const { return output_limit_exceeded_; }

  // For capabilities added by later layers (KV, rooms, ...): opaque to wasi.
  void* embedder_data = nullptr;

 private:
  explicit Context(ContextConfig config);

  ContextConfig config_;
  wasm_rt_memory_t* memory_ = nullptr;
  std::unique_ptr<FdTable> fds_;
  std::string stdout_;
  std::string stderr_;
  size_t stdin_offset_ = 0;
  bool output_limit_exceeded_ = false;
};

}  // namespace wa::wasi
