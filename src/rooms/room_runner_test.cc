// The embeddable rooms API driven directly (no HTTP server): a real platform, a real
// guest, the events it emits.
#include "rooms/room_runner.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "platform/error_kinds.h"
#include "platform/platform_test_support.h"
#include "platform/test_support.h"
#include "support/files.h"

namespace wa::rooms {
namespace {

using capabilities::EmittedEvent;
using std::chrono::milliseconds;

std::vector<uint8_t> guest(const std::string& name) {
  const char* dir = std::getenv("WA_GUESTS_DIR");
  auto bytes = read_file_bytes(std::filesystem::path(dir ? dir : "guests") / (name + ".wasm"));
  return bytes ? std::move(bytes).value() : std::vector<uint8_t>{};
}

class RoomRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = platform::testing::open_test_platform(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    platform_ = std::move(opened).value();
    auto token = platform_->accounts().register_user("ann", "password-1");
    ASSERT_TRUE(token.ok()) << token.error().message;
    ann_ = token->user.id;
    RoomRunnerConfig runner_config;
    runner_config.max_persistent_per_owner = 2;
    runner_ = std::make_unique<RoomRunner>(*platform_, runner_config);
  }

  std::shared_ptr<const platform::Action> deploy(const std::string& name, bool rooms,
                                                 bool persistent = false,
                                                 milliseconds timeout = milliseconds(5000),
                                                 std::string trap_at = "") {
    auto bytes = guest("room_echo");
    EXPECT_FALSE(bytes.empty()) << "guests not built (WA_GUESTS_DIR)";
    auto settings = platform::ActionSettings::defaults(platform_->config().limits);
    settings.capabilities.rooms = rooms;
    settings.timeout = timeout;
    if (persistent) settings.room_mode = platform::ActionSettings::RoomMode::kPersistent;
    if (!trap_at.empty()) settings.env = {{"TRAP_AT", trap_at}};
    return platform::testing::deploy_and_wait(*platform_, ann_, name, bytes, settings);
  }

