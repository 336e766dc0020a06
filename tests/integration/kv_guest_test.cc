// The `wasm_actions` KV functions as a guest calls them, through a real server over real
// HTTP: every function and error code of host-abi.md, grants (none / read-only /
// read-write), isolation between developers, atomicity under concurrency, a backend
// blocked past the guest's time limit, and acknowledged writes surviving kill -9.
//
// The guest is tests/guests/kv_probe.c: it runs the request body as a script of raw
// calls and answers one line per call ("<code> <result>").
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_api.h"

namespace wa::testing {
namespace {

using gateway::HttpClient;
using nlohmann::json;

json grant_default(const char* access) {
  return {{"capabilities", {{"key_value_stores", {{{"store", "default"}, {"access", access}}}}}}};
}

class KvGuestTest : public ServerTest {
 protected:
  KvGuestTest() : ServerTest("wa-kv-guest") {}

  void start_server(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--fast-password-hashing"};
    args.insert(args.end(), extra.begin(), extra.end());
    start(args);
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    ann_ = register_user(*client_, "ann");
    bob_ = register_user(*client_, "bob");
    ASSERT_FALSE(ann_.empty());
    ASSERT_FALSE(bob_.empty());
  }

  // Deploys the probe for `token` at `route` with `settings` and waits for its first tier.
  void deploy_probe(const std::string& token, const std::string& name, const std::string& route,
                    const json& settings) {
    deploy_or_fail(*client_, token, name, route, read_guest("kv_probe"), settings);
    wait_until_ready_or_fail(*client_, token, name);
  }

  // Runs `script` on the probe at `route`; the answer's lines (expects 200).
  std::vector<std::string> run(const std::string& route, const std::string& script,
                               HttpClient* client = nullptr) {
    auto response = send_request(client ? *client : *client_, "POST", route, "", script,
                                 {{"Content-Type", "text/plain"}});
    EXPECT_EQ(response.status, 200u) << response.body;
    return lines_of(response.body);
  }

