// Test helpers: a Context over a plain heap-allocated guest memory, plus helpers to
// place strings and iovecs in that memory and read results back.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <wasm-rt.h>

#include "wasi/context.h"
#include "wasi/host_functions.h"

namespace wa::wasi::testing {

// One 64 KiB page is plenty for every test; tests place data at fixed offsets.
constexpr uint32_t kPageBytes = 65536;

class WasiTest : public ::testing::Test {
 protected:
  ~WasiTest() override { std::free(memory_.data); }

  // Builds the Context; call once per test after filling `config`.
  void create() {
    memory_.data = static_cast<uint8_t*>(std::calloc(1, kPageBytes));
    memory_.size = kPageBytes;
    memory_.pages = 1;
    memory_.max_pages = 1;
    auto created = Context::create(config);
    ASSERT_TRUE(created.ok()) << created.error().message;
    ctx = std::move(created).value();
    ctx->set_memory(&memory_);
  }

  // Copies bytes into guest memory at `offset`; returns offset for chaining.
  uint32_t put(uint32_t offset, const std::string& bytes) {
    std::memcpy(memory_.data + offset, bytes.data(), bytes.size());
    return offset;
  }
  // Writes a single iovec {buf, len} at `at`.
  void put_iovec(uint32_t at, uint32_t buf, uint32_t len) {
    std::memcpy(memory_.data + at, &buf, 4);
    std::memcpy(memory_.data + at + 4, &len, 4);
  }
  template <typename T>
  T get(uint32_t offset) const {
    T value;
    std::memcpy(&value, memory_.data + offset, sizeof(T));
    return value;
  }
  std::string get_string(uint32_t offset, size_t length) const {
    return std::string(reinterpret_cast<const char*>(memory_.data) + offset, length);
  }

  // path_open with the path placed at a scratch offset; returns the new fd in `fd_out`.
  Errno open_path(uint32_t dir_fd, const std::string& path, uint32_t oflags, Rights base,
                  uint32_t& fd_out, uint32_t lookup = 0) {
    put(kPathAt, path);
    Errno e = path_open(*ctx, dir_fd, lookup, kPathAt, static_cast<uint32_t>(path.size()),
                        oflags, base, kRightsAll, 0, kResultAt);
    fd_out = get<uint32_t>(kResultAt);
    return e;
  }

  // Writes `data` to `fd` with one iovec; returns the errno and bytes written.
  Errno write_fd(uint32_t fd, const std::string& data, uint32_t& written) {
    put(kDataAt, data);
    put_iovec(kIovecAt, kDataAt, static_cast<uint32_t>(data.size()));
    Errno e = fd_write(*ctx, fd, kIovecAt, 1, kResultAt);
    written = get<uint32_t>(kResultAt);
    return e;
  }

  // Reads up to `max` bytes from `fd` into `out`.
  Errno read_fd(uint32_t fd, uint32_t max, std::string& out) {
    put_iovec(kIovecAt, kDataAt, max);
    Errno e = fd_read(*ctx, fd, kIovecAt, 1, kResultAt);
    out = get_string(kDataAt, get<uint32_t>(kResultAt));
    return e;
  }

  static constexpr uint32_t kPathAt = 1024;
  static constexpr uint32_t kResultAt = 2048;
  static constexpr uint32_t kIovecAt = 3072;
  static constexpr uint32_t kDataAt = 8192;

  ContextConfig config;
  std::unique_ptr<Context> ctx;

 private:
  wasm_rt_memory_t memory_{};
};

// A fresh host directory under the test temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "wa-wasi-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wa::wasi::testing