  // Retries while the module compiles (the runner never waits for a compile).
  Expected<EventResult> message(const platform::Action& action, const std::string& room,
                                const std::string& connection, const std::string& payload,
                                bool binary = false) {
    for (int i = 0;; ++i) {
      auto r = runner_->on_message(action, room, connection, payload, binary, &members_);
      if (r || r.error().kind != platform::error_kind::kCompiling || i == 600) return r;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }

  static std::string payload_of(const EmittedEvent& event) {
    return event.payload ? *event.payload : std::string();
  }

  platform::testing::TempDir dir_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<RoomRunner> runner_;
  StaticDirectory members_;
  int64_t ann_ = 0;
};

TEST_F(RoomRunnerTest, FindsOnlyActionsGrantedRooms) {
  deploy("chat", true);
  deploy("plain", false);
  EXPECT_TRUE(runner_->find_room_action("ann", "chat").ok());
  EXPECT_EQ(runner_->find_room_action("ann", "plain").error().kind, "not_found");
  EXPECT_EQ(runner_->find_room_action("ann", "nope").error().kind, "not_found");
  EXPECT_EQ(runner_->find_room_action("bob", "chat").error().kind, "not_found");
}

TEST_F(RoomRunnerTest, AMessageRepliesWithTheEventContext) {
  auto action = deploy("chat", true);
  ASSERT_TRUE(action);
  auto r = message(*action, "lobby", "c-1", "hello");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->ran);
  EXPECT_EQ(r->outcome, "ok");
  ASSERT_EQ(r->events.size(), 1u);
  const EmittedEvent& reply = r->events[0];
  EXPECT_EQ(reply.type, EmittedEvent::Type::kReply);
  EXPECT_EQ(reply.room, "lobby");
  EXPECT_EQ(reply.connection, "c-1");
  EXPECT_EQ(reply.service_id, "ann/chat");
  EXPECT_EQ(payload_of(reply), "1 message c-1 text hello");
  EXPECT_FALSE(reply.binary);
  auto json = capabilities::emitted_event_json(reply);
  EXPECT_EQ(json["type"], "reply");
  EXPECT_EQ(json["payload_encoding"], "utf8");
}

TEST_F(RoomRunnerTest, BinaryMessagesSayBinaryAndNonUtf8RepliesGoOutAsBinary) {
  auto action = deploy("chat", true);
  ASSERT_TRUE(action);
  auto r = message(*action, "lobby", "c-1", std::string("\xff\xfe", 2), true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(payload_of(r->events[0]), "1 message c-1 binary \xff\xfe");
  EXPECT_TRUE(r->events[0].binary);
  EXPECT_EQ(capabilities::emitted_event_json(r->events[0])["payload_encoding"], "base64");
}

TEST_F(RoomRunnerTest, PerEventModeStartsEveryEventFresh) {
  auto action = deploy("chat", true);
  ASSERT_TRUE(action);
  for (int i = 0; i < 3; ++i) {
    auto r = message(*action, "lobby", "c-1", "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r->persistent);
    EXPECT_EQ(payload_of(r->events.at(0)), "1 message c-1 text x");
  }
  EXPECT_EQ(runner_->live_instances(), 0u);
}

TEST_F(RoomRunnerTest, ARefusedJoinEndsWithARefusalCarryingTheReason) {
  auto action = deploy("chat", true);
  ASSERT_TRUE(action);
  Expected<EventResult> joined = make_error("x", "x");
  for (int i = 0; i < 600; ++i) {
    joined = runner_->on_join(*action, "lobby", "c-9", {{"QUERY_STRING", "deny=1"}}, &members_);
    if (joined || joined.error().kind != "compiling") break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  EXPECT_EQ(joined->outcome, "exit_error");
  ASSERT_TRUE(joined->refused());
  EXPECT_EQ(joined->events.back().close_code, 1008);
  EXPECT_EQ(joined->events.back().reason, "no entry for c-9");
  auto welcome =
      runner_->on_join(*action, "lobby", "c-10", {{"QUERY_STRING", "name=bo"}}, &members_);
  ASSERT_TRUE(welcome.ok());
  EXPECT_FALSE(welcome->refused());
  EXPECT_EQ(welcome->outcome, "ok");
}

TEST_F(RoomRunnerTest, ARunawayIsHaltedAndTheNextEventRuns) {
  auto action = deploy("chat", true, false, milliseconds(200));
  ASSERT_TRUE(action);
  auto r = message(*action, "lobby", "c-1", "spin");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outcome, "timeout");
  ASSERT_FALSE(r->events.empty());
  EXPECT_EQ(r->events.back().type, EmittedEvent::Type::kError);
  auto next = message(*action, "lobby", "c-1", "after");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->outcome, "ok");
  auto logs = platform_->logs(ann_, "chat", std::nullopt);
  ASSERT_TRUE(logs.ok());
  bool logged = false;
  for (const auto& entry : *logs) logged |= entry.outcome == "timeout";
  EXPECT_TRUE(logged);
}

TEST_F(RoomRunnerTest, StderrBecomesALogEvent) {
  auto action = deploy("chat", true);
  ASSERT_TRUE(action);
  auto r = message(*action, "lobby", "c-1", "log");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->events.size(), 2u);
  EXPECT_EQ(r->events[1].type, EmittedEvent::Type::kLog);
  EXPECT_EQ(payload_of(r->events[1]), "logged from a room\n");
}

TEST_F(RoomRunnerTest, PersistentModeKeepsStateUntilATrap) {
  auto action = deploy("game", true, true, milliseconds(5000), "500");
  ASSERT_TRUE(action);
  auto count_of = [](const Expected<EventResult>& r) {
    const std::string text = payload_of(r->events.at(0));
    return std::stoi(text.substr(0, text.find(' ')));
  };
  for (int i = 1; i < 500; ++i) {
    auto r = message(*action, "arena", "c-1", "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->persistent);
    ASSERT_EQ(count_of(r), i) << "event " << i;
  }
  // Event 500 traps: the instance goes, event 501 runs on a fresh one.
  auto trapped = message(*action, "arena", "c-1", "x");
  ASSERT_TRUE(trapped.ok());
  EXPECT_EQ(trapped->outcome, "unreachable");
  EXPECT_EQ(trapped->events.back().type, EmittedEvent::Type::kError);
  for (int i = 1; i <= 500; ++i) {
    auto r = message(*action, "arena", "c-1", "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (i == 500) {
      EXPECT_EQ(r->outcome, "unreachable");
      break;
    }
    ASSERT_EQ(count_of(r), i) << "event " << 500 + i;
  }
  // Another room has its own instance.
  auto other = message(*action, "other", "c-2", "x");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(count_of(other), 1);
  EXPECT_EQ(runner_->live_instances(), 2u);
}

TEST_F(RoomRunnerTest, PersistentInstancesAreCappedPerOwnerAndDroppedWhenIdle) {
  auto action = deploy("game", true, true);
  ASSERT_TRUE(action);
  for (const char* room : {"a", "b", "c"}) ASSERT_TRUE(message(*action, room, "c-1", "x").ok());
  // The cap is 2: room "a" (least recently used) was evicted to make room for "c".
  EXPECT_EQ(runner_->live_instances(), 2u);
  auto again = message(*action, "a", "c-1", "x");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(payload_of(again->events.at(0)).substr(0, 2), "1 ");
  EXPECT_EQ(runner_->drop_idle(std::chrono::steady_clock::now() + std::chrono::hours(1)), 2u);
  EXPECT_EQ(runner_->live_instances(), 0u);
}

TEST_F(RoomRunnerTest, BadRoomNamesAndConnectionIdsAreRefusedBeforeAnythingRuns) {
  auto action = deploy("game", true, true);
  ASSERT_TRUE(action);
  EXPECT_EQ(runner_->on_message(*action, "bad room", "c-1", "x", false, &members_).error().kind,
            "invalid_argument");
  EXPECT_EQ(runner_->on_message(*action, "arena", "bad id!", "x", false, &members_).error().kind,
            "invalid_argument");
  EXPECT_EQ(runner_->live_instances(), 0u);
}

TEST_F(RoomRunnerTest, AnActionWithoutTheGrantIsRefused) {
  auto action = deploy("plain", false);
  ASSERT_TRUE(action);
  auto r = runner_->on_message(*action, "lobby", "c-1", "x", false, &members_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, "forbidden");
}

TEST_F(RoomRunnerTest, ConcurrentEventsOnOnePersistentRoomAreSerialized) {
  auto action = deploy("game", true, true);
  ASSERT_TRUE(action);
  ASSERT_TRUE(message(*action, "arena", "c-1", "x").ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (!message(*action, "arena", "c-1", "x").ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto last = message(*action, "arena", "c-1", "x");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(payload_of(last->events.at(0)).substr(0, 4), "202 ");
}

TEST_F(RoomRunnerTest, RoomRefuseTurnsAJoinAwayAndKeepsThePersistentState) {
  auto action = deploy("game", true, true);
  ASSERT_TRUE(action);
  ASSERT_TRUE(message(*action, "arena", "c-1", "x").ok());
  auto refused =
      runner_->on_join(*action, "arena", "c-2", {{"QUERY_STRING", "refuse=1"}}, &members_);
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->outcome, "ok");
  ASSERT_TRUE(refused->refused());
  EXPECT_EQ(refused->events.back().close_code, 1008);
  EXPECT_EQ(refused->events.back().reason, "room is full");
  auto kept = message(*action, "arena", "c-1", "x");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(payload_of(kept->events.at(0)).substr(0, 2), "2 ");
  // Refusing by exiting ends the instance: the count starts over.
  auto exited = runner_->on_join(*action, "arena", "c-3", {{"QUERY_STRING", "deny=1"}}, &members_);
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(exited->refused());
  // (its env is the instance's first event's: the id it prints is stale, decisions.md)
  EXPECT_EQ(exited->events.back().reason.rfind("no entry for ", 0), 0u);
  auto fresh = message(*action, "arena", "c-1", "x");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(payload_of(fresh->events.at(0)).substr(0, 2), "1 ");
}

TEST(RoomEventJson, AJoinCarriesItsQueryStringOthersDoNot) {
  capabilities::RoomEvent join;
  join.kind = capabilities::RoomEventKind::kJoin;
  join.room = "lobby";
  join.connection = "c-1";
  join.action = "chat";
  join.query = "name=ann";
  auto parsed = nlohmann::json::parse(capabilities::room_event_json(join));
  EXPECT_EQ(parsed["event"], "join");
  EXPECT_EQ(parsed["query"], "name=ann");
  join.kind = capabilities::RoomEventKind::kMessage;
  parsed = nlohmann::json::parse(capabilities::room_event_json(join));
  EXPECT_FALSE(parsed.contains("query"));
}

}  // namespace
}  // namespace wa::rooms
