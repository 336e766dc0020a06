// Rooms over WebSockets (issue 11) through the real server binary: real WebSocket clients
// over TCP (tests/support/test_ws_client.h) against `/rooms/<owner>/<action>/<room>`, with
// the room handlers of tests/guests:
//   room_chat.c     join/leave broadcasts, "who", "to <id> <text>", "loop", "count",
//                   a refused join (?deny=1), and an HTTP route that posts into a room
//   room_counter.c  a C global counter, for persistent mode (and "trap")
// Every read has a generous timeout so a broken server fails a test instead of hanging
// it; nothing here asserts how fast anything is.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "test_api.h"
#include "test_ws_client.h"

namespace wa::testing {
namespace {

using gateway::HttpClient;
using nlohmann::json;
using std::chrono::seconds;

json rooms_settings(json extra = json::object()) {
  json settings = {{"capabilities",
                    {{"rooms", true},
                     {"key_value_stores", {{{"store", "default"}, {"access", "read-write"}}}}}}};
  settings.update(extra);
  return settings;
}

std::set<std::string> id_set(const std::string& lines) {
  std::set<std::string> out;
  for (auto& line : lines_of(lines))
    if (!line.empty()) out.insert(line);
  return out;
}

// A text of `n` bytes that is no valid UTF-8 anywhere (0xFF never occurs in UTF-8).
std::string binary_bytes(size_t n) {
  std::string out(n, '\0');
  std::mt19937 random(42);
  for (auto& c : out) c = static_cast<char>(random() & 0xFF);
  out[0] = '\xFF';
  return out;
}

// One member of a room: its client and the connection id its onJoin replied ("you <id>").
struct Member {
  std::unique_ptr<TestWsClient> ws = std::make_unique<TestWsClient>();
  std::string id;
};

// The next message's text, or a marker saying why there was none.
std::string next(TestWsClient& ws, std::chrono::milliseconds timeout = seconds(20)) {
  auto message = ws.read(timeout);
  if (message) return message->data;
  if (ws.closed())
    return "<closed " + std::to_string(ws.close_info()->code) + " " + ws.close_info()->reason + ">";
  return "<nothing within the timeout>";
}

// Reads until a message equal to `want`; what came before goes to `before`. False if
// the connection closed or nothing came in time.
bool read_until(TestWsClient& ws, const std::string& want,
                std::vector<std::string>* before = nullptr) {
  while (true) {
    auto message = ws.read(seconds(20));
    if (!message) return false;
    if (message->data == want) return true;
    if (before) before->push_back(message->data);
  }
}

class RoomsTest : public ServerTest {
 protected:
  RoomsTest() : ServerTest("wa-rooms-it") {}

  void start_server(std::vector<std::string> extra = {}) {
    start(std::move(extra));
    client_ = std::make_unique<HttpClient>(client_for(*server_));
    ann_ = register_user(*client_, "ann");
    ASSERT_FALSE(ann_.empty());
  }

  // Deploys `guest` as ann's action `name` (route /name) and waits for its first tier.
  void deploy_room_action(const std::string& name, const std::string& guest = "room_chat",
                          const json& settings = rooms_settings()) {
    deploy_or_fail(*client_, ann_, name, "/" + name, read_guest(guest), settings);
    wait_until_ready_or_fail(*client_, ann_, name);
  }

  static std::string path(const std::string& room, const std::string& action = "chat",
                          const std::string& owner = "ann") {
    return "/rooms/" + owner + "/" + action + "/" + room;
  }

  // Joins `room` of room_chat action `action`: connected, and its own "you <id>" read
  // (with its own "join <id>" before it).
  Member join(const std::string& room, const std::string& action = "chat") {
    Member member;
    std::string error = member.ws->connect(server_->port(), path(room, action));
    EXPECT_EQ(error, "") << "status " << member.ws->handshake_status() << ": "
                         << member.ws->handshake_body();
    if (!error.empty()) return member;
    while (true) {
      auto message = member.ws->read(seconds(20));
      if (!message) {
        ADD_FAILURE() << "no \"you <id>\" after joining " << room << ": " << next(*member.ws);
        return member;
      }
      if (message->data.rfind("you ", 0) == 0) {
        member.id = message->data.substr(4);
        return member;
      }
    }
  }

