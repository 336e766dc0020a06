// The dashboard's rooms API over real HTTP and real WebSockets: GET /actions/NAME/rooms
// lists live rooms (connections, counters, recent events) and POST
// /actions/NAME/rooms/ROOM/messages runs onMessage as "dashboard" and delivers what it
// emitted to the members. The handler is the chat example (examples/chat), the clients
// are TestWsClient; scopes, owners and hostile bodies are checked too.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/base64.h"
#include "support/subprocess.h"
#include "test_api.h"
#include "test_ws_client.h"

namespace wa::testing {
namespace {

using gateway::ClientResponse;
using gateway::HttpClient;
using nlohmann::json;
using namespace std::chrono_literals;

json chat_settings() {
  return {{"capabilities",
           {{"rooms", true},
            {"key_value_stores", {{{"store", "default"}, {"access", "read-write"}}}}}}};
}

// A message the server sent, parsed (a discarded value if it is not JSON).
json parsed(const std::optional<WsMessage>& message) {
  if (!message) return json::value_t::discarded;
  return json::parse(message->data, nullptr, false);
}

class RoomsApi : public ServerTest {
 protected:
  RoomsApi() : ServerTest("wa-rooms-api-it") {}

  void SetUp() override {
    ServerTest::SetUp();
    client_ = std::make_unique<HttpClient>(client_for(start({"--compile-tiers", "fast"})));
    token_ = register_user(*client_, "alice");
    ASSERT_FALSE(token_.empty());
    deploy_or_fail(*client_, token_, "chat", "/chat/...", read_guest("chat"), chat_settings());
    wait_until_ready_or_fail(*client_, token_, "chat");
  }

  ClientResponse call(const std::string& method, const std::string& path,
                      const std::string& body = {}, const std::string& token = {}) {
    return send_request(*client_, method, "/api/v1" + path, token.empty() ? token_ : token, body);
  }

  // Joins `room` of alice's chat as `name`; returns the client after its welcome.
  std::unique_ptr<TestWsClient> join(const std::string& room, const std::string& name) {
    auto ws = std::make_unique<TestWsClient>();
    std::string error = ws->connect(server_->port(), "/rooms/alice/chat/" + room + "?name=" + name,
                                    {{"Origin", server_->url()}});
    EXPECT_EQ(error, "") << ws->handshake_status() << " " << ws->handshake_body();
    if (!error.empty()) return nullptr;
    // Other members' join notices may come first; the welcome is the joiner's own reply.
    for (int i = 0; i < 10; ++i) {
      json message = parsed(ws->read(10s));
      if (message.is_discarded()) break;
      if (message.value("type", "") == "welcome") return ws;
    }
    ADD_FAILURE() << name << " got no welcome in " << room;
    return nullptr;
  }

  // The next message of `type` that `ws` receives (others are skipped), or a discarded value.
  static json next_of_type(TestWsClient& ws, const std::string& type) {
    for (int i = 0; i < 20; ++i) {
      json message = parsed(ws.read(10s));
      if (message.is_discarded()) return message;
      if (message.value("type", "") == type) return message;
    }
    return json::value_t::discarded;
  }

