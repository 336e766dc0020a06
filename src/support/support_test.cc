#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/base64.h"
#include "support/files.h"
#include "support/sha256.h"
#include "support/subprocess.h"

namespace wa {
namespace {

TEST(Sha256, KnownVector) {
  EXPECT_EQ(sha256_hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Base64, RoundTripsAndRefusesWhatIsNotBase64) {
  const std::string bytes("\x00\xff\xfc hello", 9);
  EXPECT_EQ(base64_encode(bytes), "AP/8IGhlbGxv");
  EXPECT_EQ(base64_decode("AP/8IGhlbGxv"), bytes);
  EXPECT_EQ(base64_decode(""), std::string());
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_FALSE(base64_decode("aGVsbG8"));    // padding is required
  EXPECT_FALSE(base64_decode("aGVsbG9="));   // non-zero trailing bits
  EXPECT_FALSE(base64_decode(" aGVsbG8="));  // no whitespace
  EXPECT_FALSE(base64_decode("aGVs\nbG8="));
  // Every byte outside the alphabet, also those libsodium 1.0.18 reads as '/'.
  for (int c = 0; c < 256; ++c) {
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/';
    std::string text = "AAAA";
    text[0] = static_cast<char>(c);
    EXPECT_EQ(base64_decode(text).has_value(), alphabet) << "byte " << c;
  }
}

TEST(Files, AtomicWriteThenRead) {
  auto dir = std::filesystem::temp_directory_path() / ("wa_files_" + std::to_string(getpid()));
  auto path = dir / "sub" / "blob.bin";
  std::vector<uint8_t> bytes{1, 2, 3, 0, 255};
  ASSERT_TRUE(write_file_atomically(path, bytes).ok());
  auto back = read_file_bytes(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), bytes);
  // No temp files left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()),
                          std::filesystem::directory_iterator{}),
            1);
  std::filesystem::remove_all(dir);
}

TEST(Files, PublishingAMissingFileFailsAndLeavesNothing) {
  auto dir = std::filesystem::temp_directory_path() / ("wa_publish_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto status = publish_file_atomically(dir / "absent", dir / "target");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, "io");
  EXPECT_FALSE(std::filesystem::exists(dir / "target"));
  std::filesystem::remove_all(dir);
}

TEST(Files, MissingFileIsAnError) {
  auto result = read_file_bytes("/nonexistent/wa/file");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, "io");
}

TEST(Subprocess, CapturesOutputAndExitCode) {
  auto r = run_subprocess({"sh", "-c", "echo out; echo err >&2; exit 3"}, "/", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_NE(r->output.find("out"), std::string::npos);
  EXPECT_NE(r->output.find("err"), std::string::npos);
}

TEST(Subprocess, CpuLimitKillsRunaway) {
  SubprocessLimits limits;
  limits.cpu_time = std::chrono::seconds(1);
  auto r = run_subprocess({"sh", "-c", "while :; do :; done"}, "/", limits);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->term_signal, 0);
}

TEST(Subprocess, KillAllEndsRunningAndLaterChildren) {
  ChildProcesses children;
  Expected<SubprocessResult> result = make_error("unset", "");
  std::thread runner([&] { result = run_subprocess({"sleep", "30"}, "/", {}, &children); });
  // Whether the child registers before or after this, kill_all ends it.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  children.kill_all();
  runner.join();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->term_signal, SIGKILL);
  // After kill_all, new children die at once too.
  auto late = run_subprocess({"sleep", "30"}, "/", {}, &children);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->term_signal, SIGKILL);
}

// A child that sleeps uses no CPU time; the wall-clock cap ends it and the helper it
// started (same process group), which holds the output pipe open.
TEST(Subprocess, WallClockCapKillsTheWholeGroup) {
  SubprocessLimits limits;
  limits.wall_clock = std::chrono::milliseconds(200);
  auto r = run_subprocess({"sh", "-c", "sleep 300 & echo $!; wait"}, "/", limits);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->term_signal, SIGKILL);
  pid_t helper = static_cast<pid_t>(std::stol(r->output));
  // Killed with its group: SIGKILL lands asynchronously, so wait (bounded) until it is
  // gone or a zombie. Without the group kill it would sleep for 300 s.
  auto state_of = [](pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string id, comm, state;
    if (stat) stat >> id >> comm >> state;
    return state;
  };
  std::string state = state_of(helper);
  for (int i = 0; i < 1000 && !(state.empty() || state == "Z" || state == "X"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    state = state_of(helper);
  }
  EXPECT_TRUE(state.empty() || state == "Z" || state == "X") << "helper state " << state;
}

TEST(Subprocess, FileSizeCapKillsTheWriter) {
  auto dir = std::filesystem::temp_directory_path() / ("wa_fsize_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  SubprocessLimits limits;
  limits.file_size_bytes = 1 << 20;
  auto r = run_subprocess({"sh", "-c", "head -c 4000000 /dev/zero > big"}, dir, limits);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0);
  EXPECT_LE(std::filesystem::file_size(dir / "big"), 1u << 20);
  auto direct = run_subprocess({"dd", "if=/dev/zero", "of=big2", "bs=1M", "count=4"}, dir, limits);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->term_signal, SIGXFSZ);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wa