  // `count` members of `room`, joined one after the other; each one's join notice is
  // read by those already in, so every queue is empty afterwards.
  std::vector<Member> join_all(const std::string& room, size_t count,
                               const std::string& action = "chat") {
    std::vector<Member> members;
    for (size_t i = 0; i < count; ++i) {
      members.push_back(join(room, action));
      for (size_t j = 0; j + 1 < members.size(); ++j) {
        std::vector<std::string> before;
        EXPECT_TRUE(read_until(*members[j].ws, "join " + members.back().id, &before))
            << "member " << j << " did not see member " << i << " join";
        EXPECT_TRUE(before.empty()) << "unexpected: " << before.front();
      }
    }
    return members;
  }

  std::unique_ptr<HttpClient> client_;
  std::string ann_;
};

TEST_F(RoomsTest, JoinAndLeaveBroadcastsReachTheOthers) {
  start_server();
  deploy_room_action("chat");
  auto a = join("lobby");
  ASSERT_FALSE(a.id.empty());
  auto b = join("lobby");
  EXPECT_EQ(next(*a.ws), "join " + b.id);
  auto c = join("lobby");
  EXPECT_EQ(next(*a.ws), "join " + c.id);
  EXPECT_EQ(next(*b.ws), "join " + c.id);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(b.id, c.id);

  // A clean close, then a client that vanishes without a close frame: both are leaves.
  auto closed = c.ws->close();
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1000);
  EXPECT_EQ(next(*a.ws), "leave " + c.id);
  EXPECT_EQ(next(*b.ws), "leave " + c.id);
  b.ws->drop();
  EXPECT_EQ(next(*a.ws), "leave " + b.id);
}

TEST_F(RoomsTest, WhoListsEveryMember) {
  start_server();
  deploy_room_action("chat");
  auto members = join_all("lobby", 4);
  std::set<std::string> want;
  for (auto& m : members) want.insert(m.id);
  ASSERT_EQ(want.size(), 4u);

  ASSERT_EQ(members[1].ws->send_text("who"), "");
  EXPECT_EQ(id_set(next(*members[1].ws)), want);

  members[3].ws->drop();
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(next(*members[i].ws), "leave " + members[3].id);
  want.erase(members[3].id);
  ASSERT_EQ(members[0].ws->send_text("who"), "");
  EXPECT_EQ(id_set(next(*members[0].ws)), want);
}

TEST_F(RoomsTest, SendToOneConnection) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 3);
  ASSERT_EQ(m[0].ws->send_text("to " + m[1].id + " psst"), "");
  EXPECT_EQ(next(*m[0].ws), "sent 0");
  EXPECT_EQ(next(*m[1].ws), "psst");
  // Events of a room are delivered in order: had "psst" reached the third member too,
  // it would come before this.
  ASSERT_EQ(m[0].ws->send_text("to " + m[2].id + " marker"), "");
  EXPECT_EQ(next(*m[0].ws), "sent 0");
  EXPECT_EQ(next(*m[2].ws), "marker");
  // Not in the room: 5 (not_found), and nobody gets anything.
  ASSERT_EQ(m[0].ws->send_text("to nobody-here hello"), "");
  EXPECT_EQ(next(*m[0].ws), "sent 5");
  // A member of another room of the same action is not in this one either.
  auto other = join("elsewhere");
  ASSERT_EQ(m[0].ws->send_text("to " + other.id + " hello"), "");
  EXPECT_EQ(next(*m[0].ws), "sent 5");
  ASSERT_EQ(m[0].ws->send_text("to " + m[1].id + " last"), "");
  EXPECT_EQ(next(*m[1].ws), "last");
}

TEST_F(RoomsTest, TextStaysTextAndBinaryStaysBinary) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 2);

  ASSERT_EQ(m[0].ws->send_text("h\xC3\xA9llo"), "");
  EXPECT_EQ(next(*m[0].ws), "ok 6");
  auto text = m[1].ws->read(seconds(20));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->data, "h\xC3\xA9llo");
  EXPECT_FALSE(text->binary);

  const std::string bytes("\x00\xFF\x80 binary\x00", 10);
  ASSERT_EQ(m[0].ws->send_binary(bytes), "");
  EXPECT_EQ(next(*m[0].ws), "ok 10");
  auto binary = m[1].ws->read(seconds(20));
  ASSERT_TRUE(binary.has_value());
  EXPECT_EQ(binary->data, bytes);
  EXPECT_TRUE(binary->binary) << "a payload that is not UTF-8 goes out as a binary frame";
}