  std::unique_ptr<HttpClient> client_;
  std::string ann_, bob_;
};

TEST_F(KvGuestTest, EveryFunctionAndItsResults) {
  start_server();
  deploy_probe(ann_, "probe", "/probe", grant_default("read-write"));
  auto out = run("/probe",
                 "open default\n"         // 0
                 "open default\n"         // 1: the same handle again
                 "set 1 k hello\n"        // 2
                 "get 1 k\n"              // 3
                 "get 1 k 2\n"            // 4: buffer too small, needed 5
                 "get 1 k 5\n"            // 5: exactly fits
                 "exists 1 k\n"           // 6
                 "exists 1 nope\n"        // 7
                 "get 1 nope\n"           // 8: not found
                 "incr 1 n 5\n"           // 9: absent counts as 0
                 "incr 1 n -7\n"          // 10
                 "incr 1 k 1\n"           // 11: "hello" is no integer
                 "cas 1 c ~ one\n"        // 12: expect absent, is absent
                 "cas 1 c ~ two\n"        // 13: expect absent, is present
                 "cas 1 c wrong two\n"    // 14: mismatch
                 "cas 1 c one two\n"      // 15: match
                 "cas 1 none x y\n"       // 16: expected a value, key absent: no swap
                 "get 1 c\n"              // 17
                 "keys 1 - - 1000\n"      // 18: all, in byte order
                 "keys 1 - c 1000\n"      // 19: strictly after c
                 "keys 1 - - 9\n"         // 20: only whole records that fit ("c" = 5 bytes)
                 "keys 1 - - 4\n"         // 21: not even the first: needed 5
                 "keys 1 n - 1000\n"      // 22: prefix
                 "keys 1 - n 1000\n"      // 23: after the last key: no more
                 "delete 1 k\n"           // 24
                 "delete 1 k\n"           // 25: absent is fine
                 "exists 1 k\n"           // 26
                 "set 1 %00%FF%2F bin\n"  // 27: binary keys
                 "get 1 %00%FF%2F\n");    // 28
  std::vector<std::string> want = {
      "0 1",  "0 1", "0",   "0 hello", "4 5", "0 hello", "0 1", "0 0",   "5",       "0 5",
      "0 -2", "3 0", "0 1", "0 0",     "0 0", "0 1",     "0 0", "0 two", "0 c,k,n", "0 k,n",
      "0 c",  "4 5", "0 n", "0 ",      "0",   "0",       "0 0", "0",     "0 bin"};
  ASSERT_EQ(out.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(out[i], want[i]) << "line " << i;
}

TEST_F(KvGuestTest, EveryErrorCode) {
  start_server({"--kv-store-quota-bytes", "3000000"});
  deploy_probe(ann_, "probe", "/probe", grant_default("read-write"));
  const std::string big_key(1025, 'k');
  const std::string max_key(1024, 'k');
  const std::string big_value((1u << 20) + 1, 'v');
  const std::string mib_value(1u << 20, 'v');
  auto out = run("/probe",
                 "open default\n"
                 "get 9 k\n"         // 1 invalid_handle
                 "get 0 k\n"         // 1 (handles start at 1)
                 "oob open\n"        // 2 memory_access
                 "oob open_out\n"    // 2
                 "oob get_key\n"     // 2
                 "oob get_buf\n"     // 2
                 "oob get_len\n"     // 2
                 "oob set_value\n"   // 2
                 "oob exists_out\n"  // 2
                 "oob keys_buf\n"    // 2
                 "oob incr_out\n"    // 2
                 "oob cas_new\n"     // 2
                 "oob wrap\n"        // 2 (pointer + length wraps around 2^32)
                 "set 1 - x\n"       // 3 invalid_argument: empty key
                 "open bad/name\n"   // 3
                 "open other\n"      // 6 access_denied: not granted
                 "set 1 " +
                     big_key +
                     " x\n"  // 7 too_large
                     "set 1 " +
                     max_key +
                     " x\n"  // 0: exactly the limit
                     "set 1 v " +
                     big_value +
                     "\n"  // 7
                     "set 1 a " +
                     mib_value +
                     "\n"  // 0
                     "set 1 b " +
                     mib_value +
                     "\n"  // 0
                     "set 1 c " +
                     mib_value +
                     "\n"           // 8 quota_exceeded (3 MB)
                     "get 1 c\n");  // 5: nothing was written
  std::vector<std::string> want = {"0 1", "1", "1", "2", "2", "2", "2", "2",
                                   "2",   "2", "2", "2", "2", "2", "3", "3 0",
                                   "6 0", "7", "0", "7", "0", "0", "8", "5"};
  ASSERT_EQ(out.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(out[i], want[i]) << "line " << i;
}

TEST_F(KvGuestTest, GrantsNoneReadOnlyAndReadWrite) {
  start_server();
  deploy_probe(ann_, "writer", "/writer", grant_default("read-write"));
  deploy_probe(ann_, "reader", "/reader", grant_default("read-only"));
  deploy_probe(ann_, "nothing", "/nothing", json::object());

  EXPECT_EQ(run("/writer", "open default\nset 1 shared yes\n"),
            (std::vector<std::string>{"0 1", "0"}));
  // Read-only: reads work, every write is access_denied and changes nothing.
  EXPECT_EQ(run("/reader",
                "open default\nget 1 shared\nexists 1 shared\nkeys 1 - - 100\n"
                "set 1 shared no\ndelete 1 shared\nincr 1 n 1\ncas 1 shared yes no\n"
                "get 1 shared\n"),
            (std::vector<std::string>{"0 1", "0 yes", "0 1", "0 shared", "6", "6", "6 0", "6 7",
                                      "0 yes"}));
  // No grant: the import links, and opening anything is access_denied.
  EXPECT_EQ(run("/nothing", "open default\nget 1 shared\n"),
            (std::vector<std::string>{"6 0", "1"}));

  // Taking the grant away takes effect on the next request.
  auto patched = send_request(*client_, "PATCH", "/api/v1/actions/writer", ann_,
                              json{{"settings", {{"capabilities", json::object()}}}}.dump());
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_EQ(body_json(patched)["settings"]["capabilities"], json::object()) << patched.body;
  EXPECT_EQ(run("/writer", "open default\n"), (std::vector<std::string>{"6 0"}));
}

TEST_F(KvGuestTest, GrantsNameOnlyStoresThatExistAndGrantedStoresCannotBeDeleted) {
  start_server();
  json unknown = {{"capabilities", {{"key_value_stores", {{{"store", "posts"}}}}}}};
  auto refused = deploy(*client_, ann_, "probe", "/probe", read_guest("kv_probe"), unknown);
  EXPECT_EQ(refused.status, 400u) << refused.body;
  EXPECT_NE(refused.body.find("unknown store \\\"posts\\\""), std::string::npos) << refused.body;

  ASSERT_EQ(send_request(*client_, "POST", "/api/v1/kv", ann_, R"({"name": "posts"})").status,
            201u);
  deploy_probe(
      ann_, "probe", "/probe",
      {{"capabilities", {{"key_value_stores", {{{"store", "posts"}, {"access", "read-write"}}}}}}});
  EXPECT_EQ(run("/probe", "open posts\nset 1 a 1\nopen default\n"),
            (std::vector<std::string>{"0 1", "0", "6 0"}));

  auto in_use = send_request(*client_, "DELETE", "/api/v1/kv/posts", ann_);
  EXPECT_EQ(in_use.status, 409u) << in_use.body;
  EXPECT_NE(in_use.body.find("probe"), std::string::npos) << in_use.body;

  // A bad access value is named.
  auto bad = send_request(
      *client_, "PATCH", "/api/v1/actions/probe", ann_,
      json{{"settings",
            {{"capabilities", {{"key_value_stores", {{{"store", "posts"}, {"access", "rw"}}}}}}}}}
          .dump());
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("access must be"), std::string::npos) << bad.body;
}

TEST_F(KvGuestTest, DevelopersNeverReachEachOthersStores) {
  start_server();
  ASSERT_EQ(send_request(*client_, "POST", "/api/v1/kv", ann_, R"({"name": "secrets"})").status,
            201u);
  deploy_probe(ann_, "ann-probe", "/ann", grant_default("read-write"));
  EXPECT_EQ(run("/ann", "open default\nset 1 key ann-value\n"),
            (std::vector<std::string>{"0 1", "0"}));

  // Bob cannot grant a store of Ann's by its name: it does not exist for him.
  json ann_store = {{"capabilities", {{"key_value_stores", {{{"store", "secrets"}}}}}}};
  EXPECT_EQ(deploy(*client_, bob_, "bob-probe", "/bob", read_guest("kv_probe"), ann_store).status,
            400u);
  // Bob's `default` is his own: Ann's key is not there, and his write does not reach hers.
  deploy_probe(bob_, "bob-probe", "/bob", grant_default("read-write"));
  EXPECT_EQ(run("/bob", "open default\nget 1 key\nset 1 key bob-value\nopen secrets\n"),
            (std::vector<std::string>{"0 1", "5", "0", "6 0"}));
  EXPECT_EQ(run("/ann", "open default\nget 1 key\n"),
            (std::vector<std::string>{"0 1", "0 ann-value"}));
  // Nor does a guessed handle reach another store: handles are per call.
  EXPECT_EQ(run("/bob", "get 1 key\nget 2 key\n"), (std::vector<std::string>{"1", "1"}));
}

TEST_F(KvGuestTest, TwoHundredConcurrentIncrementsEndAtExactly200) {
  start_server();
  deploy_probe(ann_, "probe", "/probe", grant_default("read-write"));
  constexpr int kThreads = 8, kPerThread = 25;
  std::atomic<int> ok{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      HttpClient client = client_for(*server_);
      for (int i = 0; i < kPerThread; ++i) {
        for (;;) {
          auto r = send_request(client, "POST", "/probe", "", "open default\nincr 1 hits 1\n");
          // 503 means nothing ran (the server shed load): try again.
          if (r.status == 503) continue;
          (r.status == 200 && r.body.find("\n0 ") != std::string::npos ? ok : other)++;
          break;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(run("/probe", "open default\nget 1 hits\n"),
            (std::vector<std::string>{"0 1", "0 200"}));
}

TEST_F(KvGuestTest, CompareAndSwapUnderContentionLosesNoAppend) {
  start_server();
  deploy_probe(ann_, "probe", "/probe", grant_default("read-write"));
  constexpr int kThreads = 6, kPerThread = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client = client_for(*server_);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string token = "t" + std::to_string(t) + "i" + std::to_string(i);
        for (;;) {
          auto r = send_request(client, "POST", "/probe", "",
                                "open default\nappend 1 list " + token + "\n");
          if (r.status == 503) continue;
          if (r.status != 200 || r.body.find("\n0 ") == std::string::npos) failures++;
          break;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto out = run("/probe", "open default\nget 1 list\n");
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[1].substr(0, 2), "0 ");
  // Every append exactly once (the probe percent-encodes ',' in values it prints).
  std::multiset<std::string> seen;
  std::string value = out[1].substr(2);
  for (size_t at = 0; at < value.size();) {
    size_t end = value.find("%2C", at);
    if (end == std::string::npos) break;
    seen.insert(value.substr(at, end - at));
    at = end + 3;
  }
  EXPECT_EQ(seen.size(), size_t{kThreads * kPerThread});
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i)
      EXPECT_EQ(seen.count("t" + std::to_string(t) + "i" + std::to_string(i)), 1u);
}

// A guest whose kv_set waits on a store locked by someone else is still halted at its time
// limit: the wait gives up at the deadline and the call ends as a timeout.
TEST_F(KvGuestTest, ABlockedBackendDoesNotHoldTheGuestPastItsTimeLimit) {
  start_server();
  json settings = grant_default("read-write");
  settings["timeout_ms"] = 300;
  deploy_probe(ann_, "probe", "/probe", settings);
  EXPECT_EQ(run("/probe", "open default\nset 1 before 1\n"),
            (std::vector<std::string>{"0 1", "0"}));

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data_ / "kv.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  auto blocked = send_request(*client_, "POST", "/probe", "", "open default\nset 1 during 1\n");
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(blocked.status, 504u) << blocked.body;
  EXPECT_NE(action_logs(*client_, ann_, "probe").find("timeout"), std::string::npos);

  // The store works again once the lock is gone, and the halted write did not happen.
  EXPECT_EQ(run("/probe", "open default\nget 1 during\nset 1 after 1\n"),
            (std::vector<std::string>{"0 1", "5", "0"}));
}

// decisions.md: a kill -9 right after acknowledged kv_sets loses none of them.
TEST_F(KvGuestTest, AcknowledgedSetsSurviveKillNine) {
  start_server();
  deploy_probe(ann_, "probe", "/probe", grant_default("read-write"));
  constexpr int kKeys = 60;
  for (int i = 0; i < kKeys; ++i) {
    auto out = run("/probe",
                   "open default\nset 1 key" + std::to_string(i) + " v" + std::to_string(i) + "\n");
    ASSERT_EQ(out, (std::vector<std::string>{"0 1", "0"})) << i;
  }
  server_->kill_hard();
  start({"--fast-password-hashing"});
  client_ = std::make_unique<HttpClient>(client_for(*server_));
  call_until_ok(*client_, "/healthz");
  std::string script = "open default\n";
  for (int i = 0; i < kKeys; ++i) script += "get 1 key" + std::to_string(i) + "\n";
  auto response = call_until_compiled(*client_, "/probe");  // first tier after restart
  auto out = run("/probe", script);
  ASSERT_EQ(out.size(), size_t{kKeys + 1});
  for (int i = 0; i < kKeys; ++i) EXPECT_EQ(out[i + 1], "0 v" + std::to_string(i)) << i;
}

}  // namespace
}  // namespace wa::testing
