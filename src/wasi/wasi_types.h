// The wasi_snapshot_preview1 ABI: errno codes, flag bits, rights and struct layouts.
//
// Values follow the witx definitions; struct offsets are those of wasm32 (the guest's
// little-endian, 32-bit-pointer layout), which host code reads and writes with memcpy.
#pragma once

#include <cstdint>

namespace wa::wasi {

enum class Errno : uint16_t {
  kSuccess = 0,
  k2big = 1,
  kAcces = 2,
  kAgain = 6,
  kBadf = 8,
  kBusy = 10,
  kDquot = 19,
  kExist = 20,
  kFault = 21,
  kFbig = 22,
  kIlseq = 25,
  kIntr = 27,
  kInval = 28,
  kIo = 29,
  kIsdir = 31,
  kLoop = 32,
  kMfile = 33,
  kMlink = 34,
  kNametoolong = 37,
  kNfile = 41,
  kNodev = 43,
  kNoent = 44,
  kNomem = 48,
  kNospc = 51,
  kNosys = 52,
  kNotdir = 54,
  kNotempty = 55,
  kNotsock = 57,
  kNotsup = 58,
  kNotty = 59,
  kNxio = 60,
  kOverflow = 61,
  kPerm = 63,
  kPipe = 64,
  kRange = 68,
  kRofs = 69,
  kSpipe = 70,
  kTxtbsy = 74,
  kXdev = 75,
  kNotcapable = 76,
};

enum class Filetype : uint8_t {
  kUnknown = 0,
  kBlockDevice = 1,
  kCharacterDevice = 2,
  kDirectory = 3,
  kRegularFile = 4,
  kSocketDgram = 5,
  kSocketStream = 6,
  kSymbolicLink = 7,
};

// fdflags
inline constexpr uint16_t kFdflagAppend = 1 << 0;
inline constexpr uint16_t kFdflagDsync = 1 << 1;
inline constexpr uint16_t kFdflagNonblock = 1 << 2;
inline constexpr uint16_t kFdflagRsync = 1 << 3;
inline constexpr uint16_t kFdflagSync = 1 << 4;

// oflags
inline constexpr uint16_t kOflagCreat = 1 << 0;
inline constexpr uint16_t kOflagDirectory = 1 << 1;
inline constexpr uint16_t kOflagExcl = 1 << 2;
inline constexpr uint16_t kOflagTrunc = 1 << 3;

// lookupflags
inline constexpr uint32_t kLookupSymlinkFollow = 1 << 0;

// fstflags
inline constexpr uint16_t kFstAtim = 1 << 0;
inline constexpr uint16_t kFstAtimNow = 1 << 1;
inline constexpr uint16_t kFstMtim = 1 << 2;
inline constexpr uint16_t kFstMtimNow = 1 << 3;

// whence
inline constexpr uint8_t kWhenceSet = 0;
inline constexpr uint8_t kWhenceCur = 1;
inline constexpr uint8_t kWhenceEnd = 2;

// clockid
inline constexpr uint32_t kClockRealtime = 0;
inline constexpr uint32_t kClockMonotonic = 1;
inline constexpr uint32_t kClockProcessCputime = 2;
inline constexpr uint32_t kClockThreadCputime = 3;

// advice
inline constexpr uint8_t kAdviceNoreuse = 5;  // the largest valid value

// poll_oneoff
inline constexpr uint8_t kEventClock = 0;
inline constexpr uint8_t kEventFdRead = 1;
inline constexpr uint8_t kEventFdWrite = 2;
inline constexpr uint16_t kSubclockAbstime = 1 << 0;
inline constexpr uint16_t kEventrwHangup = 1 << 0;

// preopentype
inline constexpr uint8_t kPreopenDir = 0;

// rights
using Rights = uint64_t;
inline constexpr Rights kRightFdDatasync = 1ull << 0;
inline constexpr Rights kRightFdRead = 1ull << 1;
inline constexpr Rights kRightFdSeek = 1ull << 2;
inline constexpr Rights kRightFdFdstatSetFlags = 1ull << 3;
inline constexpr Rights kRightFdSync = 1ull << 4;
inline constexpr Rights kRightFdTell = 1ull << 5;
inline constexpr Rights kRightFdWrite = 1ull << 6;
inline constexpr Rights kRightFdAdvise = 1ull << 7;
inline constexpr Rights kRightFdAllocate = 1ull << 8;
inline constexpr Rights kRightPathCreateDirectory = 1ull << 9;
inline constexpr Rights kRightPathCreateFile = 1ull << 10;
inline constexpr Rights kRightPathLinkSource = 1ull << 11;
inline constexpr Rights kRightPathLinkTarget = 1ull << 12;
inline constexpr Rights kRightPathOpen = 1ull << 13;
inline constexpr Rights kRightFdReaddir = 1ull << 14;
inline constexpr Rights kRightPathReadlink = 1ull << 15;
inline constexpr Rights kRightPathRenameSource = 1ull << 16;
inline constexpr Rights kRightPathRenameTarget = 1ull << 17;
inline constexpr Rights kRightPathFilestatGet = 1ull << 18;
inline constexpr Rights kRightPathFilestatSetSize = 1ull << 19;
inline constexpr Rights kRightPathFilestatSetTimes = 1ull << 20;
inline constexpr Rights kRightFdFilestatGet = 1ull << 21;
inline constexpr Rights kRightFdFilestatSetSize = 1ull << 22;
inline constexpr Rights kRightFdFilestatSetTimes = 1ull << 23;
inline constexpr Rights kRightPathSymlink = 1ull << 24;
inline constexpr Rights kRightPathRemoveDirectory = 1ull << 25;
inline constexpr Rights kRightPathUnlinkFile = 1ull << 26;
inline constexpr Rights kRightPollFdReadwrite = 1ull << 27;
inline constexpr Rights kRightSockShutdown = 1ull << 28;
inline constexpr Rights kRightSockAccept = 1ull << 29;
inline constexpr Rights kRightsAll = (1ull << 30) - 1;

// Rights that only make sense on a regular file (or a stream).
inline constexpr Rights kFileRights =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags | kRightFdSync |
    kRightFdTell | kRightFdWrite | kRightFdAdvise | kRightFdAllocate | kRightFdFilestatGet |
    kRightFdFilestatSetSize | kRightFdFilestatSetTimes | kRightPollFdReadwrite;

// Rights that only make sense on a directory.
inline constexpr Rights kDirectoryRights =
    kRightFdFdstatSetFlags | kRightFdSync | kRightFdDatasync | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget | kRightPathOpen |
    kRightFdReaddir | kRightPathReadlink | kRightPathRenameSource | kRightPathRenameTarget |
    kRightPathFilestatGet | kRightPathFilestatSetSize | kRightPathFilestatSetTimes |
    kRightFdFilestatGet | kRightFdFilestatSetTimes | kRightPathSymlink |
    kRightPathRemoveDirectory | kRightPathUnlinkFile;

// What a read-only preopen (and everything opened beneath it) never gets.
inline constexpr Rights kMutatingRights =
    kRightFdDatasync | kRightFdWrite | kRightFdAllocate | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget |
    kRightPathRenameSource | kRightPathRenameTarget | kRightPathFilestatSetSize |
    kRightPathFilestatSetTimes | kRightFdFilestatSetSize | kRightFdFilestatSetTimes |
    kRightPathSymlink | kRightPathRemoveDirectory | kRightPathUnlinkFile;

// Rights whose presence means the host file must be opened for writing.
inline constexpr Rights kWriteAccessRights =
    kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize;

// Struct sizes and field offsets (wasm32).
namespace layout {
inline constexpr uint32_t kIovecSize = 8;  // {buf u32, len u32}
inline constexpr uint32_t kFdstatSize = 24;
inline constexpr uint32_t kFdstatFiletype = 0, kFdstatFlags = 2, kFdstatRightsBase = 8,
                          kFdstatRightsInheriting = 16;
inline constexpr uint32_t kFilestatSize = 64;
inline constexpr uint32_t kFilestatDev = 0, kFilestatIno = 8, kFilestatFiletype = 16,
                          kFilestatNlink = 24, kFilestatSize_ = 32, kFilestatAtim = 40,
                          kFilestatMtim = 48, kFilestatCtim = 56;
inline constexpr uint32_t kPrestatSize = 8;  // {tag u8, pr_name_len u32 @4}
inline constexpr uint32_t kDirentSize = 24;  // {d_next u64, d_ino u64, d_namlen u32, d_type u8}
inline constexpr uint32_t kSubscriptionSize = 48;
inline constexpr uint32_t kEventSize = 32;
}  // namespace layout

}  // namespace wa::wasi