TEST_F(RoomsTest, SixtyFourKibMessagesRoundTrip) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 2);

  const std::string bytes = binary_bytes(64 << 10);
  ASSERT_EQ(m[0].ws->send_binary(bytes), "");
  EXPECT_EQ(next(*m[0].ws), "ok 65536");
  auto got = m[1].ws->read(seconds(20));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->binary);
  EXPECT_TRUE(got->data == bytes) << "64 KiB arrived as " << got->data.size() << " bytes";

  const std::string text(64 << 10, 'x');
  ASSERT_EQ(m[1].ws->send_text(text), "");
  EXPECT_EQ(next(*m[1].ws), "ok 65536");
  got = m[0].ws->read(seconds(20));
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->binary);
  EXPECT_TRUE(got->data == text);
}

TEST_F(RoomsTest, MessageOverTheLimitClosesWith1009) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 2);
  // The default limit is 1 MiB; the server may close before it read all of it.
  (void)m[0].ws->send_binary(std::string((1u << 20) + 1, 'x'), seconds(30));
  auto closed = m[0].ws->expect_close(seconds(30));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1009);
  // The room lives on without it.
  EXPECT_EQ(next(*m[1].ws), "leave " + m[0].id);
  ASSERT_EQ(m[1].ws->send_text("who"), "");
  EXPECT_EQ(next(*m[1].ws), m[1].id);
}

TEST_F(RoomsTest, RefusedJoinClosesWith1008AndTheHandlersReason) {
  start_server();
  deploy_room_action("chat");
  auto a = join("lobby");
  TestWsClient refused;
  ASSERT_EQ(refused.connect(server_->port(), path("lobby") + "?deny=1"), "");
  auto closed = refused.expect_close(seconds(20));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->code, 1008);
  EXPECT_EQ(closed->reason, "no entry");
  EXPECT_EQ(refused.discarded(), 0u) << "a refused connection gets no room messages";

  // The refused connection never was a member: the next thing the room sees is b.
  auto b = join("lobby");
  EXPECT_EQ(next(*a.ws), "join " + b.id);
  ASSERT_EQ(a.ws->send_text("who"), "");
  EXPECT_EQ(id_set(next(*a.ws)), (std::set<std::string>{a.id, b.id}));
}

TEST_F(RoomsTest, RunawayHandlerIsHaltedAndTheRoomLivesOn) {
  start_server();
  deploy_room_action("chat", "room_chat", rooms_settings({{"timeout_ms", 200}}));
  auto m = join_all("lobby", 2);
  ASSERT_EQ(m[0].ws->send_text("loop"), "");
  ASSERT_EQ(m[0].ws->send_text("after the loop"), "");
  // Nothing for the halted event (its error is in the log, not sent), then the answer.
  EXPECT_EQ(next(*m[0].ws), "ok 14");
  EXPECT_EQ(next(*m[1].ws), "after the loop");
  ASSERT_EQ(m[1].ws->send_text("who"), "");
  EXPECT_EQ(id_set(next(*m[1].ws)), (std::set<std::string>{m[0].id, m[1].id}));
  EXPECT_TRUE(m[0].ws->is_open());
  const std::string logs = action_logs(*client_, ann_, "chat");
  EXPECT_NE(logs.find("timeout"), std::string::npos) << logs;
}

