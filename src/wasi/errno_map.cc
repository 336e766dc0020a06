#include "wasi/errno_map.h"

#include <cerrno>

namespace wa::wasi {

Errno errno_from_host(int host_errno) {
  switch (host_errno) {
    case 0: return Errno::kSuccess;
    case E2BIG: return Errno::k2big;
    case EACCES: return Errno::kAcces;
    case EAGAIN: return Errno::kAgain;
    case EBADF: return Errno::kBadf;
    case EBUSY: return Errno::kBusy;
    case EEXIST: return Errno::kExist;
    case EFAULT: return Errno::kFault;
    case EFBIG: return Errno::kFbig;
    case EILSEQ: return Errno::kIlseq;
    case EINTR: return Errno::kIntr;
    case EINVAL: return Errno::kInval;
    case EIO: return Errno::kIo;
    case EISDIR: return Errno::kIsdir;
    case ELOOP: return Errno::kLoop;
    case EMFILE: return Errno::kMfile;
    case EMLINK: return Errno::kMlink;
    case ENAMETOOLONG: return Errno::kNametoolong;
    case ENFILE: return Errno::kNfile;
    case ENODEV: return Errno::kNodev;
    case ENOENT: return Errno::kNoent;
    case ENOMEM: return Errno::kNomem;
    case ENOSPC: return Errno::kNospc;
    case EDQUOT: return Errno::kDquot;
    case ENOSYS: return Errno::kNosys;
    case ENOTDIR: return Errno::kNotdir;
    case ENOTEMPTY: return Errno::kNotempty;
    case ENOTSOCK: return Errno::kNotsock;
    case EOPNOTSUPP: return Errno::kNotsup;
    case ENOTTY: return Errno::kNotty;
    case ENXIO: return Errno::kNxio;
    case EOVERFLOW: return Errno::kOverflow;
    case EPERM: return Errno::kPerm;
    case EPIPE: return Errno::kPipe;
    case ERANGE: return Errno::kRange;
    case EROFS: return Errno::kRofs;
    case ESPIPE: return Errno::kSpipe;
    case ETXTBSY: return Errno::kTxtbsy;
    case EXDEV: return Errno::kXdev;
    default: return Errno::kIo;
  }
}

Errno last_host_errno() { return errno_from_host(errno); }

}  // namespace wa::wasi
