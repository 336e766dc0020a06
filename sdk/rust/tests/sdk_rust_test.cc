// The Rust SDK's example guest (visits.rs, built with Debian's rustc for wasm32-wasi)
// through the real `wasm-actions run` with a real SQLite key-value store.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using wa::testing::quote;

struct Reply {
  int exit = -1;
  unsigned status = 0;
  std::string body;
  std::string err;
};

fs::path scratch() { return wa::testing::scratch_dir("wa_sdk_rust_test_", /*wipe=*/true); }

// One request to the visits guest as the server would run it (CGI environment).
Reply visit(const fs::path& db, const std::string& grant, const std::string& method,
            const std::string& path, const std::string& query = "") {
  std::string cmd = wa::testing::cli_run(WA_CLI_PATH, WA_TEST_ARTIFACT_CACHE) + " --kv-db " +
                    db.string() + " --kv " + grant + " --env REQUEST_METHOD=" + method + " --env " +
                    quote("PATH_INFO=" + path) + " --env " + quote("QUERY_STRING=" + query) + " " +
                    wa::testing::guest_module(WA_GUESTS, "rust_visits");
  wa::testing::Outcome o = wa::testing::run_shell(cmd, "", scratch());
  Reply r;
  r.exit = o.status;
  r.err = o.err;
  const std::string& text = o.out;
  if (text.starts_with("Status: ")) r.status = std::atoi(text.c_str() + 8);
  auto end = text.find("\r\n\r\n");
  if (end != std::string::npos) r.body = text.substr(end + 4);
  return r;
}

TEST(SdkRust, VisitsCountsListsAndResets) {
  fs::path db = scratch() / "count.db";
  for (int i = 1; i <= 3; ++i) {
    Reply r = visit(db, "default", "GET", "/home");
    ASSERT_EQ(r.exit, 0) << r.err;
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body)["visits"], i);
  }
  ASSERT_EQ(visit(db, "default", "GET", "/about").status, 200u);
  Reply list = visit(db, "default", "GET", "/", "list");
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_EQ(json::parse(list.body)["pages"], (json{{"/about", 1}, {"/home", 3}}));
  Reply reset = visit(db, "default", "POST", "/home", "reset");
  ASSERT_EQ(reset.status, 200u) << reset.body;
  EXPECT_EQ(json::parse(reset.body)["reset"], true);
  EXPECT_EQ(json::parse(visit(db, "default", "GET", "/home").body)["visits"], 1);
}

TEST(SdkRust, FirstClaimWinsByCompareAndSwap) {
  fs::path db = scratch() / "claim.db";
  Reply ann = visit(db, "default", "POST", "/desk", "claim=ann");
  ASSERT_EQ(ann.status, 200u) << ann.body << ann.err;
  EXPECT_EQ(json::parse(ann.body), (json{{"claimed", true}, {"owner", "ann"}}));
  Reply bob = visit(db, "default", "POST", "/desk", "claim=bob");
  EXPECT_EQ(json::parse(bob.body), (json{{"claimed", false}, {"owner", "ann"}}));
  EXPECT_EQ(visit(db, "default:ro", "POST", "/desk", "claim=eve").status, 403u);
}

TEST(SdkRust, ReadOnlyGrantIsRefusedWithTheCurrentCount) {
  fs::path db = scratch() / "ro.db";
  ASSERT_EQ(visit(db, "default:rw", "GET", "/x").status, 200u);
  Reply r = visit(db, "default:ro", "GET", "/x");
  ASSERT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(r.status, 403u) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["error"]["kind"], "access_denied");
  EXPECT_NE(j["error"]["message"].get<std::string>().find("has 1 visits"), std::string::npos);
}

}  // namespace