// decisions.md: a client that never reads is dropped once ~1 MiB is queued for it; the
// others keep receiving.
TEST_F(RoomsTest, ClientThatNeverReadsIsDroppedWhileOthersKeepReceiving) {
  start_server();
  deploy_room_action("chat");
  auto sender = join("lobby");
  auto reader = join("lobby");
  ASSERT_TRUE(read_until(*sender.ws, "join " + reader.id));

  Member slow;
  TestWsClient::Options small;
  small.receive_buffer_bytes = 4096;
  ASSERT_EQ(slow.ws->connect(server_->port(), path("lobby"), {}, small), "");
  // Its own "you <id>" is not read: the slow client never reads. Its id comes from the
  // others' join notice.
  auto notice = next(*sender.ws);
  ASSERT_EQ(notice.rfind("join ", 0), 0u) << notice;
  slow.id = notice.substr(5);
  EXPECT_EQ(next(*reader.ws), notice);

  // 256 KiB per message: the slow client's socket buffers fill, then its queue passes
  // 1 MiB. The reader must get every message, in order, all along. The slow client's
  // leave notice may come between any two messages, to the sender and to the reader.
  const std::string leave = "leave " + slow.id;
  bool reader_saw_leave = false, sender_saw_leave = false;
  auto next_skipping_leave = [&](TestWsClient& ws, bool& seen) {
    std::string text = next(ws);
    if (text == leave && !seen) {
      seen = true;
      text = next(ws);
    }
    return text;
  };
  // What can be in flight to a client that never reads: the server's socket send buffer
  // (at most tcp_wmem's maximum), the client's tiny receive buffer and the 1 MiB queue.
  // Past twice that, the slow client must have left the room: a drop that waits for a
  // close frame it will never read would keep a dead member (a bound on data, not time).
  uint64_t send_buffer_max = 4u << 20;
  {
    std::ifstream wmem("/proc/sys/net/ipv4/tcp_wmem");
    uint64_t low = 0, initial = 0, max = 0;
    if (wmem >> low >> initial >> max) send_buffer_max = max;
  }
  const int max_messages = static_cast<int>(2 * (send_buffer_max + (2u << 20)) / (256 << 10));
  const std::string chunk = binary_bytes(256 << 10);
  int sent = 0;
  for (; sent < max_messages && !reader_saw_leave; ++sent) {
    std::string message = chunk;
    message.replace(1, 8, std::to_string(10000000 + sent));
    ASSERT_EQ(sender.ws->send_binary(message), "") << "message " << sent;
    ASSERT_EQ(next_skipping_leave(*sender.ws, sender_saw_leave), "ok 262144") << "message " << sent;
    std::string got = next_skipping_leave(*reader.ws, reader_saw_leave);
    ASSERT_TRUE(got == message) << "message " << sent << " arrived changed, out of order or not"
                                << " at all (" << got.size() << " bytes)";
  }
  ASSERT_TRUE(reader_saw_leave) << "the slow client was still in the room after " << sent
                                << " messages of 256 KiB";
  std::printf("[ rooms    ] slow client dropped after %d messages of 256 KiB\n", sent);
  // The room goes on without it.
  ASSERT_EQ(sender.ws->send_text("who"), "");
  EXPECT_EQ(id_set(next_skipping_leave(*sender.ws, sender_saw_leave)),
            (std::set<std::string>{sender.id, reader.id}));
  EXPECT_TRUE(sender_saw_leave);
  // Whatever it still gets from its socket buffers, the slow client ends closed.
  auto closed = slow.ws->expect_close(seconds(60));
  ASSERT_TRUE(closed.has_value());
  EXPECT_TRUE(closed->code == 1008 || closed->code == 1006) << closed->code;
  std::printf("[ rooms    ] slow client closed with %d \"%s\" after %zu buffered messages\n",
              closed->code, closed->reason.c_str(), slow.ws->discarded());
}

TEST_F(RoomsTest, HundredRoomsAtOnceKeepTheirMessages) {
  start_server();
  deploy_room_action("chat");
  constexpr int kRooms = 100;
  std::vector<std::vector<Member>> rooms;
  for (int r = 0; r < kRooms; ++r) rooms.push_back(join_all("room-" + std::to_string(r), 2));

  // All rooms' messages are in flight together before anyone reads.
  for (int r = 0; r < kRooms; ++r)
    ASSERT_EQ(rooms[r][0].ws->send_text("hello room-" + std::to_string(r)), "");
  for (int r = 0; r < kRooms; ++r)
    ASSERT_EQ(rooms[r][1].ws->send_text("back room-" + std::to_string(r)), "");
  for (int r = 0; r < kRooms; ++r) {
    const std::string hello = "hello room-" + std::to_string(r);
    const std::string back = "back room-" + std::to_string(r);
    // Each member's very next two messages are its own room's (the reply to its message
    // and the other member's, in either order): anything from another room would show.
    auto a1 = next(*rooms[r][0].ws);
    auto a2 = next(*rooms[r][0].ws);
    EXPECT_EQ((std::set<std::string>{a1, a2}),
              (std::set<std::string>{"ok " + std::to_string(hello.size()), back}))
        << "room " << r;
    auto b1 = next(*rooms[r][1].ws);
    auto b2 = next(*rooms[r][1].ws);
    EXPECT_EQ((std::set<std::string>{b1, b2}),
              (std::set<std::string>{hello, "ok " + std::to_string(back.size())}))
        << "room " << r;
  }
  for (int r = 0; r < kRooms; ++r) {
    ASSERT_EQ(rooms[r][0].ws->send_text("who"), "");
    EXPECT_EQ(id_set(next(*rooms[r][0].ws)),
              (std::set<std::string>{rooms[r][0].id, rooms[r][1].id}));
  }
}

