// The room endpoint of the real server: what /rooms/<owner>/<action>/<room> accepts and
// refuses before a WebSocket opens (method, upgrade, room name, grant, Origin), a join
// end to end, the --room-* limits, an HTTP request posting into a room, and shutdown.
// (The rooms behaviour at large is tests/integration/rooms_test.cc.)
#include <gtest/gtest.h>

#include <csignal>

#include "test_api.h"
#include "test_ws_client.h"

namespace wa::testing {
namespace {

using namespace std::chrono_literals;

class RoomEndpointTest : public ServerTest {
 protected:
  RoomEndpointTest() : ServerTest("wa-room-endpoint") {}

  // Starts a server with `args`, registers ann and deploys hub_chat as "chat" (rooms
  // granted) and "plain" (not granted).
  void start_with(std::vector<std::string> args = {}) {
    args.push_back("--fast-password-hashing");
    start(std::move(args));
    auto client = client_for(*server_);
    token_ = register_user(client, "ann");
    ASSERT_FALSE(token_.empty());
    nlohmann::json rooms = {{"capabilities", {{"rooms", true}}}};
    deploy_or_fail(client, token_, "chat", "/chat", read_guest("hub_chat"), rooms);
    deploy_or_fail(client, token_, "plain", "/plain", read_guest("hub_chat"));
    wait_until_ready_or_fail(client, token_, "chat");
    wait_until_ready_or_fail(client, token_, "plain");
  }

  std::string own_origin() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::string token_;
};

TEST_F(RoomEndpointTest, JoinsAndTalksOverAWebSocket) {
  start_with();
  TestWsClient a;
  ASSERT_EQ(a.connect(server_->port(), "/rooms/ann/chat/lobby", {{"Origin", own_origin()}}), "");
  auto joined = a.read();
  ASSERT_TRUE(joined);
  ASSERT_TRUE(joined->data.starts_with("joined ")) << joined->data;
  std::string a_id = joined->data.substr(7);
  TestWsClient b;
  ASSERT_EQ(b.connect(server_->port(), "/rooms/ann/chat/lobby"), "");  // no Origin: not a browser
  auto b_joined = b.read();
  ASSERT_TRUE(b_joined);
  std::string b_id = b_joined->data.substr(7);
  EXPECT_NE(a_id, b_id);
  auto seen_by_a = a.read();
  ASSERT_TRUE(seen_by_a);
  EXPECT_EQ(seen_by_a->data, "joined " + b_id);

  ASSERT_EQ(b.send_text("hello"), "");
  auto hello = a.read();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->data, "hello");
  EXPECT_FALSE(hello->binary);
  auto own = b.read();  // a broadcast reaches its sender too
  ASSERT_TRUE(own);
  EXPECT_EQ(own->data, "hello");
  std::string bytes("\x00\xfe\xff", 3);
  ASSERT_EQ(a.send_binary(bytes), "");
  auto binary = b.read();
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->data, bytes);
  EXPECT_TRUE(binary->binary);
  auto own_binary = a.read();
  ASSERT_TRUE(own_binary);
  EXPECT_EQ(own_binary->data, bytes);

  b.close();
  auto left = a.read();
  ASSERT_TRUE(left);
  EXPECT_EQ(left->data, "left " + b_id);
}

TEST_F(RoomEndpointTest, RefusesWhatIsNotARoomJoin) {
  start_with();
  auto client = client_for(*server_);
  auto plain_get = send_request(client, "GET", "/rooms/ann/chat/lobby");
  EXPECT_EQ(plain_get.status, 426u) << plain_get.body;
  auto post = send_request(client, "POST", "/rooms/ann/chat/lobby", "", "{}");
  EXPECT_EQ(post.status, 405u);
  auto shape = send_request(client, "GET", "/rooms/ann/chat");
  EXPECT_EQ(shape.status, 404u);

  TestWsClient ws;
  EXPECT_NE(ws.connect(server_->port(), "/rooms/ann/chat/no%20spaces"), "");
  EXPECT_EQ(ws.handshake_status(), 400u);
  TestWsClient nobody;
  EXPECT_NE(nobody.connect(server_->port(), "/rooms/ann/missing/lobby"), "");
  EXPECT_EQ(nobody.handshake_status(), 404u);
  TestWsClient ungranted;  // deployed, but not granted rooms: the same 404
  EXPECT_NE(ungranted.connect(server_->port(), "/rooms/ann/plain/lobby"), "");
  EXPECT_EQ(ungranted.handshake_status(), 404u);
  EXPECT_EQ(ungranted.handshake_body(), "no room handler at /rooms/ann/plain\n");
  TestWsClient stranger;
  EXPECT_NE(stranger.connect(server_->port(), "/rooms/bob/chat/lobby"), "");
  EXPECT_EQ(stranger.handshake_status(), 404u);
}

