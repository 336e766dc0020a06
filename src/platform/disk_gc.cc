#include "platform/disk_gc.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <map>
#include <string>
#include <system_error>
#include <vector>

namespace wa::platform {

namespace fs = std::filesystem;

namespace {

constexpr size_t kShaHexLength = 64;
// File times come from a coarse kernel clock that may lag ours by a tick: a file this
// process creates right after the collector starts must still count as ours.
constexpr auto kStartMargin = std::chrono::seconds(1);

bool is_hex(std::string_view text) {
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return !text.empty();
}

bool is_digits(std::string_view text) {
  if (text.empty() || text.size() > 10) return false;  // pids fit in 10 digits
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

long to_pid(std::string_view digits) {
  long value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value > 0 && value <= INT_MAX ? value : 0;
}

// The sha256 a store or artifact file is named after ("<sha>.wasm", "<sha>.fast.<key>.so").
std::string_view module_of(std::string_view name, std::string_view suffix) {
  if (name.size() <= kShaHexLength || name[kShaHexLength] != '.' || !name.ends_with(suffix)) {
    return {};
  }
  std::string_view sha = name.substr(0, kShaHexLength);
  return is_hex(sha) ? sha : std::string_view();
}

// "<sha>.<tier>" of an artifact named "<sha>.<tier>.<key>.so" (tier letters, key hex);
// empty for any other name.
std::string_view artifact_group(std::string_view name) {
  if (!name.ends_with(".so")) return {};
  std::string_view rest = name.substr(0, name.size() - 3);
  const size_t key_dot = rest.rfind('.');
  if (key_dot == std::string_view::npos || key_dot <= kShaHexLength + 1 ||
      !is_hex(rest.substr(key_dot + 1))) {
    return {};
  }
  std::string_view tier = rest.substr(kShaHexLength + 1, key_dot - kShaHexLength - 1);
  for (char c : tier) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return {};
  }
  return rest.substr(0, key_dot);
}

bool process_alive(long pid) {
  // EPERM: it exists but belongs to someone else; only ESRCH says it is gone.
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

void remove_file(const fs::path& path, size_t& counter, DiskGcStats& stats) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (fs::remove(path, ec); ec) {
    ++stats.errors;
    spdlog::warn("disk gc: cannot remove {}: {}", path.string(), ec.message());
    return;
  }
  ++counter;
  if (size != static_cast<uintmax_t>(-1)) stats.bytes_freed += size;
  spdlog::debug("disk gc: removed {}", path.string());
}

// The artifact key covers the toolchain, flags and ABI: after an upgrade a module's tier is
// rebuilt under a new key and the old build is never loaded again. The newest build of a
// (module, tier) is the current one; older ones go. (If the toolchain went back, the old
// key's build is simply compiled again.)
void remove_superseded(std::vector<std::pair<fs::file_time_type, fs::path>>& builds,
                       DiskGcStats& stats) {
  if (builds.size() < 2) return;
  std::sort(builds.begin(), builds.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 1; i < builds.size(); ++i) {
    if (builds[i].first < builds[0].first) {
      remove_file(builds[i].second, stats.artifacts_removed, stats);
    }
  }
}

}  // namespace

long pid_in_temp_name(std::string_view name) {
  // write_file_atomically: "<name>.tmp.<pid>.<random>".
  if (size_t tmp = name.rfind(".tmp."); tmp != std::string_view::npos) {
    std::string_view rest = name.substr(tmp + 5);
    const size_t dot = rest.find('.');
    if (dot != std::string_view::npos && is_digits(rest.substr(0, dot))) {
      return to_pid(rest.substr(0, dot));
    }
    return 0;
  }
  // Compiler::build: "<sha16>.<tier>.<pid>.<thread hash>".
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    const size_t dot = name.find('.', start);
    fields.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos || fields.size() > 4) break;
    start = dot + 1;
  }
  if (fields.size() != 4 || fields[0].size() != 16 || !is_hex(fields[0]) || fields[1].empty() ||
      !is_digits(fields[2]) || fields[3].empty()) {
    return 0;
  }
  for (char c : fields[1]) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return 0;
  }
  return to_pid(fields[2]);
}

DiskGarbageCollector::DiskGarbageCollector(DiskGcConfig config)
    : config_(std::move(config)), started_(FileTime::clock::now() - kStartMargin) {}

bool DiskGarbageCollector::abandoned(const fs::path& path, std::string_view name,
                                     FileTime now) const {
  std::error_code ec;
  const FileTime modified = fs::last_write_time(path, ec);
  if (ec) return false;  // cannot tell (e.g. a dangling link): leave it
  if (now - modified > config_.abandoned_age) return true;
  const long pid = pid_in_temp_name(name);
  if (pid == 0) return false;
  if (pid == static_cast<long>(::getpid())) return modified < started_;
  return !process_alive(pid);
}