// decisions.md: state kept across 1,000 events; a trap in event 500 discards the instance
// and event 501 runs on a fresh one; no process crash.
TEST_F(RoomsTest, PersistentRoomKeepsStateAndATrapStartsAFreshInstance) {
  // 1,000 messages back to back from one client: above the default rate limit.
  start_server({"--room-messages-per-second", "100000"});
  deploy_room_action("counter", "room_counter", rooms_settings({{"room_mode", "persistent"}}));
  TestWsClient ws;
  ASSERT_EQ(ws.connect(server_->port(), path("main", "counter")), "");
  for (int event = 1; event <= 1000; ++event) {
    if (event == 500) {
      ASSERT_EQ(ws.send_text("trap"), "");
      continue;  // a trap sends nothing
    }
    ASSERT_EQ(ws.send_text("m"), "");
    const int want = event < 500 ? event : event - 500;
    ASSERT_EQ(next(ws), std::to_string(want)) << "event " << event;
  }
  // Another room has its own instance; the first keeps counting.
  TestWsClient other;
  ASSERT_EQ(other.connect(server_->port(), path("other", "counter")), "");
  ASSERT_EQ(other.send_text("m"), "");
  EXPECT_EQ(next(other), "1");
  ASSERT_EQ(ws.send_text("m"), "");
  EXPECT_EQ(next(ws), "501");
  EXPECT_TRUE(server_->alive()) << server_->exit_description();
  const std::string logs = action_logs(*client_, ann_, "counter");
  EXPECT_NE(logs.find("unreachable"), std::string::npos) << logs.substr(0, 2000);
}

TEST_F(RoomsTest, PerEventModeKeepsNoState) {
  start_server();
  deploy_room_action("counter", "room_counter");  // room_mode per-event (the default)
  TestWsClient ws;
  ASSERT_EQ(ws.connect(server_->port(), path("main", "counter")), "");
  for (int event = 1; event <= 20; ++event) {
    ASSERT_EQ(ws.send_text("m"), "");
    ASSERT_EQ(next(ws), "1") << "event " << event;
  }
}

TEST_F(RoomsTest, KvWorksInsideARoomHandler) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 2);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(m[i % 2].ws->send_text("count"), "");
    EXPECT_EQ(next(*m[i % 2].ws), "count " + std::to_string(i));
  }
  auto value = send_request(*client_, "GET", "/api/v1/kv/default/values/messages", ann_);
  EXPECT_EQ(value.status, 200u);
  EXPECT_EQ(value.body, "3");

  // Without a KV grant the same handler gets access_denied (6).
  deploy_room_action("nokv", "room_chat", {{"capabilities", {{"rooms", true}}}});
  auto lone = join("lobby", "nokv");
  ASSERT_EQ(lone.ws->send_text("count"), "");
  EXPECT_EQ(next(*lone.ws), "count err 6");
}

TEST_F(RoomsTest, UnknownUngrantedAndForeignActionsAre404) {
  start_server();
  deploy_room_action("chat");
  deploy_room_action("plain", "room_chat", json::object());  // no rooms grant
  std::string bob = register_user(*client_, "bob");
  ASSERT_FALSE(bob.empty());
  deploy_or_fail(*client_, bob, "bobs", "/bobs", read_guest("room_chat"),
                 {{"capabilities", {{"rooms", true}}}});
  wait_until_ready_or_fail(*client_, bob, "bobs");

  for (const std::string& target :
       {path("lobby", "plain"), path("lobby", "chat", "bob"), path("lobby", "bobs", "ann"),
        path("lobby", "nope"), path("lobby", "chat", "nobody")}) {
    TestWsClient ws;
    EXPECT_NE(ws.connect(server_->port(), target), "") << target;
    EXPECT_EQ(ws.handshake_status(), 404u) << target << ": " << ws.handshake_body();
  }
  // The same paths with a granted action do upgrade: the 404s are about the action.
  for (const std::string& target : {path("lobby"), path("lobby", "bobs", "bob")}) {
    TestWsClient ws;
    EXPECT_EQ(ws.connect(server_->port(), target), "") << target;
    EXPECT_EQ(ws.handshake_status(), 101u);
  }
  TestWsClient bad_name;
  EXPECT_NE(bad_name.connect(server_->port(), path("bad%20name")), "");
  EXPECT_EQ(bad_name.handshake_status(), 400u) << bad_name.handshake_body();
}

