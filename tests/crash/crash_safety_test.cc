// Crash safety (issue 8): the real server is killed with SIGKILL at a random moment of
// each of 20 deploys (new actions and new versions of modules up to 1.5 MiB), and
// restarted. At the end the SQLite database must pass its integrity check, the module
// store must hold no truncated module, every acknowledged deploy must be there (its
// version current, unless a later unacknowledged one on the same action won) and every
// action the server lists must answer.
//
// The moments come from a seeded generator; the seed is printed, and WA_CRASH_SEED=N
// replays a run.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "server_process.h"
#include "support/files.h"
#include "support/sha256.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using gateway::ClientResponse;
using nlohmann::json;

constexpr int kDeploys = 20;

// Appends a custom section (ignored by validation and compilation): a distinct module
// of about `padding` bytes more, with the same behaviour.
std::string with_custom_section(std::string module, const std::string& tag, size_t padding) {
  std::string body;
  body.push_back(static_cast<char>(tag.size()));
  body += tag;
  body.append(padding, 'p');
  std::string section(1, '\0');
  for (uint64_t n = body.size();;) {
    uint8_t byte = n & 0x7f;
    n >>= 7;
    section.push_back(static_cast<char>(n ? byte | 0x80 : byte));
    if (!n) break;
  }
  return module + section + body;
}

std::string sqlite_single_column(const fs::path& db_file, const std::string& sql,
                                 std::string* error) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    *error = std::string("cannot open the database: ") + sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    *error = std::string("cannot run ") + sql + ": " + sqlite3_errmsg(db);
  } else {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (!out.empty()) out += "\n";
      out += text ? reinterpret_cast<const char*>(text) : "NULL";
    }
    if (rc != SQLITE_DONE) *error = std::string(sql) + ": " + sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

struct Attempt {
  int index = 0;
  std::string action;
  std::string sha256;
  bool creates = false;  // POST a new action, or PUT a new version
  std::string outcome;   // "acknowledged", "lost connection", "refused NNN"
};