  // The rooms listing, polled until `ready` holds (the hub counts asynchronously: a
  // message sent is counted once its event ran).
  template <typename Ready>
  json rooms_until(Ready ready) {
    json answer;
    for (int i = 0; i < 100; ++i) {
      ClientResponse r = call("GET", "/actions/chat/rooms");
      EXPECT_EQ(r.status, 200u) << r.body;
      answer = body_json(r);
      if (r.status != 200u || ready(answer)) return answer;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the rooms listing never got there: " << answer.dump();
    return answer;
  }

  static const json* room_in(const json& answer, const std::string& name) {
    if (!answer.contains("rooms") || !answer["rooms"].is_array()) return nullptr;
    for (const auto& room : answer["rooms"]) {
      if (room.value("room", "") == name) return &room;
    }
    return nullptr;
  }

  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

TEST_F(RoomsApi, ListsLiveRoomsWithConnectionsCountersAndRecentEvents) {
  ClientResponse empty = call("GET", "/actions/chat/rooms");
  ASSERT_EQ(empty.status, 200u) << empty.body;
  EXPECT_EQ(body_json(empty), json({{"rooms", json::array()}}));

  auto ann = join("lobby", "ann");
  auto bob = join("lobby", "bob");
  auto cy = join("kitchen", "cy");
  ASSERT_TRUE(ann && bob && cy);
  ASSERT_EQ(ann->send_text(R"({"type":"say","text":"hello"})"), "");
  ASSERT_EQ(next_of_type(*bob, "say").value("text", ""), "hello");

  json answer = rooms_until([](const json& a) {
    const json* lobby = room_in(a, "lobby");
    return lobby && (*lobby)["messages_in"] == 1;
  });
  const json* lobby = room_in(answer, "lobby");
  const json* kitchen = room_in(answer, "kitchen");
  ASSERT_TRUE(lobby && kitchen) << answer.dump();
  // Busiest first.
  EXPECT_EQ(answer["rooms"][0]["room"], "lobby");
  EXPECT_EQ((*lobby)["connections"], 2);
  EXPECT_EQ((*kitchen)["connections"], 1);
  EXPECT_EQ((*lobby)["persistent"], false);
  // The say went to both members; bob's join notice to ann; the welcomes are replies.
  EXPECT_GE((*lobby)["messages_out"].get<int>(), 3) << lobby->dump();
  EXPECT_GT((*lobby)["messages_per_second"].get<double>(), 0.0);
  std::vector<std::string> kinds;
  for (const auto& e : (*lobby)["recent"]) {
    kinds.push_back(e["kind"]);
    EXPECT_TRUE(e["time"].is_number_integer());
    EXPECT_TRUE(e["connection"].is_string());
    EXPECT_TRUE(e["summary"].is_string());
  }
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "join"), kinds.end()) << lobby->dump();
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "message"), kinds.end()) << lobby->dump();

  // A member leaves: the count follows.
  ASSERT_TRUE(bob->close().has_value());
  rooms_until([](const json& a) {
    const json* l = room_in(a, "lobby");
    return l && (*l)["connections"] == 1;
  });
}

