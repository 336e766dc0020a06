// Whole-file reads and atomic writes (temp file + fsync + rename).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "support/expected.h"

namespace wa {

Expected<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path);

// Writes `bytes` to `path` (created or truncated), with no durability guarantee: for
// scratch files.
Status write_file_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// Writes `bytes` to `path` so that readers see either the old file or the whole new
// one, never a partial write, even if the process dies midway.
Status write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// Flushes an already-written file to disk and moves it into place atomically (same
// filesystem): readers see the old file or the whole new one, even after a crash.
Status publish_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace wa
