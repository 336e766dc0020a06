// DiskGarbageCollector: frees the files nothing needs any more — stored modules that no
// version of any action references, compiled artifacts of those modules, and the temp
// files and compile work dirs that a killed process (kill -9, power loss) left behind.
//
// It knows the layouts it sweeps and deletes nothing else:
//   modules:   <modules>/ab/<sha256>.wasm, temp files <name>.tmp.<pid>.<n>
//   artifacts: <artifacts>/ab/<sha256>.<tier>.<key>.so, work dirs <artifacts>/tmp/
//              <sha16>.<tier>.<pid>.<thread> (runtime/compiler.cc); of a kept module,
//              builds of a tier superseded by a newer one (another key: toolchain, flags or
//              ABI changed) go too
//   data dir:  temp files <name>.tmp.<pid>.<n> (its top level only)
// A temp file or work dir is abandoned when the process named in it is gone, or, when that
// pid is this process (a reused pid after a restart) when it predates this collector, or
// when it is older than `abandoned_age` whatever its name says. A live compile or write in
// this process is therefore never touched.
//
// Not thread-safe on its own: the caller serialises sweeps with the deploys that store
// modules (Platform holds its store mutex around both).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

namespace wa::platform {

struct DiskGcConfig {
  std::filesystem::path modules_dir;
  std::filesystem::path artifacts_dir;
  std::filesystem::path data_dir;  // top level only: temp files
  // Longer than any compile may run (the optimised tier's wall-clock cap is 10 minutes)
  // and than any atomic write takes, so nothing in use is this old.
  std::chrono::seconds abandoned_age{std::chrono::hours(1)};
};

struct DiskGcStats {
  size_t modules_removed = 0;
  size_t artifacts_removed = 0;
  size_t temp_files_removed = 0;  // *.tmp.* files
  size_t work_dirs_removed = 0;   // compile work dirs
  uint64_t bytes_freed = 0;       // of the files removed (work dirs not counted)
  size_t errors = 0;              // files that could not be removed (logged)

  size_t removed() const {
    return modules_removed + artifacts_removed + temp_files_removed + work_dirs_removed;
  }
};

class DiskGarbageCollector {
 public:
  using FileTime = std::filesystem::file_time_type;
  // Whether the module with this sha256 must stay (referenced, or a deploy in flight).
  using KeepModule = std::function<bool(std::string_view sha256)>;

  explicit DiskGarbageCollector(DiskGcConfig config);

  // One pass over every directory. Never throws; problems are counted and logged.
  DiskGcStats sweep(const KeepModule& keep, FileTime now = FileTime::clock::now());
  // Removes one module's file and its artifacts (the caller has checked nobody uses it).
  DiskGcStats remove_module(std::string_view sha256);

  const DiskGcConfig& config() const { return config_; }

 private:
  bool abandoned(const std::filesystem::path& path, std::string_view name, FileTime now) const;
  void sweep_fan_out(const std::filesystem::path& root, std::string_view suffix,
                     const KeepModule& keep, FileTime now, DiskGcStats& stats, bool artifacts);
  void sweep_work_dirs(FileTime now, DiskGcStats& stats);
  void sweep_temp_files(const std::filesystem::path& dir, FileTime now, DiskGcStats& stats);

  DiskGcConfig config_;
  FileTime started_;  // files of our own pid older than this are from an earlier process
};

// The pid a temp file ("x.wasm.tmp.<pid>.<n>") or compile work dir
// ("<16 hex>.<tier>.<pid>.<n>") names; 0 when the name has neither form.
long pid_in_temp_name(std::string_view name);

}  // namespace wa::platform