TEST_F(RoomsApi, TestMessageRunsOnMessageAndReachesTheMembers) {
  auto ann = join("lobby", "ann");
  auto bob = join("lobby", "bob");
  ASSERT_TRUE(ann && bob);
  ASSERT_EQ(next_of_type(*ann, "join").value("name", ""), "bob");

  json body = {{"payload", R"({"type":"say","text":"from the dashboard"})"},
               {"payload_encoding", "utf8"}};
  ClientResponse r = call("POST", "/actions/chat/rooms/lobby/messages", body.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  json answer = body_json(r);
  EXPECT_EQ(answer["outcome"], "ok");
  EXPECT_EQ(answer["ran"], true);
  EXPECT_TRUE(answer["duration_ms"].is_number());
  EXPECT_GE(answer["duration_ms"].get<double>(), 0.0);
  ASSERT_TRUE(answer["events"].is_array());
  ASSERT_GE(answer["events"].size(), 1u) << r.body;
  const json& broadcast = answer["events"][0];
  EXPECT_EQ(broadcast["type"], "broadcast");
  EXPECT_EQ(broadcast["room"], "lobby");
  EXPECT_EQ(broadcast["service_id"], "alice/chat");
  EXPECT_EQ(broadcast["payload_encoding"], "utf8");
  json said = json::parse(broadcast["payload"].get<std::string>());
  EXPECT_EQ(said["name"], "dashboard");
  EXPECT_EQ(said["text"], "from the dashboard");

  // Both members got exactly what the answer shows.
  for (TestWsClient* ws : {ann.get(), bob.get()}) {
    json got = next_of_type(*ws, "say");
    EXPECT_EQ(got.value("text", ""), "from the dashboard");
    EXPECT_EQ(got.value("name", ""), "dashboard");
  }

  // The sender is not a member: a room nobody is in still runs the handler.
  ClientResponse alone =
      call("POST", "/actions/chat/rooms/empty-room/messages", json{{"payload", "hi"}}.dump());
  ASSERT_EQ(alone.status, 200u) << alone.body;
  EXPECT_EQ(body_json(alone)["events"][0]["type"], "broadcast");
}

// The chat's HTTP route posts into a room (room_select from an HTTP request): the members
// get the announcement, and the answer counts them.
TEST_F(RoomsApi, AnAnnouncementOverHttpReachesTheRoom) {
  auto ann = join("lobby", "ann");
  ASSERT_TRUE(ann);
  ClientResponse r = send_request(*client_, "POST", "/chat/rooms/lobby/announce", "",
                                  "maintenance at noon", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(body_json(r), json({{"room", "lobby"}, {"delivered_to", 1}}));
  EXPECT_EQ(next_of_type(*ann, "announce").value("text", ""), "maintenance at noon");
  // A room name the platform refuses is the route's 400, not a crash.
  ClientResponse bad = send_request(*client_, "POST", "/chat/rooms/a%20b/announce", "", "x",
                                    {{"Content-Type", "text/plain"}});
  EXPECT_EQ(bad.status, 400u) << bad.body;
}

TEST_F(RoomsApi, Base64PayloadArrivesAsBinaryAndTheReplyIsShown) {
  const std::string bytes("\x00\xff\x01hello", 8);
  json body = {{"payload", base64_encode(bytes)}, {"payload_encoding", "base64"}};
  ClientResponse r = call("POST", "/actions/chat/rooms/lobby/messages", body.dump());
  ASSERT_EQ(r.status, 200u) << r.body;
  json answer = body_json(r);
  // The chat refuses binary messages with a reply to the sender (here: the dashboard).
  ASSERT_EQ(answer["events"].size(), 1u) << r.body;
  EXPECT_EQ(answer["events"][0]["type"], "reply");
  EXPECT_EQ(answer["events"][0]["connection"], "dashboard");
  EXPECT_NE(answer["events"][0]["payload"].get<std::string>().find("text messages only"),
            std::string::npos);
}

TEST_F(RoomsApi, RefusesBadInputWithoutRunningAnything) {
  auto post = [&](const std::string& room, const std::string& body) {
    return call("POST", "/actions/chat/rooms/" + room + "/messages", body);
  };
  EXPECT_EQ(post("lobby", "").status, 400u);
  EXPECT_EQ(post("lobby", "not json").status, 400u);
  EXPECT_EQ(post("lobby", "[]").status, 400u);
  EXPECT_EQ(post("lobby", "{}").status, 400u);                 // no payload
  EXPECT_EQ(post("lobby", R"({"payload": 5})").status, 400u);  // not a string
  EXPECT_EQ(post("lobby", R"({"payload": "x", "payload_encoding": "hex"})").status, 400u);
  EXPECT_EQ(post("lobby", R"({"payload": "***", "payload_encoding": "base64"})").status, 400u);
  // Room names are one path segment of unreserved characters (%20 decodes to a space).
  EXPECT_EQ(post("a%20b", R"({"payload": "x"})").status, 400u);
  EXPECT_EQ(post(std::string(129, 'r'), R"({"payload": "x"})").status, 400u);
  // Over the message limit (1 MiB by default): 413, as a client's message would be closed.
  ClientResponse big = post("lobby", json{{"payload", std::string((1u << 20) + 1, 'x')}}.dump());
  EXPECT_EQ(big.status, 413u) << big.body;
  // Wrong methods.
  EXPECT_EQ(call("GET", "/actions/chat/rooms/lobby/messages").status, 405u);
  EXPECT_EQ(call("POST", "/actions/chat/rooms", "{}").status, 405u);
  EXPECT_EQ(call("GET", "/actions/chat/rooms/lobby").status, 404u);

  // Nothing of that reached the room's log of events.
  ClientResponse rooms = call("GET", "/actions/chat/rooms");
  ASSERT_EQ(rooms.status, 200u);
  EXPECT_EQ(body_json(rooms)["rooms"], json::array()) << rooms.body;
}

TEST_F(RoomsApi, ScopesOwnersAndGrants) {
  // A read-only token lists but cannot send.
  ClientResponse minted = call("POST", "/tokens", json{{"scopes", {"read"}}}.dump());
  ASSERT_EQ(minted.status, 201u) << minted.body;
  const std::string reader = body_json(minted)["token"];
  EXPECT_EQ(call("GET", "/actions/chat/rooms", {}, reader).status, 200u);
  ClientResponse refused =
      call("POST", "/actions/chat/rooms/lobby/messages", json{{"payload", "x"}}.dump(), reader);
  EXPECT_EQ(refused.status, 403u) << refused.body;

  // No credentials: 401.
  ClientResponse anonymous = send_request(*client_, "GET", "/api/v1/actions/chat/rooms", "", "");
  EXPECT_EQ(anonymous.status, 401u);

  // Another user sees a 404 for alice's action, like for one that does not exist.
  const std::string mallory = register_user(*client_, "mallory");
  ASSERT_FALSE(mallory.empty());
  EXPECT_EQ(call("GET", "/actions/chat/rooms", {}, mallory).status, 404u);
  EXPECT_EQ(
      call("POST", "/actions/chat/rooms/lobby/messages", json{{"payload", "x"}}.dump(), mallory)
          .status,
      404u);
  EXPECT_EQ(call("GET", "/actions/nothing/rooms").status, 404u);

  // An action without the rooms grant has no rooms and takes no test message.
  deploy_or_fail(*client_, token_, "plain", "/plain", read_guest("hello"));
  ClientResponse none = call("GET", "/actions/plain/rooms");
  ASSERT_EQ(none.status, 200u) << none.body;
  EXPECT_EQ(body_json(none)["rooms"], json::array());
  ClientResponse not_granted =
      call("POST", "/actions/plain/rooms/lobby/messages", json{{"payload", "x"}}.dump());
  EXPECT_EQ(not_granted.status, 409u) << not_granted.body;
}

// The deploy command of examples/chat/README.md: --rooms, --kv, --env and --room-mode
// reach the action's settings, and the page then knows where its rooms are.
TEST_F(RoomsApi, TheReadmesDeployCommandGrantsRoomsAndSetsTheMode) {
  const auto module = data_ / "chat.wasm";
  {
    std::ofstream out(module, std::ios::binary);
    out << read_guest("chat");
  }
  auto deploy = [&](std::vector<std::string> flags) {
    std::vector<std::string> argv = {server_binary(), "deploy", module.string(), "--name",
                                     "cli-chat"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"--server", server_->url(), "--token", token_});
    auto ran = run_subprocess(argv, data_, {});
    EXPECT_TRUE(ran) << ran.error().message;
    return ran ? *ran : SubprocessResult{};
  };
  SubprocessResult created =
      deploy({"--route", "/cli-chat/...", "--rooms", "--kv", "default:rw", "--env",
              "CHAT_ROOMS=/rooms/alice/cli-chat", "--room-mode", "persistent"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  json settings = body_json(call("GET", "/actions/cli-chat"))["settings"];
  EXPECT_EQ(settings["room_mode"], "persistent");
  EXPECT_EQ(settings["capabilities"]["rooms"], true);
  EXPECT_EQ(settings["capabilities"]["key_value_stores"][0]["access"], "read-write");
  EXPECT_EQ(settings["env"]["CHAT_ROOMS"], "/rooms/alice/cli-chat");
  wait_until_ready_or_fail(*client_, token_, "cli-chat");
  ClientResponse page = send_request(*client_, "GET", "/cli-chat");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_NE(page.body.find(R"(<meta name="chat-rooms" content="/rooms/alice/cli-chat">)"),
            std::string::npos);
  EXPECT_NE(page.body.find(R"(<meta name="chat-base" content="/cli-chat">)"), std::string::npos);
  ClientResponse client_js = send_request(*client_, "GET", "/cli-chat/rooms.js");
  ASSERT_EQ(client_js.status, 200u);
  EXPECT_NE(client_js.body.find("export function connectRoom"), std::string::npos);

  // Back to per-event; a mode the CLI does not know is refused before anything is sent.
  SubprocessResult back = deploy({"--room-mode", "per-event"});
  ASSERT_EQ(back.exit_code, 0) << back.output;
  EXPECT_EQ(body_json(call("GET", "/actions/cli-chat"))["settings"]["room_mode"], "per-event");
  const size_t versions = body_json(call("GET", "/actions/cli-chat"))["versions"].size();
  SubprocessResult bad = deploy({"--room-mode", "sometimes"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("sometimes"), std::string::npos) << bad.output;
  EXPECT_EQ(body_json(call("GET", "/actions/cli-chat"))["versions"].size(), versions);
}

}  // namespace
}  // namespace wa::testing
