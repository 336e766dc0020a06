// The host-import registry: what the validator checks imports against must be what the
// host exports, with the types the host's symbols take.
#include "runtime/host_imports.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "runtime/validator.h"
#include "support/files.h"

namespace wa::runtime {
namespace {

using enum WasmType;

std::vector<uint8_t> guest(const std::string& name) {
  const char* dir = std::getenv("WA_GUESTS_DIR");
  auto bytes = read_file_bytes(std::filesystem::path(dir ? dir : "guests") / (name + ".wasm"));
  EXPECT_TRUE(bytes.ok()) << name;
  return bytes ? std::move(bytes.value()) : std::vector<uint8_t>{};
}

// Each entry resolves, by the name wasm2c gives the import, to the very function the
// entry was built from: the table lists what guest code really links against.
TEST(HostImports, EveryEntryIsTheSymbolGuestCodeLinksAgainst) {
  auto modules = host_import_modules();
  ASSERT_FALSE(modules.empty());
  EXPECT_EQ(modules.front().name, kWasiModule);
  for (const HostImportModule& module : modules) {
    std::set<std::string_view> seen;
    for (const HostFunction& function : module.functions) {
      EXPECT_TRUE(seen.insert(function.name).second) << "listed twice: " << function.name;
      std::string symbol = "Z_" + std::string(module.name) + "Z_" + std::string(function.name);
      void* resolved = dlsym(RTLD_DEFAULT, symbol.c_str());
      EXPECT_NE(resolved, nullptr) << symbol << " is not exported to guest code";
      EXPECT_EQ(resolved, function.symbol) << symbol;
    }
  }
  EXPECT_EQ(modules.front().functions.size(), 46u);  // all of wasi_snapshot_preview1
}

// The types come from the C declarations; these are the spec's (witx) signatures.
TEST(HostImports, WasiSignaturesAreThePreview1Ones) {
  auto type_of = [](std::string_view name) {
    const HostFunction* f = find_host_function(kWasiModule, name);
    return f ? describe_type(f->type) : "missing";
  };
  EXPECT_EQ(type_of("fd_write"), "(i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("proc_exit"), "(i32) -> ()");
  EXPECT_EQ(type_of("sched_yield"), "() -> i32");
  EXPECT_EQ(type_of("clock_time_get"), "(i32, i64, i32) -> i32");
  EXPECT_EQ(type_of("fd_seek"), "(i32, i64, i32, i32) -> i32");
  EXPECT_EQ(type_of("path_open"), "(i32, i32, i32, i32, i32, i64, i64, i32, i32) -> i32");
  EXPECT_EQ(type_of("path_filestat_set_times"), "(i32, i32, i32, i32, i64, i64, i32) -> i32");
  EXPECT_EQ(find_host_function(kWasiModule, "fd_frobnicate"), nullptr);
  EXPECT_EQ(find_host_function("env", "fd_write"), nullptr);
}

// fd_write imported as (f64) -> i64 used to be accepted and run.
TEST(HostImports, AnImportWithTheWrongTypeIsRejectedNamingBothTypes) {
  auto result = validate_module(guest("imports_bad_type"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, "unsupported_import");
  const std::string& message = result.error().message;
  EXPECT_NE(message.find("wasi_snapshot_preview1.fd_write"), std::string::npos) << message;
  EXPECT_NE(message.find("(f64) -> i64"), std::string::npos) << message;
  EXPECT_NE(message.find("(i32, i32, i32, i32) -> i32"), std::string::npos) << message;
  // Right names and types still pass.
  EXPECT_TRUE(validate_module(guest("hello")).ok());
  EXPECT_TRUE(validate_module(guest("echo_io")).ok());
}

}  // namespace
}  // namespace wa::runtime