TEST_F(RoomEndpointTest, ChecksTheOrigin) {
  start_with();
  const auto port = server_->port();
  const std::string target = "/rooms/ann/chat/lobby";
  auto status_for = [&](const std::string& origin) {
    TestWsClient ws;
    ws.connect(port, target, {{"Origin", origin}});
    return ws.handshake_status();
  };
  EXPECT_EQ(status_for(own_origin()), 101u);
  EXPECT_EQ(status_for("http://evil.example"), 403u);
  EXPECT_EQ(status_for("null"), 403u);
  // The dashboard's page holds a developer's token: never its origin by default.
  ASSERT_FALSE(server_->dashboard_url().empty());
  EXPECT_EQ(status_for(server_->dashboard_url()), 403u);
}

TEST_F(RoomEndpointTest, ListedOriginsAreAllowed) {
  start_with({"--room-origins", "http://chat.example,https://other.example:8443"});
  const auto port = server_->port();
  auto status_for = [&](const std::string& origin) {
    TestWsClient ws;
    ws.connect(port, "/rooms/ann/chat/lobby", {{"Origin", origin}});
    return ws.handshake_status();
  };
  EXPECT_EQ(status_for("http://chat.example"), 101u);
  EXPECT_EQ(status_for("https://other.example:8443"), 101u);
  EXPECT_EQ(status_for("https://chat.example"), 403u);
  EXPECT_EQ(status_for("http://evil.example"), 403u);
}

TEST_F(RoomEndpointTest, ARefusedJoinClosesWithTheGuestsReason) {
  start_with();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(server_->port(), "/rooms/ann/chat/lobby?deny=1"), "");
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1008);
  EXPECT_TRUE(closed->reason.starts_with("no entry for ")) << closed->reason;
  EXPECT_EQ(ws.discarded(), 0u);
}

TEST_F(RoomEndpointTest, TheMessageSizeLimitComesFromTheFlag) {
  start_with({"--room-max-message-kb", "1"});
  TestWsClient ws;
  ASSERT_EQ(ws.connect(server_->port(), "/rooms/ann/chat/lobby"), "");
  ASSERT_TRUE(ws.read());  // its join
  ASSERT_EQ(ws.send_text(std::string(1024, 'a')), "");
  auto echoed = ws.read();
  ASSERT_TRUE(echoed);
  EXPECT_EQ(echoed->data.size(), 1024u);
  ws.send_text(std::string(1025, 'a'));
  auto closed = ws.expect_close();
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1009);
}

TEST_F(RoomEndpointTest, AnHttpRequestPostsIntoARoom) {
  start_with();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(server_->port(), "/rooms/ann/chat/news"), "");
  ASSERT_TRUE(ws.read());  // its join
  auto client = client_for(*server_);
  auto posted = send_request(client, "POST", "/chat?room=news", "", "extra extra");
  EXPECT_EQ(posted.status, 200u) << posted.body;
  EXPECT_EQ(posted.body, "posted 0\n");
  auto message = ws.read();
  ASSERT_TRUE(message);
  EXPECT_EQ(message->data, "extra extra");
}

TEST_F(RoomEndpointTest, ShutdownClosesRoomsGoingAway) {
  start_with();
  TestWsClient ws;
  ASSERT_EQ(ws.connect(server_->port(), "/rooms/ann/chat/lobby"), "");
  ASSERT_TRUE(ws.read());
  server_->signal(SIGTERM);
  auto closed = ws.expect_close(30s);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->code, 1001);
  EXPECT_EQ(server_->stop(), 0);
}

}  // namespace
}  // namespace wa::testing
