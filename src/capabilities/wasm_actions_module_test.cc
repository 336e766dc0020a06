// The `wasm_actions` entries of the import registry: each is the symbol guest code links
// against, with the contract's signature, and the validator holds guests to it.
#include "capabilities/wasm_actions_module.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "capabilities/catalog.h"
#include "runtime/host_imports.h"
#include "runtime/validator.h"
#include "support/files.h"

namespace wa::capabilities {
namespace {

std::vector<uint8_t> guest(const std::string& name) {
  const char* dir = std::getenv("WA_GUESTS_DIR");
  auto bytes = read_file_bytes(std::filesystem::path(dir ? dir : "guests") / (name + ".wasm"));
  EXPECT_TRUE(bytes.ok()) << name;
  return bytes ? std::move(bytes.value()) : std::vector<uint8_t>{};
}

std::string type_of(std::string_view name) {
  const runtime::HostFunction* f = runtime::find_host_function(kWasmActionsModule, name);
  return f ? runtime::describe_type(f->type) : "missing";
}

class WasmActionsModule : public ::testing::Test {
 protected:
  void SetUp() override { register_wasm_actions_module(); }
};

TEST_F(WasmActionsModule, SignaturesAreTheContractsAndEachIsTheLinkedSymbol) {
  EXPECT_EQ(type_of("kv_open"), "(i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("kv_get"), "(i32, i32, i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("kv_set"), "(i32, i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("kv_delete"), "(i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("kv_exists"), "(i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("kv_keys"), "(i32, i32, i32, i32, i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("kv_increment"), "(i32, i32, i32, i64, i32) -> i32");
  EXPECT_EQ(type_of("kv_compare_and_swap"), "(i32, i32, i32, i32, i32, i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("room_broadcast"), "(i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("room_send"), "(i32, i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("room_connections"), "(i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("room_select"), "(i32, i32) -> i32");
  EXPECT_EQ(type_of("event_get"), "(i32, i32, i32) -> i32");
  EXPECT_EQ(type_of("event_payload"), "(i32, i32, i32) -> i32");
  const runtime::HostImportModule* module = runtime::find_host_import_module(kWasmActionsModule);
  ASSERT_NE(module, nullptr);
  EXPECT_NE(module->unbound_state, nullptr);
  for (const runtime::HostFunction& f : module->functions) {
    std::string symbol = "Z_wasm_actionsZ_" + std::string(f.name);
    EXPECT_EQ(dlsym(RTLD_DEFAULT, symbol.c_str()), f.symbol) << symbol;
  }
  // Registering again changes nothing.
  size_t count = runtime::host_import_modules().size();
  register_wasm_actions_module();
  EXPECT_EQ(runtime::host_import_modules().size(), count);
}

// The catalog offers rooms because the functions are there: each one it names is
// registered.
TEST_F(WasmActionsModule, TheCatalogOffersRoomsAndNamesRegisteredFunctions) {
  const CapabilityInfo* rooms = nullptr;
  for (const auto& c : capability_catalog())
    if (c.name == "rooms") rooms = &c;
  ASSERT_NE(rooms, nullptr);
  EXPECT_TRUE(rooms->available);
  EXPECT_EQ(rooms->import_module, kWasmActionsModule);
  for (std::string_view f : {"room_broadcast", "room_send", "room_connections", "room_select",
                             "event_get", "event_payload"}) {
    EXPECT_NE(rooms->description.find(f), std::string_view::npos) << f;
    EXPECT_NE(runtime::find_host_function(kWasmActionsModule, f), nullptr) << f;
  }
}

TEST_F(WasmActionsModule, TheValidatorHoldsGuestsToTheSignatures) {
  auto bad_type = runtime::validate_module(guest("kv_bad_type"));
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.error().kind, "unsupported_import");
  EXPECT_NE(bad_type.error().message.find("wasm_actions.kv_get"), std::string::npos);
  EXPECT_NE(bad_type.error().message.find("(i32) -> i64"), std::string::npos)
      << bad_type.error().message;
  EXPECT_NE(bad_type.error().message.find("(i32, i32, i32, i32, i32, i32) -> i32"),
            std::string::npos);
  auto unknown = runtime::validate_module(guest("kv_unknown_function"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("kv_frobnicate"), std::string::npos);
  EXPECT_TRUE(runtime::validate_module(guest("kv_probe")).ok());
  EXPECT_TRUE(runtime::validate_module(guest("room_probe")).ok());
}

}  // namespace
}  // namespace wa::capabilities
