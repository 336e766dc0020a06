// Fuzzes the WASI path resolver (wasi/path_resolver), the sandbox boundary of every
// path_* call. Paths are resolved beneath a fixed tree that holds escape bait (symlinks
// to "/", to "..", to a sibling directory outside the sandbox); whatever the path, a
// successful open must name something inside the sandbox, and resolve_parent must
// return a directory inside it and a last component that cannot walk anywhere.
// The first byte picks the open flags (read-only kinds only: the fuzzer creates nothing).
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "wasi/path_resolver.h"

namespace {

namespace fs = std::filesystem;
using wa::wasi::Errno;

std::string g_root;  // realpath of the sandbox
std::string g_base;  // the temp dir holding it, removed at exit
int g_root_fd = -1;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "path_resolver invariant violated: %s (%s)\n", what, detail.c_str());
  std::abort();
}

std::string fd_path(int fd) {
  char buf[PATH_MAX + 1];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, PATH_MAX);
  if (n < 0) fail("cannot read the opened fd's path", std::to_string(fd));
  return std::string(buf, static_cast<size_t>(n));
}

bool inside_root(const std::string& path) {
  return path == g_root || path.starts_with(g_root + "/");
}

void make_tree() {
  char templ[] = "/tmp/wa-fuzz-paths-XXXXXX";
  if (!mkdtemp(templ)) std::abort();
  fs::path base = templ;
  g_base = base.string();
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(g_base, ec);
  });
  fs::path root = base / "root";
  fs::create_directories(root / "a" / "b");
  fs::create_directories(base / "outside");
  std::FILE* f = std::fopen((root / "file").c_str(), "w");
  std::fputs("inside\n", f);
  std::fclose(f);
  f = std::fopen((base / "outside" / "secret").c_str(), "w");
  std::fputs("secret\n", f);
  std::fclose(f);
  fs::create_directory_symlink("/", root / "to_slash");
  fs::create_directory_symlink("..", root / "to_parent");
  fs::create_directory_symlink("../outside", root / "to_outside");
  fs::create_directory_symlink("b", root / "a" / "to_b");
  fs::create_directory_symlink("../..", root / "a" / "b" / "up2");
  fs::create_symlink("../file", root / "a" / "to_file");
  fs::create_symlink("/proc/self/root", root / "magic");
  fs::create_symlink("loop", root / "loop");
  g_root = fs::canonical(root).string();
  g_root_fd = open(g_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (g_root_fd < 0) std::abort();
}

constexpr int kFlags[] = {O_RDONLY,
                          O_PATH,
                          O_RDONLY | O_DIRECTORY,
                          O_PATH | O_NOFOLLOW,
                          O_RDONLY | O_NOFOLLOW,
                          O_PATH | O_DIRECTORY};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  make_tree();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int flags = kFlags[data[0] % (sizeof kFlags / sizeof kFlags[0])];
  std::string_view path(reinterpret_cast<const char*>(data) + 1, size - 1);

  wa::wasi::ScopedFd fd;
  Errno e = wa::wasi::open_beneath(g_root_fd, path, flags, 0, fd);
  if (e == Errno::kSuccess) {
    if (fd.get() < 0) fail("success without an fd", std::string(path));
    std::string where = fd_path(fd.get());
    if (!inside_root(where)) fail("opened outside the sandbox", where);
  } else if (fd.get() >= 0) {
    fail("an error that left an fd open", std::string(path));
  }

  wa::wasi::ParentAndName parent;
  e = wa::wasi::resolve_parent(g_root_fd, path, parent);
  if (e == Errno::kSuccess) {
    std::string where = fd_path(parent.dir.get());
    if (!inside_root(where)) fail("parent outside the sandbox", where);
    std::string_view name = parent.name;
    if (!name.empty() && name.back() == '/') name.remove_suffix(1);
    if (name.empty()) fail("empty last component", std::string(path));
    if (name.find('/') != std::string_view::npos) fail("last component has a '/'", parent.name);
    if (name == "..") fail("last component walks upwards", std::string(path));
  }
  return 0;
}
