// The chat example (examples/chat, AssemblyScript) through the embeddable rooms API: a
// real platform with its KV store, the real module, RoomRunner events with a
// StaticDirectory as the membership. No server: this is the handler's logic (names from
// ?name=, join/leave notices with member lists, say, who, refusals of binary and bad
// JSON), and it shows that an AssemblyScript module runs room events without `_start`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "platform/error_kinds.h"
#include "platform/platform_test_support.h"
#include "platform/test_support.h"
#include "rooms/room_runner.h"
#include "support/files.h"

namespace wa::rooms {
namespace {

using capabilities::EmittedEvent;
using nlohmann::json;
using std::chrono::milliseconds;

std::vector<uint8_t> guest(const std::string& name) {
  const char* dir = std::getenv("WA_GUESTS_DIR");
  auto bytes = read_file_bytes(std::filesystem::path(dir ? dir : "guests") / (name + ".wasm"));
  return bytes ? std::move(bytes).value() : std::vector<uint8_t>{};
}

json payload_json(const EmittedEvent& event) {
  return json::parse(event.payload ? *event.payload : std::string(), nullptr, false);
}

// The events of `type`, in order.
std::vector<const EmittedEvent*> of_type(const EventResult& r, EmittedEvent::Type type) {
  std::vector<const EmittedEvent*> out;
  for (const auto& e : r.events) {
    if (e.type == type) out.push_back(&e);
  }
  return out;
}

class ChatExample : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = platform::testing::open_test_platform(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    platform_ = std::move(opened).value();
    auto token = platform_->accounts().register_user("ann", "password-1");
    ASSERT_TRUE(token.ok()) << token.error().message;
    runner_ = std::make_unique<RoomRunner>(*platform_);

    auto bytes = guest("chat");
    ASSERT_FALSE(bytes.empty()) << "chat.wasm not built (examples/chat, WA_GUESTS_DIR)";
    auto settings = platform::ActionSettings::defaults(platform_->config().limits);
    settings.capabilities.rooms = true;
    settings.capabilities.key_value_stores = {{"default", capabilities::Access::kReadWrite}};
    action_ =
        platform::testing::deploy_and_wait(*platform_, token->user.id, "chat", bytes, settings);
    ASSERT_TRUE(action_ && action_->current);
    ASSERT_NE(action_->current->status, platform::VersionStatus::kFailed)
        << action_->current->error;
  }

  EventResult join(const std::string& connection, const std::string& query) {
    auto r = runner_->on_join(*action_, "lobby", connection, {{"QUERY_STRING", query}}, &members_);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r ? std::move(r).value() : EventResult{};
  }

  EventResult say(const std::string& connection, const std::string& payload, bool binary = false) {
    auto r = runner_->on_message(*action_, "lobby", connection, payload, binary, &members_);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r ? std::move(r).value() : EventResult{};
  }