TEST_F(RoomsTest, ForeignOriginIs403) {
  start_server();
  deploy_room_action("chat");
  auto refused = [&](const std::string& origin) {
    TestWsClient ws;
    EXPECT_NE(ws.connect(server_->port(), path("lobby"), {{"Origin", origin}}), "") << origin;
    EXPECT_EQ(ws.handshake_status(), 403u) << origin << ": " << ws.handshake_body();
  };
  refused("http://evil.example");
  refused("null");
  // The dashboard has its own origin; no action page shares it, and no room trusts it.
  ASSERT_FALSE(server_->dashboard_url().empty());
  refused(server_->dashboard_url());
  // No Origin (not a browser) and the actions origin itself are fine.
  TestWsClient plain;
  EXPECT_EQ(plain.connect(server_->port(), path("lobby")), "");
  TestWsClient same;
  EXPECT_EQ(same.connect(server_->port(), path("lobby"), {{"Origin", server_->url()}}), "")
      << same.handshake_status() << ": " << same.handshake_body();
}

TEST_F(RoomsTest, ConnectionIdsAreUniqueAcrossAThousandJoins) {
  start_server();
  deploy_room_action("chat");
  const std::regex shape("[A-Za-z0-9_-]{1,64}");
  std::set<std::string> ids;
  // Ten at a time, in two rooms, each closed before the next batch.
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<Member> open;
    for (int i = 0; i < 10; ++i) {
      open.push_back(join(i % 2 ? "odd" : "even"));
      ASSERT_TRUE(std::regex_match(open.back().id, shape)) << open.back().id;
      ASSERT_TRUE(ids.insert(open.back().id).second) << "reused: " << open.back().id;
    }
    for (auto& m : open) m.ws->close(1000, {}, seconds(20));
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST_F(RoomsTest, HttpRouteReachesTheRoomThroughRoomSelect) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 2);
  auto bystander = join("elsewhere");

  auto listed = send_request(*client_, "GET", "/chat?room=lobby");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  auto lines = lines_of(listed.body);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "members 0");
  EXPECT_EQ(id_set(listed.body.substr(listed.body.find('\n') + 1)),
            (std::set<std::string>{m[0].id, m[1].id}));

  auto posted = send_request(*client_, "POST", "/chat?room=lobby", "", "from http",
                             {{"Content-Type", "text/plain"}});
  ASSERT_EQ(posted.status, 200u) << posted.body;
  EXPECT_EQ(posted.body, "broadcast 0");
  EXPECT_EQ(next(*m[0].ws), "from http");
  EXPECT_EQ(next(*m[1].ws), "from http");
  // Another room heard nothing: its next message is its own.
  ASSERT_EQ(bystander.ws->send_text("who"), "");
  EXPECT_EQ(next(*bystander.ws), bystander.id);
  // A bad room name is 3 (invalid_argument).
  auto bad = send_request(*client_, "POST", "/chat?room=bad/name", "", "x",
                          {{"Content-Type", "text/plain"}});
  EXPECT_EQ(bad.body, "broadcast 3");
}

TEST_F(RoomsTest, FloodingClientIsClosedWith1008) {
  start_server();
  deploy_room_action("chat");
  auto m = join_all("lobby", 2);
  // Far past the per-connection burst (400 by default), faster than its refill; each
  // message only answers the flooder ("sent 5"), which it never reads.
  std::string error;
  for (int i = 0; i < 5000 && error.empty(); ++i)
    error = m[0].ws->send_text("to nobody-here x", seconds(20));
  auto closed = m[0].ws->expect_close(seconds(60));
  ASSERT_TRUE(closed.has_value()) << "still open after the flood (last send: " << error << ")";
  EXPECT_EQ(closed->code, 1008) << closed->reason;
  EXPECT_EQ(next(*m[1].ws), "leave " + m[0].id);
  ASSERT_EQ(m[1].ws->send_text("who"), "");
  EXPECT_EQ(next(*m[1].ws), m[1].id);
}

}  // namespace
}  // namespace wa::testing
