// Loading compiled modules: a shared object that is not one of ours is refused, and the
// refusal leaves the loader usable.
#include "runtime/artifact.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <future>
#include <thread>

namespace wa::runtime {
namespace {

// A real shared object without our ABI symbols: the C library.
std::filesystem::path foreign_shared_object() {
  Dl_info info{};
  EXPECT_NE(dladdr(reinterpret_cast<void*>(&::getpid), &info), 0);
  return info.dli_fname ? info.dli_fname : "";
}

// Runs `load` on its own thread. A deadlocked loader never returns, so instead of
// hanging the test program this reports it and exits (the thread cannot be joined).
Expected<std::shared_ptr<Artifact>> load_or_report_hang(const std::filesystem::path& path) {
  auto done = std::make_shared<std::promise<Expected<std::shared_ptr<Artifact>>>>();
  auto result = done->get_future();
  std::thread([done, path] { done->set_value(Artifact::load(path)); }).detach();
  // Not a timing assertion: a load takes microseconds, a deadlock forever.
  if (result.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "Artifact::load(" << path << ") deadlocked";
    std::_Exit(1);
  }
  return result.get();
}

// The ABI check's error path destroyed the Artifact under the loader mutex, and
// ~Artifact takes it again: the process deadlocked, and so did every later load.
TEST(Artifact, AFailedAbiCheckIsAnErrorAndLaterLoadsStillWork) {
  std::filesystem::path foreign = foreign_shared_object();
  ASSERT_FALSE(foreign.empty());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto loaded = load_or_report_hang(foreign);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().kind, "load_failed");
    EXPECT_NE(loaded.error().message.find("does not match this runtime's ABI"), std::string::npos)
        << loaded.error().message;
  }
  auto missing = load_or_report_hang("/nonexistent/module.so");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot load compiled module"), std::string::npos);
}

}  // namespace
}  // namespace wa::runtime
