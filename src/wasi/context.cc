#include "wasi/context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sodium.h>

#include "wasi/fd_table.h"
#include "wasi/file_stat.h"

namespace wa::wasi {
namespace {

// Rights of the three standard streams: a stream can be read or written and polled,
// never seeked (so guests see no file offset and wasi-libc's isatty works).
constexpr Rights kStdioRights = kRightFdRead | kRightFdWrite | kRightFdFdstatSetFlags |
                                kRightFdFilestatGet | kRightPollFdReadwrite |
                                kRightFdDatasync | kRightFdSync | kRightFdAdvise;

std::unique_ptr<FdEntry> make_stdio(FdKind kind, int host_fd) {
  auto entry = std::make_unique<FdEntry>();
  entry->kind = kind;
  entry->host_fd = host_fd;
  entry->owns_host_fd = false;
  entry->rights_base = kStdioRights;
  entry->filetype = Filetype::kCharacterDevice;
  struct stat st;
  if (host_fd >= 0 && fstat(host_fd, &st) == 0) {
    entry->filetype = filetype_from_mode(st.st_mode);
    // A regular file redirected onto stdio can be positioned like any file.
    if (entry->filetype == Filetype::kRegularFile) {
      entry->rights_base |= kRightFdSeek | kRightFdTell;
    }
  }
  return entry;
}

Expected<std::unique_ptr<FdEntry>> open_preopen(const Preopen& preopen) {
  int fd = ::open(preopen.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return make_error("preopen", "cannot open directory '" + preopen.host_path +
                                     "' for the guest path '" + preopen.guest_path +
                                     "': " + std::strerror(errno));
  }
  auto entry = std::make_unique<FdEntry>();
  entry->kind = FdKind::kDirectory;
  entry->host_fd = fd;
  entry->filetype = Filetype::kDirectory;
  entry->rights_base = kDirectoryRights;
  entry->rights_inheriting = kRightsAll;
  if (preopen.read_only) {
    entry->rights_base &= ~kMutatingRights;
    entry->rights_inheriting &= ~kMutatingRights;
  }
  if (!preopen.read_only) entry->quota = preopen.quota;
  entry->is_preopen = true;
  entry->preopen_name = preopen.guest_path;
  return entry;
}

}  // namespace

Context::Context(ContextConfig config)
    : config_(std::move(config)), fds_(std::make_unique<FdTable>()) {}

Context::~Context() = default;

Expected<std::unique_ptr<Context>> Context::create(ContextConfig config) {
  // random_get uses libsodium; sodium_init is idempotent and thread-safe.
  if (sodium_init() < 0) return make_error("internal", "libsodium failed to initialise");
  std::unique_ptr<Context> context(new Context(std::move(config)));
  const ContextConfig& c = context->config_;
  FdTable& fds = *context->fds_;
  fds.insert_at(0, make_stdio(FdKind::kStdin, c.stdin_host_fd));
  fds.insert_at(1, make_stdio(FdKind::kStdout, c.stdout_config.host_fd));
  fds.insert_at(2, make_stdio(FdKind::kStderr, c.stderr_config.host_fd));
  uint32_t next_fd = 3;
  for (const Preopen& preopen : c.preopens) {
    auto entry = open_preopen(preopen);
    if (!entry.ok()) return entry.error();
    fds.insert_at(next_fd++, std::move(entry).value());
  }
  return context;
}

}  // namespace wa::wasi
