#include "support/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace wa {

namespace {

std::string errno_text(const std::string& what, const std::filesystem::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

std::filesystem::path temp_sibling(const std::filesystem::path& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return path.string() + ".tmp." + std::to_string(getpid()) + "." + std::to_string(rng());
}

}  // namespace

Expected<std::vector<uint8_t>> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("io", errno_text("cannot open", path));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return make_error("io", errno_text("cannot read", path));
  return bytes;
}

Status write_file_bytes(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error("io", errno_text("cannot create", path));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto err = errno_text("cannot write", path);
      ::close(fd);
      return make_error("io", err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return make_error("io", errno_text("cannot write", path));
  return ok_status();
}

Status write_file_atomically(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const auto temp = temp_sibling(path);
  if (auto written = write_file_bytes(temp, bytes); !written) {
    ::unlink(temp.c_str());
    return written;
  }
  return publish_file_atomically(temp, path);
}

Status publish_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to) {
  // Flush the data before the rename makes it visible under its final name: otherwise a
  // crash could leave a complete-looking but truncated file there.
  int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    auto err = errno_text("cannot flush", from);
    if (fd >= 0) ::close(fd);
    ::unlink(from.c_str());
    return make_error("io", err);
  }
  ::close(fd);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    auto err = errno_text("cannot rename into", to);
    ::unlink(from.c_str());
    return make_error("io", err);
  }
  return ok_status();
}

}  // namespace wa
