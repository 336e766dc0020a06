// The room functions of `wasm_actions` (room_broadcast, room_send, room_connections,
// room_select, event_get, event_payload) called by a real guest (tests/guests/room_probe.c,
// compiled by the engine) with a WasmActionsState bound: what each returns, what it
// records in RoomCallState::emitted, and that hostile arguments (pointers outside memory,
// huge lengths, invalid UTF-8, 10,000-id except lists) give error codes, never a host
// fault or a half-recorded event.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "capabilities/room_events.h"
#include "capabilities/wasm_actions_module.h"
#include "runtime/engine_test_fixture.h"

namespace wa::capabilities {
namespace {

class RoomFunctions : public runtime::EngineTest {
 protected:
  static void SetUpTestSuite() {
    register_wasm_actions_module();
    EngineTest::SetUpTestSuite();
  }

  void SetUp() override {
    event_.kind = RoomEventKind::kMessage;
    event_.room = "lobby";
    event_.connection = "c1";
    event_.action = "chat";
    event_.payload = "hello";
    state_.rooms.granted = true;
    state_.rooms.service_id = "ann/chat";
  }

  // Makes the call a room event (event_get / event_payload answer; the room is current).
  void in_event() {
    state_.rooms.event = &event_;
    state_.rooms.current_room = event_.room;
  }

