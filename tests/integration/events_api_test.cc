// POST /api/v1/events and /api/v1/events:batch (issue 15): room events over real HTTP
// for a host that owns its own sockets. Exactly the events the guest emitted come back;
// bad input is a clear 4xx; another developer's action is a 404; scopes hold.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/base64.h"
#include "test_api.h"

namespace wa::testing {
namespace {

using nlohmann::json;

class EventsApiTest : public ServerTest {
 protected:
  EventsApiTest() : ServerTest("wa-events-it") {}

  void SetUp() override {
    ServerTest::SetUp();
    start({"--fast-password-hashing"});
    client_ = std::make_unique<gateway::HttpClient>(client_for(*server_));
    ann_ = register_user(*client_, "ann");
    bob_ = register_user(*client_, "bob");
  }

  void deploy_room(const std::string& name, const std::string& guest, json settings = {}) {
    if (settings.is_null()) settings = json::object();
    settings["capabilities"]["rooms"] = true;
    deploy_or_fail(*client_, ann_, name, "/" + name, read_guest(guest), settings);
    wait_until_ready_or_fail(*client_, ann_, name);
  }

  gateway::ClientResponse post(const std::string& path, const json& body,
                               const std::string& token) {
    return send_request(*client_, "POST", path, token, body.dump());
  }

  static json message(const std::string& action, const std::string& payload,
                      const std::string& room = "lobby", const std::string& connection = "c1") {
    return {{"action", action},
            {"event", "message"},
            {"room", room},
            {"connection", connection},
            {"payload", payload}};
  }

