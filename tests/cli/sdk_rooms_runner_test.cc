// The three SDKs' room handlers (tests/guests/sdk_rooms.c, sdk/rust/examples/rooms.rs,
// sdk/assemblyscript/tests/guests/sdkas_room_handler.ts) deployed on a real platform and
// run through the embeddable RoomRunner, in both instance modes: what persistent mode
// needs of an SDK is checked here, not assumed — the event read from event_get (the
// environment is the first event's), a reply flushed within its own event, state kept in
// plain variables, and a refused join.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "platform/error_kinds.h"
#include "platform/platform.h"
#include "platform/platform_test_support.h"
#include "platform/test_support.h"
#include "rooms/room_runner.h"
#include "support/files.h"

namespace {

using std::chrono::milliseconds;
using wa::capabilities::EmittedEvent;
using wa::rooms::EventResult;
namespace platform = wa::platform;

// One SDK's guest and how its commands are spelled.
struct SdkGuest {
  const char* name;    // the module in WA_GUESTS
  const char* prefix;  // "" (C) or "/" (Rust, AssemblyScript)
};
// gtest prints a parameter in the test's ctest name: the module, not its bytes.
void PrintTo(const SdkGuest& guest, std::ostream* out) { *out << guest.name; }

class SdkRoomsRunner : public ::testing::TestWithParam<SdkGuest> {
 protected:
  void SetUp() override {
    auto opened = platform::testing::open_test_platform(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    platform_ = std::move(opened).value();
    auto token = platform_->accounts().register_user("ann", "password-1");
    ASSERT_TRUE(token.ok()) << token.error().message;
    ann_ = token->user.id;
    runner_ = std::make_unique<wa::rooms::RoomRunner>(*platform_);
    members_.set("lobby", {"c1", "c2"});
  }

  std::shared_ptr<const platform::Action> deploy(bool persistent) {
    auto bytes = wa::read_file_bytes(std::string(WA_GUESTS) + "/" + GetParam().name + ".wasm");
    EXPECT_TRUE(bytes.ok()) << GetParam().name;
    if (!bytes) return nullptr;
    auto settings = platform::ActionSettings::defaults(platform_->config().limits);
    settings.capabilities.rooms = true;
    if (persistent) settings.room_mode = platform::ActionSettings::RoomMode::kPersistent;
    platform::DeployRequest request;
    request.name = "chat";
    request.route = "/chat";
    request.module = bytes.value();
    request.settings = settings;
    auto deployed = platform_->deploy(ann_, request);
    EXPECT_TRUE(deployed.ok()) << (deployed ? "" : deployed.error().message);
    return platform_->find_action(ann_, "chat");
  }

  // Retries while the module compiles (the runner never waits for a compile).
  EventResult run(wa::rooms::EventInput input) {
    input.room = "lobby";
    input.directory = &members_;
    for (int i = 0; i < 1200; ++i) {
      auto r = runner_->run(*action_, input);
      if (r) return std::move(r).value();
      if (r.error().kind != platform::error_kind::kCompiling) {
        ADD_FAILURE() << r.error().kind << ": " << r.error().message;
        return {};
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    ADD_FAILURE() << "still compiling";
    return {};
  }

  EventResult message(const std::string& connection, const std::string& command) {
    wa::rooms::EventInput input;
    input.kind = wa::capabilities::RoomEventKind::kMessage;
    input.connection = connection;
    input.payload = GetParam().prefix + command;
    return run(std::move(input));
  }

  EventResult join(const std::string& connection) {
    wa::rooms::EventInput input;
    input.kind = wa::capabilities::RoomEventKind::kJoin;
    input.connection = connection;
    return run(std::move(input));
  }

  // The event's reply (what the handler wrote to stdout), or "(none)".
  static std::string reply_of(const EventResult& r) {
    for (const EmittedEvent& e : r.events)
      if (e.type == EmittedEvent::Type::kReply) return e.payload ? *e.payload : "";
    return "(none)";
  }

  static std::string count_of(const EventResult& r) {
    std::string reply = reply_of(r);
    // "count=<n>" (C, Rust) or "count=<n> mine=<m>" (AssemblyScript)
    return reply.substr(0, reply.find(' '));
  }

  platform::testing::TempDir dir_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<wa::rooms::RoomRunner> runner_;
  std::shared_ptr<const platform::Action> action_;
  wa::rooms::StaticDirectory members_;
  int64_t ann_ = 0;
};

TEST_P(SdkRoomsRunner, PerEventModeStartsEveryEventFresh) {
  action_ = deploy(false);
  ASSERT_TRUE(action_);
  for (int i = 0; i < 3; ++i) {
    EventResult r = message("c1", "count");
    EXPECT_EQ(r.outcome, "ok");
    EXPECT_FALSE(r.persistent);
    EXPECT_EQ(count_of(r), "count=1");
  }
}

TEST_P(SdkRoomsRunner, PersistentModeKeepsStateAndReadsEachEventFromTheHost) {
  action_ = deploy(true);
  ASSERT_TRUE(action_);
  for (int i = 1; i <= 5; ++i) {
    EventResult r = message(i % 2 ? "c1" : "c2", "count");
    ASSERT_EQ(r.outcome, "ok") << reply_of(r);
    EXPECT_TRUE(r.persistent);
    EXPECT_EQ(count_of(r), "count=" + std::to_string(i));
  }
  // The instance's environment still names its first event (c1's message); the SDK's
  // event comes from event_get and names this one.
  EventResult e = message("c2", "event");
  std::string reply = reply_of(e);
  EXPECT_NE(reply.find("connection=c2"), std::string::npos) << reply;
  EXPECT_NE(reply.find("room=lobby"), std::string::npos) << reply;
  // The broadcast of an unknown command goes to the room except the sender, and the reply
  // of this event is this event's alone (nothing left over in a stdio buffer).
  EventResult b = message("c1", "hello");
  ASSERT_GE(b.events.size(), 2u);
  EXPECT_EQ(b.events[0].type, EmittedEvent::Type::kBroadcast);
  EXPECT_EQ(b.events[0].except, (std::vector<std::string>{"c1"}));
  EXPECT_EQ(reply_of(b), "ok");
  EXPECT_EQ(count_of(message("c1", "count")), "count=8");
}

TEST_P(SdkRoomsRunner, ARefusedJoinClosesWithTheHandlersReason) {
  action_ = deploy(true);
  ASSERT_TRUE(action_);
  EventResult welcome = join("c2");
  EXPECT_FALSE(welcome.refused());
  EXPECT_EQ(reply_of(welcome), "welcome c2 to lobby");
  EXPECT_EQ(count_of(message("c2", "count")), "count=1");
  EventResult refused = join("banned9");
  ASSERT_TRUE(refused.refused());
  EXPECT_EQ(refused.events.back().close_code, 1008);
  EXPECT_EQ(refused.events.back().reason, "banned: banned9");
  EXPECT_EQ(reply_of(refused), "(none)") << "the reason is not also sent as a message";
  // A refusal is an exit, which ends a persistent instance: the next event starts fresh.
  EXPECT_EQ(count_of(message("c2", "count")), "count=1");
}

INSTANTIATE_TEST_SUITE_P(Sdks, SdkRoomsRunner,
                         ::testing::Values(SdkGuest{"sdk_rooms", ""}, SdkGuest{"rust_rooms", "/"},
                                           SdkGuest{"sdkas_room_handler", "/"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