void DiskGarbageCollector::sweep_fan_out(const fs::path& root, std::string_view suffix,
                                         const KeepModule& keep, FileTime now, DiskGcStats& stats,
                                         bool artifacts) {
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return;
  for (fs::directory_iterator dirs(root, ec), end; !ec && dirs != end; dirs.increment(ec)) {
    const std::string fan = dirs->path().filename().string();
    // Only the two-hex-digit fan-out dirs ("tmp" holds the work dirs: swept elsewhere).
    if (fan.size() != 2 || !is_hex(fan) || !dirs->is_directory(ec)) continue;
    // Artifacts of kept modules by "<sha>.<tier>": see remove_superseded.
    std::map<std::string, std::vector<std::pair<FileTime, fs::path>>> builds;
    std::error_code inner;
    for (fs::directory_iterator files(dirs->path(), inner), fend; !inner && files != fend;
         files.increment(inner)) {
      const fs::path& path = files->path();
      const std::string name = path.filename().string();
      if (name.find(".tmp.") != std::string::npos) {
        if (abandoned(path, name, now)) remove_file(path, stats.temp_files_removed, stats);
        continue;
      }
      std::string_view sha = module_of(name, suffix);
      if (sha.empty() || (!artifacts && name.size() != kShaHexLength + suffix.size())) continue;
      if (!keep(sha)) {
        remove_file(path, artifacts ? stats.artifacts_removed : stats.modules_removed, stats);
        continue;
      }
      if (!artifacts) continue;
      if (auto group = artifact_group(name); !group.empty()) {
        std::error_code time_ec;
        const FileTime modified = fs::last_write_time(path, time_ec);
        if (!time_ec) builds[std::string(group)].emplace_back(modified, path);
      }
    }
    for (auto& [group, versions] : builds) remove_superseded(versions, stats);
  }
}

void DiskGarbageCollector::sweep_work_dirs(FileTime now, DiskGcStats& stats) {
  if (config_.artifacts_dir.empty()) return;
  const fs::path root = config_.artifacts_dir / "tmp";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    if (!abandoned(path, path.filename().string(), now)) continue;
    std::error_code removed;
    fs::remove_all(path, removed);
    if (removed) {
      ++stats.errors;
      spdlog::warn("disk gc: cannot remove {}: {}", path.string(), removed.message());
    } else {
      ++stats.work_dirs_removed;
      spdlog::debug("disk gc: removed work dir {}", path.string());
    }
  }
}

void DiskGarbageCollector::sweep_temp_files(const fs::path& dir, FileTime now, DiskGcStats& stats) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find(".tmp.") == std::string::npos || !it->is_regular_file(ec)) continue;
    if (abandoned(it->path(), name, now)) remove_file(it->path(), stats.temp_files_removed, stats);
  }
}

DiskGcStats DiskGarbageCollector::sweep(const KeepModule& keep, FileTime now) {
  DiskGcStats stats;
  try {
    sweep_fan_out(config_.modules_dir, ".wasm", keep, now, stats, false);
    sweep_fan_out(config_.artifacts_dir, ".so", keep, now, stats, true);
    sweep_work_dirs(now, stats);
    sweep_temp_files(config_.data_dir, now, stats);
  } catch (const std::exception& e) {
    // Out of memory or a filesystem surprise: the next sweep tries again.
    ++stats.errors;
    spdlog::warn("disk gc: sweep stopped: {}", e.what());
  }
  return stats;
}

DiskGcStats DiskGarbageCollector::remove_module(std::string_view sha256) {
  DiskGcStats stats;
  if (sha256.size() != kShaHexLength || !is_hex(sha256)) return stats;
  const std::string sha(sha256);
  const std::string fan = sha.substr(0, 2);
  try {
    std::error_code ec;
    const fs::path module = config_.modules_dir / fan / (sha + ".wasm");
    if (!config_.modules_dir.empty() && fs::exists(module, ec)) {
      remove_file(module, stats.modules_removed, stats);
    }
    if (config_.artifacts_dir.empty()) return stats;
    const fs::path dir = config_.artifacts_dir / fan;
    if (!fs::is_directory(dir, ec)) return stats;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (module_of(name, ".so") == sha && name.find(".tmp.") == std::string::npos) {
        remove_file(it->path(), stats.artifacts_removed, stats);
      }
    }
  } catch (const std::exception& e) {
    ++stats.errors;
    spdlog::warn("disk gc: cannot remove module {}: {}", sha, e.what());
  }
  return stats;
}

}  // namespace wa::platform
