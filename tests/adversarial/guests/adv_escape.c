// Tries to reach host files and descriptors it was never given: every descriptor from 0
// to 1023 (read, write, stat, open-beneath), absolute and ".." paths through every
// preopen-like fd, and the usual libc paths. Answers with a report; the test requires
// "escaped 0".
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int escaped = 0;
static char report[8192];
static size_t used = 0;

static void note(const char* what, int fd) {
  ++escaped;
  if (used < sizeof report - 100) used += snprintf(report + used, sizeof report - used, "%s fd %d\n", what, fd);
}

int main(void) {
  static const char* paths[] = {"/etc/passwd", "../../../../etc/passwd", "..", "/", "/proc/self/environ",
                                ".", "etc/passwd", "../", "/dev/mem"};
  for (int fd = 3; fd < 1024; ++fd) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0) note("fdstat", fd);
    char buf[16];
    __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
    __wasi_size_t n = 0;
    if (__wasi_fd_read(fd, &iov, 1, &n) == 0 && n > 0) note("read", fd);
    __wasi_ciovec_t out = {(const uint8_t*)"x", 1};
    if (__wasi_fd_write(fd, &out, 1, &n) == 0) note("write", fd);
    for (size_t p = 0; p < sizeof paths / sizeof *paths; ++p) {
      __wasi_fd_t opened;
      if (__wasi_path_open(fd, 0, paths[p], 0, __WASI_RIGHTS_FD_READ, 0, 0, &opened) == 0) {
        note(paths[p], fd);
      }
    }
  }
  for (size_t p = 0; p < sizeof paths / sizeof *paths; ++p) {
    int f = open(paths[p], O_RDONLY);
    if (f >= 0) note(paths[p], f);
  }
  printf("Content-Type: text/plain\n\nescaped %d\n%s", escaped, report);
  return 0;
}
