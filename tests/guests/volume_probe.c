// Runs a script of file operations from the request body, one per line, and answers one
// line per operation: "0" and any result on success, else "E<errno>" (wasi-libc's errno
// values are WASI's: 19 dquot, 63 perm, 76 notcapable, ...).
//   read PATH              -> 0 CONTENT
//   write PATH TEXT        -> 0          (creates or truncates)
//   fill PATH BYTES        -> 0 WRITTEN  (appends that many 'x' in one write)
//   symlink TARGET PATH    -> 0
//   mkdir PATH | unlink PATH | rmdir PATH -> 0
//   rename FROM TO         -> 0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char script[1 << 16];
static char buf[1 << 16];

static void fail(void) { printf("E%d\n", errno); }

int main(void) {
  size_t len = fread(script, 1, sizeof script - 1, stdin);
  script[len] = '\0';
  printf("Content-Type: text/plain\n\n");
  for (char* line = strtok(script, "\n"); line; line = strtok(NULL, "\n")) {
    char op[16] = {0}, a[1024] = {0}, b[1024] = {0};
    if (sscanf(line, "%15s %1023s %1023s", op, a, b) < 2) {
      printf("E-bad-line\n");
      continue;
    }
    if (strcmp(op, "read") == 0) {
      int fd = open(a, O_RDONLY);
      if (fd < 0) {
        fail();
        continue;
      }
      ssize_t n = read(fd, buf, sizeof buf - 1);
      close(fd);
      if (n < 0) {
        fail();
        continue;
      }
      buf[n] = '\0';
      printf("0 %s\n", buf);
    } else if (strcmp(op, "write") == 0 || strcmp(op, "fill") == 0) {
      const int fill = strcmp(op, "fill") == 0;
      int fd = open(a, O_WRONLY | O_CREAT | (fill ? O_APPEND : O_TRUNC), 0644);
      if (fd < 0) {
        fail();
        continue;
      }
      size_t count = fill ? (size_t)atol(b) : strlen(b);
      char* data = fill ? malloc(count) : b;
      if (fill) memset(data, 'x', count);
      ssize_t n = write(fd, data, count);
      int saved = errno;
      if (fill) free(data);
      close(fd);
      errno = saved;
      if (n < 0) {
        fail();
        continue;
      }
      printf("0 %ld\n", (long)n);
    } else {
      int rc;
      if (strcmp(op, "symlink") == 0) {
        rc = symlink(a, b);
      } else if (strcmp(op, "mkdir") == 0) {
        rc = mkdir(a, 0755);
      } else if (strcmp(op, "unlink") == 0) {
        rc = unlink(a);
      } else if (strcmp(op, "rmdir") == 0) {
        rc = rmdir(a);
      } else if (strcmp(op, "rename") == 0) {
        rc = rename(a, b);
      } else {
        printf("E-unknown-op\n");
        continue;
      }
      if (rc != 0) {
        fail();
      } else {
        printf("0\n");
      }
    }
  }
  return 0;
}