TEST(CrashSafety, KillDuringDeploysLosesNothingAcknowledged) {
  uint64_t seed = std::random_device{}();
  if (const char* env = std::getenv("WA_CRASH_SEED"); env && *env) seed = std::stoull(env);
  std::printf("[ seed     ] %llu (replay with WA_CRASH_SEED=%llu)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);

  const fs::path data = make_temp_dir("wa-crash");
  const fs::path log = data / "server.log";
  const std::vector<std::string> args = {"--workers", "2", "--compile-tiers", "fast"};
  auto server = std::make_unique<ServerProcess>(data, args, ProcessOptions{.log_file = log});
  std::string token;
  {
    auto client = client_for(*server);
    token = register_user(client, "ann");
    ASSERT_FALSE(token.empty());
  }
  const std::map<std::string, std::string> guests = {{"hello", read_guest("hello")},
                                                     {"primes", read_guest("primes")}};
  std::map<std::string, std::string> kind_of_sha;  // which guest a module behaves as
  std::map<std::string, std::vector<Attempt>> by_action;
  std::vector<std::string> acknowledged_actions;

  for (int i = 0; i < kDeploys; ++i) {
    Attempt attempt;
    attempt.index = i;
    attempt.creates = acknowledged_actions.empty() || rng() % 3 != 0;
    attempt.action = attempt.creates ? "a" + std::to_string(i)
                                     : acknowledged_actions[rng() % acknowledged_actions.size()];
    const std::string kind = rng() % 2 ? "hello" : "primes";
    const size_t padding = rng() % (1536 * 1024);
    const std::string module =
        with_custom_section(guests.at(kind), "deploy-" + std::to_string(i), padding);
    attempt.sha256 = sha256_hex(module);
    kind_of_sha[attempt.sha256] = kind;
    // Kill moments spread over the upload, validation, storing, the commit, the answer
    // and the compile after it.
    const auto kill_after = std::chrono::microseconds(rng() % 250'000);

    std::thread killer([&] {
      std::this_thread::sleep_for(kill_after);
      server->kill_hard();
    });
    std::string detail;
    try {
      auto client = client_for(*server);
      ClientResponse response =
          attempt.creates ? deploy(client, token, attempt.action, "/" + attempt.action, module)
                          : put_module(client, token, attempt.action, module);
      const bool ok = response.status == (attempt.creates ? 201u : 200u);
      attempt.outcome = ok ? "acknowledged" : "refused " + std::to_string(response.status);
      detail = response.body.substr(0, 200);
    } catch (const std::exception& e) {
      attempt.outcome = "lost connection";
      detail = e.what();
    }
    killer.join();
    std::printf("[ deploy %2d] %s %s (%zu KiB, %s), killed after %.1f ms: %s %s\n", i,
                attempt.creates ? "create" : "update", attempt.action.c_str(), module.size() / 1024,
                kind.c_str(), kill_after.count() / 1000.0, attempt.outcome.c_str(),
                attempt.outcome == "acknowledged" ? "" : detail.c_str());
    // A refusal other than the kill's is a bug of its own (the module is valid).
    if (attempt.outcome.starts_with("refused")) {
      ADD_FAILURE() << "deploy " << i << " was refused: " << detail;
    }
    if (attempt.outcome == "acknowledged" && attempt.creates) {
      acknowledged_actions.push_back(attempt.action);
    }
    by_action[attempt.action].push_back(attempt);

    try {
      server = std::make_unique<ServerProcess>(data, args, ProcessOptions{.log_file = log});
    } catch (const std::exception& e) {
      FAIL() << "the server does not start after a kill during deploy " << i << ": " << e.what()
             << "\nserver log:\n"
             << file_tail(log);
    }
  }

  // Every acknowledged deploy is there, current unless a later unacknowledged attempt on
  // the same action may have won; every listed action answers as its module does.
  auto client = client_for(*server);
  auto list = must(client.get("/api/v1/actions", token));
  ASSERT_EQ(list.status, 200u) << list.body;
  std::set<std::string> listed;
  const json listing = body_json(list);  // named: a temporary would die before the loop
  for (const auto& action : listing["actions"]) listed.insert(action.value("name", ""));
  for (const auto& [name, attempts] : by_action) {
    SCOPED_TRACE("action " + name);
    const Attempt* last_ack = nullptr;
    for (const auto& a : attempts) {
      if (a.outcome == "acknowledged") last_ack = &a;
    }
    if (!last_ack && !listed.count(name)) continue;  // never acknowledged, not there: fine
    ASSERT_TRUE(listed.count(name)) << "an acknowledged deploy is missing";
    auto shown = must(client.get("/api/v1/actions/" + name, token));
    ASSERT_EQ(shown.status, 200u) << shown.body;
    const json current = body_json(shown)["current_version"];
    ASSERT_TRUE(current.is_object()) << shown.body;
    const std::string sha = current.value("module_sha256", "");
    std::set<std::string> allowed;
    bool after_ack = last_ack == nullptr;
    for (const auto& a : attempts) {
      if (&a == last_ack) after_ack = true;
      if (after_ack && (a.outcome != "acknowledged" || &a == last_ack)) allowed.insert(a.sha256);
    }
    EXPECT_TRUE(allowed.count(sha)) << "current module " << sha
                                    << " is neither the last acknowledged one nor a later "
                                       "unacknowledged attempt";
    auto answer = call_until_ok(client, "/" + name + "?n=6");
    EXPECT_EQ(answer.status, 200u) << answer.body;
    if (kind_of_sha.count(sha) && kind_of_sha[sha] == "hello") {
      EXPECT_NE(answer.body.find("Hello from WebAssembly!"), std::string::npos) << answer.body;
    } else if (kind_of_sha.count(sha)) {
      EXPECT_EQ(answer.body, "2\n3\n5\n");
    }
  }

  // The module store: every stored module is whole (its bytes hash to its name).
  size_t modules = 0;
  size_t leftovers = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data / "modules")) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name.size() != 69 || !name.ends_with(".wasm")) {
      ++leftovers;  // a temp file of an interrupted write (garbage collection's job)
      continue;
    }
    auto bytes = read_file_bytes(entry.path());
    ASSERT_TRUE(bytes) << bytes.error().message;
    EXPECT_EQ(sha256_hex(*bytes) + ".wasm", name) << "a truncated or corrupt module in the store";
    ++modules;
  }
  std::printf("[ store    ] %zu whole modules, %zu leftover temp files\n", modules, leftovers);

  // The database, after a clean stop.
  EXPECT_EQ(server->stop(), 0) << file_tail(log);
  std::string error;
  EXPECT_EQ(sqlite_single_column(data / "wasm-actions.db", "PRAGMA integrity_check", &error), "ok");
  EXPECT_EQ(error, "");
  EXPECT_EQ(sqlite_single_column(data / "wasm-actions.db", "PRAGMA foreign_key_check", &error), "");
  EXPECT_EQ(error, "");
  if (!HasFailure())
    fs::remove_all(data);
  else
    std::printf("[ kept     ] data dir %s (server log inside)\n", data.c_str());
}

// A clean stop (SIGTERM) while a module compiles must not leave its version "failed"
// for good: the compile was interrupted, not refused, so after a restart it must run.
TEST(CrashSafety, StopDuringCompileDoesNotFailTheVersion) {
  const fs::path data = make_temp_dir("wa-stop-compile");
  // The optimised tier (gcc) takes long enough that the stop lands during the compile.
  const std::vector<std::string> args = {"--compile-tiers", "optimized"};
  std::string token;
  {
    ServerProcess server(data, args, ProcessOptions{.log_file = data / "server.log"});
    auto client = client_for(server);
    token = register_user(client, "ann");
    auto deployed = deploy(client, token, "hello", "/hello", read_guest("hello"));
    ASSERT_EQ(deployed.status, 201u) << deployed.body;
    EXPECT_EQ(server.stop(), 0);
  }
  ServerProcess server(data, args, ProcessOptions{.log_file = data / "server.log"});
  auto client = client_for(server);
  auto shown = must(client.get("/api/v1/actions/hello", token));
  const json version = body_json(shown)["current_version"];
  EXPECT_NE(version.value("status", ""), "failed") << version.dump();
  auto hello = call_until_ok(client, "/hello");
  EXPECT_EQ(hello.status, 200u) << hello.body;
  server.stop();
  if (!HasFailure()) fs::remove_all(data);
}

}  // namespace
}  // namespace wa::testing