  platform::testing::TempDir dir_;
  std::unique_ptr<platform::Platform> platform_;
  std::unique_ptr<RoomRunner> runner_;
  std::shared_ptr<const platform::Action> action_;
  StaticDirectory members_;
};

TEST_F(ChatExample, JoinWelcomesTheNewcomerAndTellsTheOthers) {
  members_.set("lobby", {"c1"});
  EventResult first = join("c1", "name=Ann%20B");
  ASSERT_EQ(first.outcome, "ok");
  ASSERT_TRUE(first.ran);
  auto replies = of_type(first, EmittedEvent::Type::kReply);
  ASSERT_EQ(replies.size(), 1u);
  json welcome = payload_json(*replies[0]);
  EXPECT_EQ(welcome["type"], "welcome");
  EXPECT_EQ(welcome["id"], "c1");
  EXPECT_EQ(welcome["name"], "Ann B");
  EXPECT_EQ(welcome["members"], json::parse(R"([{"id":"c1","name":"Ann B"}])"));

  members_.set("lobby", {"c1", "c2"});
  EventResult second = join("c2", "name=%3Cbo%3E%0A");  // "<bo>\n": the newline is dropped
  auto broadcasts = of_type(second, EmittedEvent::Type::kBroadcast);
  ASSERT_EQ(broadcasts.size(), 1u);
  EXPECT_EQ(broadcasts[0]->except, std::vector<std::string>{"c2"});
  json notice = payload_json(*broadcasts[0]);
  EXPECT_EQ(notice["type"], "join");
  EXPECT_EQ(notice["name"], "<bo>");
  EXPECT_EQ(notice["members"].size(), 2u);
  EXPECT_EQ(notice["members"][0]["name"], "Ann B");  // kept in KV since the first join

  // No name: a guest name from the connection id.
  members_.set("lobby", {"c1", "c2", "conn-xyz9"});
  EventResult third = join("conn-xyz9", "");
  EXPECT_EQ(payload_json(*of_type(third, EmittedEvent::Type::kReply)[0])["name"], "guest-xyz9");
}

TEST_F(ChatExample, MessagesAreBroadcastWithTheSendersName) {
  members_.set("lobby", {"c1", "c2"});
  join("c1", "name=ann");
  join("c2", "name=bob");
  EventResult said = say("c1", R"({"type":"say","text":"  hello  "})");
  auto broadcasts = of_type(said, EmittedEvent::Type::kBroadcast);
  ASSERT_EQ(broadcasts.size(), 1u);
  EXPECT_TRUE(broadcasts[0]->except.empty());
  json message = payload_json(*broadcasts[0]);
  EXPECT_EQ(message["type"], "say");
  EXPECT_EQ(message["name"], "ann");
  EXPECT_EQ(message["text"], "hello");
  EXPECT_TRUE(message["at"].is_number_integer());

  // Plain text is a say too; "who" answers the sender only.
  EXPECT_EQ(payload_json(*of_type(say("c2", "plain words"), EmittedEvent::Type::kBroadcast)[0])
                .value("text", ""),
            "plain words");
  EventResult who = say("c2", R"({"type":"who"})");
  EXPECT_TRUE(of_type(who, EmittedEvent::Type::kBroadcast).empty());
  json members = payload_json(*of_type(who, EmittedEvent::Type::kReply)[0]);
  EXPECT_EQ(members["type"], "members");
  EXPECT_EQ(members["members"].size(), 2u);
}

TEST_F(ChatExample, RefusesWhatItCannotUseWithAnErrorReply) {
  members_.set("lobby", {"c1"});
  join("c1", "name=ann");
  for (auto [payload, binary] : std::vector<std::pair<std::string, bool>>{
           {std::string("\x00\xff", 2), true}, {"{not json", false}, {R"({"type":"x"})", false}}) {
    EventResult r = say("c1", payload, binary);
    EXPECT_EQ(r.outcome, "ok");
    EXPECT_TRUE(of_type(r, EmittedEvent::Type::kBroadcast).empty()) << payload;
    auto replies = of_type(r, EmittedEvent::Type::kReply);
    ASSERT_EQ(replies.size(), 1u) << payload;
    EXPECT_EQ(payload_json(*replies[0])["type"], "error") << payload;
  }
  // An empty say emits nothing at all.
  EXPECT_TRUE(say("c1", R"({"type":"say","text":"   "})").events.empty());
}

TEST_F(ChatExample, LeaveForgetsTheNameAndSendsTheNewMemberList) {
  members_.set("lobby", {"c1", "c2"});
  join("c1", "name=ann");
  join("c2", "name=bob");
  members_.set("lobby", {"c1"});  // the hub removes the member before onLeave runs
  auto left = runner_->on_leave(*action_, "lobby", "c2", &members_);
  ASSERT_TRUE(left.ok()) << left.error().message;
  auto broadcasts = of_type(*left, EmittedEvent::Type::kBroadcast);
  ASSERT_EQ(broadcasts.size(), 1u);
  json notice = payload_json(*broadcasts[0]);
  EXPECT_EQ(notice["type"], "leave");
  EXPECT_EQ(notice["name"], "bob");
  EXPECT_EQ(notice["members"], json::parse(R"([{"id":"c1","name":"ann"}])"));
  // The name is gone from KV: a message under the old id has a guest name.
  members_.set("lobby", {"c1", "c2"});
  json after = payload_json(*of_type(say("c2", "back?"), EmittedEvent::Type::kBroadcast)[0]);
  EXPECT_EQ(after["name"], "guest-c2");
}

}  // namespace
}  // namespace wa::rooms