  // Runs the probe's script with state_ bound; one answer line per script line.
  std::vector<std::string> probe(const std::string& script) {
    runtime::CallOptions options;
    options.wasi.stdin_data = script;
    options.imports.bind(state_);
    runtime::CallResult result = run("room_probe", options);
    EXPECT_FALSE(result.trapped()) << result.message;
    EXPECT_EQ(result.exit_code, 0) << result.stderr_data;
    std::vector<std::string> lines;
    std::istringstream in(result.stdout_data);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string probe1(const std::string& line) {
    auto lines = probe(line);
    return lines.empty() ? "(no answer)" : lines[0];
  }

  static std::string payload_of(const EmittedEvent& e) { return e.payload ? *e.payload : ""; }

  WasmActionsState state_;
  RoomEvent event_;
};

TEST_F(RoomFunctions, BroadcastRecordsTheMessageForTheCurrentRoom) {
  in_event();
  auto lines = probe(
      "broadcast hi -\n"
      "broadcast %FF%00bin c2%0Ac1%0A%0Ac1%0A\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"0", "0"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 2u);
  const EmittedEvent& text = state_.rooms.emitted[0];
  EXPECT_EQ(text.type, EmittedEvent::Type::kBroadcast);
  EXPECT_EQ(text.room, "lobby");
  EXPECT_EQ(payload_of(text), "hi");
  EXPECT_FALSE(text.binary);
  EXPECT_TRUE(text.except.empty());
  EXPECT_EQ(text.service_id, "ann/chat");
  const EmittedEvent& binary = state_.rooms.emitted[1];
  EXPECT_EQ(payload_of(binary), std::string("\xFF\0bin", 5));
  EXPECT_TRUE(binary.binary) << "not valid UTF-8: a binary frame";
  // Empty parts skipped, duplicates dropped, sorted.
  EXPECT_EQ(binary.except, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(state_.rooms.emitted_bytes, 2u + 5u + 2 * (2 + sizeof(std::string)));
}

TEST_F(RoomFunctions, WithoutTheGrantEveryRoomCallIsAccessDenied) {
  state_.rooms.granted = false;
  auto lines = probe(
      "select lobby\n"
      "broadcast hi -\n"
      "send c1 hi\n"
      "conns 64\n"
      "select bad/name\n"
      "event 512\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"6", "6", "6", "6", "6", "5"}));
  EXPECT_TRUE(state_.rooms.emitted.empty());
  EXPECT_EQ(state_.rooms.current_room, "");
}

TEST_F(RoomFunctions, AnHttpRequestHasNoRoomUntilItSelectsOne) {
  StaticDirectory members({{"lobby", {"c1", "c2"}}});
  state_.rooms.directory = &members;
  auto lines = probe(
      "broadcast hi -\n"
      "send c1 hi\n"
      "conns 64\n"
      "event 512\n"
      "payload 512\n"
      "select lobby\n"
      "broadcast posted -\n"
      "send c2 direct\n"
      "conns 64\n"
      "event 512\n");
  EXPECT_EQ(lines,
            (std::vector<std::string>{"5", "5", "5", "5", "5", "0", "0", "0", "0 c1,c2", "5"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 2u);
  EXPECT_EQ(state_.rooms.emitted[0].room, "lobby");
  EXPECT_EQ(payload_of(state_.rooms.emitted[0]), "posted");
  EXPECT_EQ(state_.rooms.emitted[1].type, EmittedEvent::Type::kToConnection);
  EXPECT_EQ(state_.rooms.emitted[1].connection, "c2");
}

TEST_F(RoomFunctions, SelectTakesRoomNamesOnly) {
  in_event();
  const std::string longest(128, 'r');
  auto lines = probe(
      "select -\n"
      "select a%2Fb\n"
      "select a%20b\n"
      "select caf%C3%A9\n"
      "select %FF%FE\n"
      "select a%00\n"
      "select " +
      std::string(129, 'r') +
      "\n"
      "select " +
      longest +
      "\n"
      "broadcast x -\n"
      "select A-z_0.9~\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"3", "3", "3", "3", "3", "3", "3", "0", "0", "0"}));
  EXPECT_EQ(state_.rooms.current_room, "A-z_0.9~");
  ASSERT_EQ(state_.rooms.emitted.size(), 1u);
  EXPECT_EQ(state_.rooms.emitted[0].room, longest);
  // The event itself stays what it was.
  EXPECT_EQ(state_.rooms.event->room, "lobby");
}

TEST_F(RoomFunctions, SendReachesOnlyConnectionsOfTheCurrentRoom) {
  in_event();
  StaticDirectory members({{"lobby", {"c1", "c2"}}, {"other", {"c3"}}});
  state_.rooms.directory = &members;
  auto lines = probe(
      "send c2 hi\n"
      "send c3 hi\n"
      "send c9 hi\n"
      "send a%2Fb hi\n"
      "send - hi\n"
      "send %C3%A9 hi\n"
      "send " +
      std::string(65, 'c') +
      " hi\n"
      "select other\n"
      "send c3 %FF\n"
      "send c2 hi\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"0", "5", "5", "3", "3", "3", "3", "0", "0", "5"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 2u);
  EXPECT_EQ(state_.rooms.emitted[0].type, EmittedEvent::Type::kToConnection);
  EXPECT_EQ(state_.rooms.emitted[0].connection, "c2");
  EXPECT_EQ(state_.rooms.emitted[0].room, "lobby");
  EXPECT_EQ(state_.rooms.emitted[1].room, "other");
  EXPECT_TRUE(state_.rooms.emitted[1].binary);

  // No directory: nobody is connected anywhere.
  state_.rooms.directory = nullptr;
  state_.rooms.emitted.clear();
  EXPECT_EQ(probe1("send c1 hi"), "5");
  EXPECT_TRUE(state_.rooms.emitted.empty());
}

TEST_F(RoomFunctions, ConnectionsFollowTheBufferProtocol) {
  in_event();
  StaticDirectory members({{"lobby", {"c1", "c22", "c333"}}, {"empty", {}}});
  state_.rooms.directory = &members;
  // "c1\nc22\nc333" is 11 bytes.
  auto lines = probe(
      "conns 10\n"
      "conns 11\n"
      "conns 0\n"
      "select empty\n"
      "conns 0\n"
      "select nowhere\n"
      "conns 8\n");
  EXPECT_EQ(lines,
            (std::vector<std::string>{"4 11", "0 c1,c22,c333", "4 11", "0", "0 ", "0", "0 "}));
  state_.rooms.directory = nullptr;
  EXPECT_EQ(probe1("conns 8"), "0 ");
}

TEST_F(RoomFunctions, EventAndPayloadDescribeTheEvent) {
  in_event();
  event_.payload = std::string("\x00\xFFraw", 5);
  event_.binary = true;
  const std::string json = room_event_json(event_);
  auto lines = probe(
      "event 4096\n"
      "event " +
      std::to_string(json.size() - 1) +
      "\n"
      "payload 4\n"
      "payload 5\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "0 " + json);
  EXPECT_NE(json.find("\"message_type\":\"binary\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"connection\":\"c1\""), std::string::npos) << json;
  EXPECT_EQ(lines[1], "4 " + std::to_string(json.size()));
  EXPECT_EQ(lines[2], "4 5");
  EXPECT_EQ(lines[3], "0 %00%FFraw");

  event_.kind = RoomEventKind::kJoin;
  event_.payload.clear();
  event_.binary = false;
  lines = probe("payload 0\nevent 4096\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "0 ");
  EXPECT_NE(lines[1].find("\"event\":\"join\""), std::string::npos) << lines[1];
}

TEST_F(RoomFunctions, LimitsAreTooLargeAndQuotaExceeded) {
  in_event();
  state_.rooms.limits.max_message_bytes = 100;
  state_.rooms.limits.max_emitted_events = 5;
  state_.rooms.limits.max_emitted_bytes = 250;
  auto lines = probe(
      "big 101\n"
      "big 100\n"
      "big 100\n"
      "big 51\n"
      "big 50\n"
      "repeat 10 x\n"
      "big 0\n");
  // 100 + 100 + 50 = 250 bytes: not one more byte, but an empty message still fits.
  EXPECT_EQ(lines, (std::vector<std::string>{"7", "0", "0", "8", "0", "8 0", "0"}));
  EXPECT_EQ(state_.rooms.emitted_bytes, 250u);
  EXPECT_EQ(state_.rooms.emitted.size(), 4u);

  state_.rooms.emitted.clear();
  state_.rooms.emitted_bytes = 0;
  state_.rooms.limits.max_emitted_bytes = 1000;
  lines = probe("repeat 10 x\nbig 0\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"8 5", "8"}));
  EXPECT_EQ(state_.rooms.emitted.size(), 5u);
}

TEST_F(RoomFunctions, AnExceptListIsBoundedLikeAMessageAndCounted) {
  in_event();
  state_.rooms.limits.max_message_bytes = 1000;
  // 100 ids "c0\n".."c99\n" are 390 bytes; 300 ids are 1,390.
  auto lines = probe("many 100 hi\nmany 300 hi\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"0", "7"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 1u);
  EXPECT_EQ(state_.rooms.emitted[0].except.size(), 100u);
  state_.rooms.emitted.clear();
  state_.rooms.emitted_bytes = 0;
  // Each id counts its bytes plus what the host holds for it.
  state_.rooms.limits.max_emitted_bytes = 2 + 100 * sizeof(std::string);
  EXPECT_EQ(probe1("many 100 hi"), "8");
  EXPECT_TRUE(state_.rooms.emitted.empty());
}

// ---- hostile arguments ----

TEST_F(RoomFunctions, PointersOutsideMemoryAreMemoryAccess) {
  in_event();
  StaticDirectory members({{"lobby", {"c1"}}});
  state_.rooms.directory = &members;
  const std::string size = probe1("memsize");
  const unsigned long long end = std::stoull(size);
  const std::string at_end = std::to_string(end);
  const std::string near_end = std::to_string(end - 3);
  auto lines = probe(
      // A message, except list or id past the end, wrapping, or reaching one byte out.
      "raw broadcast 0xFFFFFF00 16 0 0\n"
      "raw broadcast 0 0xFFFFFFFF 0 0\n"
      "raw broadcast S+0 1 0xFFFFFFF0 0x20\n"
      "raw broadcast " +
      near_end +
      " 4 0 0\n"
      "raw send 0xFFFFFFFF 2 S+0 1\n"
      "raw send S+0 2 " +
      at_end +
      " 1\n"
      "raw select 0xFFFFFFFF 0xFFFFFFFF\n"
      "raw select " +
      at_end +
      " 1\n"
      // Output buffers and out-pointers past the end, or a capacity bigger than memory.
      "raw conns S+0 0xFFFFFFFF S+0\n"
      "raw conns S+0 16 " +
      near_end +
      "\n"
      "raw event S+0 512 0xFFFFFFFC\n"
      "raw event 0xFFFFFF00 512 S+600\n"
      "raw payload S+0 " +
      at_end +
      " S+600\n"
      "raw payload S+0 16 " +
      at_end +
      "\n"
      // Zero lengths at the very end are inside.
      "raw broadcast " +
      at_end + " 0 " + at_end +
      " 0\n"
      "raw event S+0 512 " +
      std::to_string(end - 4) + "\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "2",
                                             "2", "2", "2", "0", "0"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 1u) << "only the empty broadcast";
  EXPECT_EQ(payload_of(state_.rooms.emitted[0]), "");
}

TEST_F(RoomFunctions, AnOutPointerInsideTheBufferEndsUpHoldingTheLength) {
  in_event();
  const std::string json = room_event_json(event_);
  auto lines = probe(
      "raw event S+0 4096 S+0\n"
      "u32 S+0\n"
      "bytes S+4 8\n"
      "raw payload S+100 4 S+100\n"
      "u32 S+100\n");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "0");
  EXPECT_EQ(lines[1], std::to_string(json.size()));
  EXPECT_EQ(lines[2], json.substr(4, 8));
  EXPECT_EQ(lines[3], "4");
  EXPECT_EQ(lines[4], "5") << "hello needs 5 bytes";
}

TEST_F(RoomFunctions, InvalidIdsInAnExceptListRecordNothing) {
  in_event();
  auto lines = probe(
      "broadcast hi c1%0A%FF\n"
      "broadcast hi c1%0Ac%C3%A9\n"
      "broadcast hi c1%0D%0Ac2\n"
      "broadcast hi c1%20c2\n"
      "broadcast hi " +
      std::string(65, 'x') +
      "\n"
      "broadcast hi %00\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"3", "3", "3", "3", "3", "3"}));
  EXPECT_TRUE(state_.rooms.emitted.empty());
  EXPECT_EQ(state_.rooms.emitted_bytes, 0u);
}

TEST_F(RoomFunctions, TenThousandExceptIdsAreOneBroadcast) {
  in_event();
  auto lines = probe("many 10000 everyone\nmany 10000 again\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"0", "0"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 2u);
  const auto& except = state_.rooms.emitted[0].except;
  ASSERT_EQ(except.size(), 10000u);
  EXPECT_TRUE(std::is_sorted(except.begin(), except.end()));
  EXPECT_TRUE(std::binary_search(except.begin(), except.end(), "c9999"));
  EXPECT_TRUE(std::binary_search(except.begin(), except.end(), "c0"));
}

TEST_F(RoomFunctions, TenThousandConnectionsListThroughTheBufferProtocol) {
  in_event();
  std::vector<std::string> ids;
  size_t bytes = 0;
  for (int i = 0; i < 10000; ++i) {
    ids.push_back("conn-" + std::to_string(i));
    bytes += ids.back().size() + (i ? 1 : 0);
  }
  StaticDirectory big({{"lobby", ids}});
  state_.rooms.directory = &big;
  auto lines = probe("conns 64\nconns " + std::to_string(bytes) + "\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "4 " + std::to_string(bytes));
  ASSERT_TRUE(lines[1].starts_with("0 conn-0,conn-1,")) << lines[1].substr(0, 40);
  EXPECT_TRUE(lines[1].ends_with(",conn-9999"));
  EXPECT_EQ(std::count(lines[1].begin(), lines[1].end(), ','), 9999);
}

TEST_F(RoomFunctions, HugeMessagesAreTooLargeWithoutBeingCopied) {
  in_event();
  // 16 MiB, inside the guest's memory but 16 times the default message limit.
  auto lines = probe("big 16777216\nbig 1048576\nbig 1048577\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"7", "0", "7"}));
  ASSERT_EQ(state_.rooms.emitted.size(), 1u);
  EXPECT_EQ(payload_of(state_.rooms.emitted[0]).size(), 1048576u);
}

// docs/host-abi.md's raw WAT handler, called at its export as an event runs it.
TEST_F(RoomFunctions, TheDocumentedWatEchoBroadcastsTheMessage) {
  in_event();
  event_.payload = std::string("\x01\x02 bin", 6);
  runtime::CallOptions options;
  options.entry = "onMessage";
  options.imports.bind(state_);
  runtime::CallResult result = run("room_broadcast_all", options);
  ASSERT_FALSE(result.trapped()) << result.message;
  ASSERT_EQ(state_.rooms.emitted.size(), 1u);
  EXPECT_EQ(payload_of(state_.rooms.emitted[0]), event_.payload);
  EXPECT_TRUE(state_.rooms.emitted[0].except.empty());

  // Over its 64 KiB buffer: the payload call answers 4 and it skips the message.
  state_.rooms.emitted.clear();
  event_.payload.assign(70000, 'x');
  result = run("room_broadcast_all", options);
  ASSERT_FALSE(result.trapped()) << result.message;
  EXPECT_TRUE(state_.rooms.emitted.empty());
}

}  // namespace
}  // namespace wa::capabilities