  std::unique_ptr<gateway::HttpClient> client_;
  std::string ann_;
  std::string bob_;
};

TEST_F(EventsApiTest, AMessageAnswersTheEventsTheGuestEmitted) {
  deploy_room("echo", "room_echo");
  auto answer = post("/api/v1/events", message("ann/echo", "hi"), ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json body = body_json(answer);
  EXPECT_EQ(body["outcome"], "ok");
  EXPECT_TRUE(body["ran"].get<bool>());
  EXPECT_TRUE(body["duration_ms"].is_number());
  ASSERT_EQ(body["events"].size(), 1u) << body.dump();
  const json& reply = body["events"][0];
  EXPECT_EQ(reply["type"], "reply");
  EXPECT_EQ(reply["room"], "lobby");
  EXPECT_EQ(reply["connection"], "c1");
  EXPECT_EQ(reply["service_id"], "ann/echo");
  EXPECT_EQ(reply["payload"], "1 message c1 text hi");
  EXPECT_EQ(reply["payload_encoding"], "utf8");
  EXPECT_EQ(reply["message_type"], "text");
}

TEST_F(EventsApiTest, EveryEventTypeAndGetRoomFromTheSuppliedMembership) {
  deploy_room("chat", "room_chat");
  const json members = {"c1", "c2", "c3"};
  // join: a broadcast to everyone and a reply to the joiner.
  json join = {{"action", "ann/chat"},
               {"event", "join"},
               {"room", "lobby"},
               {"connection", "c3"},
               {"connections", members}};
  auto answer = post("/api/v1/events", join, ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json events = body_json(answer)["events"];
  ASSERT_EQ(events.size(), 2u) << events.dump();
  EXPECT_EQ(events[0]["type"], "broadcast");
  EXPECT_EQ(events[0]["payload"], "join c3");
  EXPECT_EQ(events[1]["type"], "reply");
  EXPECT_EQ(events[1]["payload"], "you c3");
  // message: a broadcast leaving the sender out.
  json said = message("ann/chat", "hello", "lobby", "c1");
  said["connections"] = members;
  events = body_json(post("/api/v1/events", said, ann_))["events"];
  ASSERT_EQ(events.size(), 2u) << events.dump();
  EXPECT_EQ(events[0]["type"], "broadcast");
  EXPECT_EQ(events[0]["except"], json({"c1"}));
  EXPECT_EQ(events[1]["payload"], "ok 5");
  // GetRoom answers from what the caller supplied.
  json who = message("ann/chat", "who", "lobby", "c1");
  who["connections"] = members;
  events = body_json(post("/api/v1/events", who, ann_))["events"];
  ASSERT_EQ(events.size(), 1u) << events.dump();
  std::string listed = events[0]["payload"];
  for (const char* id : {"c1", "c2", "c3"}) EXPECT_NE(listed.find(id), std::string::npos) << listed;
  // to_connection: to a member; someone outside the supplied membership is not found (5).
  json to = message("ann/chat", "to c2 psst", "lobby", "c1");
  to["connections"] = members;
  events = body_json(post("/api/v1/events", to, ann_))["events"];
  ASSERT_EQ(events.size(), 2u) << events.dump();
  EXPECT_EQ(events[0]["type"], "to_connection");
  EXPECT_EQ(events[0]["connection"], "c2");
  EXPECT_EQ(events[0]["payload"], "psst");
  to = message("ann/chat", "to c9 psst", "lobby", "c1");
  to["connections"] = members;
  events = body_json(post("/api/v1/events", to, ann_))["events"];
  ASSERT_EQ(events.size(), 1u) << events.dump();
  EXPECT_EQ(events[0]["payload"], "sent 5");
  // leave, and a log line from stderr (room_echo).
  json leave = {{"action", "ann/chat"},
                {"event", "leave"},
                {"room", "lobby"},
                {"connection", "c3"},
                {"connections", {"c1", "c2"}}};
  events = body_json(post("/api/v1/events", leave, ann_))["events"];
  ASSERT_EQ(events.size(), 1u) << events.dump();
  EXPECT_EQ(events[0]["payload"], "leave c3");
  deploy_room("echo", "room_echo");
  events = body_json(post("/api/v1/events", message("ann/echo", "log"), ann_))["events"];
  ASSERT_EQ(events.size(), 2u) << events.dump();
  EXPECT_EQ(events[1]["type"], "log");
  EXPECT_EQ(events[1]["payload"], "logged from a room\n");
}

TEST_F(EventsApiTest, BinaryPayloadsTravelAsBase64BothWays) {
  deploy_room("echo", "room_echo");
  json event = message("ann/echo", base64_encode(std::string("\xff\x00\x01", 3)));
  event["payload_encoding"] = "base64";
  auto answer = post("/api/v1/events", event, ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  const json body = body_json(answer);
  const json& reply = body["events"][0];
  EXPECT_EQ(reply["payload_encoding"], "base64");
  EXPECT_EQ(reply["message_type"], "binary");
  // The guest prints the payload with %s: it stops at the NUL byte.
  EXPECT_EQ(base64_decode(reply["payload"].get<std::string>()).value(), "1 message c1 binary \xff");
}

TEST_F(EventsApiTest, ARefusedJoinEndsWithARefusal) {
  deploy_room("echo", "room_echo");
  json join = {{"action", "ann/echo"},  {"event", "join"},
               {"room", "lobby"},       {"connection", "c7"},
               {"connections", {"c1"}}, {"env", {{"QUERY_STRING", "deny=1"}}}};
  auto answer = post("/api/v1/events", join, ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json body = body_json(answer);
  EXPECT_EQ(body["outcome"], "exit_error");
  const json& last = body["events"].back();
  EXPECT_EQ(last["type"], "refused");
  EXPECT_EQ(last["close_code"], 1008);
  EXPECT_EQ(last["reason"], "no entry for c7");
  join["env"] = {{"QUERY_STRING", "name=ann"}};
  answer = post("/api/v1/events", join, ann_);
  ASSERT_EQ(answer.status, 200u);
  EXPECT_EQ(body_json(answer)["outcome"], "ok");
  EXPECT_TRUE(body_json(answer)["events"].empty());
}

TEST_F(EventsApiTest, ARunawayAnswersTimeout) {
  deploy_room("echo", "room_echo", {{"timeout_ms", 200}});
  auto answer = post("/api/v1/events", message("ann/echo", "spin"), ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json body = body_json(answer);
  EXPECT_EQ(body["outcome"], "timeout");
  EXPECT_EQ(body["events"].back()["type"], "error");
  // The action carries on.
  answer = post("/api/v1/events", message("ann/echo", "after"), ann_);
  EXPECT_EQ(body_json(answer)["outcome"], "ok");
}

TEST_F(EventsApiTest, BadInputIsAClear4xx) {
  deploy_room("echo", "room_echo");
  auto bad_json = send_request(*client_, "POST", "/api/v1/events", ann_, "{not json");
  EXPECT_EQ(bad_json.status, 400u);
  EXPECT_NE(bad_json.body.find("not valid JSON"), std::string::npos) << bad_json.body;

  json event = message("ann/echo", "%%%");
  event["payload_encoding"] = "base64";
  auto bad_base64 = post("/api/v1/events", event, ann_);
  EXPECT_EQ(bad_base64.status, 400u);
  EXPECT_NE(bad_base64.body.find("base64"), std::string::npos) << bad_base64.body;

  auto oversized =
      post("/api/v1/events", message("ann/echo", std::string((1u << 20) + 1, 'x')), ann_);
  EXPECT_EQ(oversized.status, 413u) << oversized.body;

  json kind = message("ann/echo", "x");
  kind["event"] = "explode";
  EXPECT_EQ(post("/api/v1/events", kind, ann_).status, 400u);
  EXPECT_EQ(post("/api/v1/events", message("ann/echo", "x", "bad room"), ann_).status, 400u);
  EXPECT_EQ(post("/api/v1/events", message("ann/echo", "x", "lobby", "bad id!"), ann_).status,
            400u);
  json members = message("ann/echo", "x");
  members["connections"] = {"ok", "not ok"};
  EXPECT_EQ(post("/api/v1/events", members, ann_).status, 400u);
  EXPECT_EQ(send_request(*client_, "GET", "/api/v1/events", ann_).status, 405u);
}

TEST_F(EventsApiTest, OnlyTheDeveloperWithTheEventsScopeMayRunItsActions) {
  deploy_room("echo", "room_echo");
  deploy_or_fail(*client_, ann_, "plain", "/plain", read_guest("room_echo"),
                 {{"entry", "onMessage"}});
  EXPECT_EQ(post("/api/v1/events", message("ann/echo", "x"), bob_).status, 404u);
  EXPECT_EQ(post("/api/v1/events", message("ann/plain", "x"), ann_).status, 404u);
  EXPECT_EQ(post("/api/v1/events", message("ann/nope", "x"), ann_).status, 404u);
  EXPECT_EQ(post("/api/v1/events", message("ann/echo", "x"), "").status, 401u);
  // A token without the events scope.
  auto minted = post("/api/v1/tokens", {{"name", "reader"}, {"scopes", {"read"}}}, ann_);
  ASSERT_EQ(minted.status, 201u) << minted.body;
  const std::string reader = body_json(minted)["token"];
  EXPECT_EQ(post("/api/v1/events", message("ann/echo", "x"), reader).status, 403u);
  minted = post("/api/v1/tokens", {{"name", "host"}, {"scopes", {"events"}}}, ann_);
  ASSERT_EQ(minted.status, 201u) << minted.body;
  EXPECT_EQ(post("/api/v1/events", message("ann/echo", "x"), body_json(minted)["token"]).status,
            200u);
}

TEST_F(EventsApiTest, ABatchAnswersInOrderAndKeepsEachRoomsOrder) {
  deploy_room("game", "room_echo", {{"room_mode", "persistent"}});
  json batch = {{"events", json::array()}};
  for (int i = 0; i < 100; ++i)
    batch["events"].push_back(message("ann/game", "m" + std::to_string(i), i % 2 ? "a" : "b"));
  batch["events"].push_back(message("ann/nope", "x"));
  auto answer = post("/api/v1/events:batch", batch, ann_);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  json results = body_json(answer)["results"];
  ASSERT_EQ(results.size(), 101u);
  for (int i = 0; i < 100; ++i) {
    // Each room's instance counts its own messages: 1, 2, 3, ... in the order sent.
    const std::string expected = std::to_string(i / 2 + 1) + " ";
    ASSERT_EQ(results[i]["events"][0]["payload"].get<std::string>().substr(0, expected.size()),
              expected)
        << i << ": " << results[i].dump();
  }
  EXPECT_EQ(results[100]["status"], 404);
  EXPECT_EQ(results[100]["error"], "not_found");
  json too_many = {{"events", json::array()}};
  for (int i = 0; i < 1001; ++i) too_many["events"].push_back(message("ann/game", "x"));
  EXPECT_EQ(post("/api/v1/events:batch", too_many, ann_).status, 413u);
  EXPECT_EQ(post("/api/v1/events:batch", {{"events", "no"}}, ann_).status, 400u);
}

}  // namespace
}  // namespace wa::testing
