// The C rooms SDK (sdk/c/wasm_actions_rooms.h): tests/guests/sdk_rooms.c, a reactor built
// on it, runs its onJoin / onMessage / onLeave through the real engine with a RoomCallState
// bound (tests/support/room_guest.h); the test checks what it emitted and replied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "room_guest.h"

namespace {

using wa::capabilities::EmittedEvent;
using wa::capabilities::StaticDirectory;
using wa::testing::payload_of;
using wa::testing::RoomEventSpec;
using wa::testing::RoomGuest;

RoomGuest& guest() {
  static RoomGuest g(std::string(WA_GUESTS) + "/sdk_rooms.wasm");
  return g;
}

TEST(SdkCRooms, JoinBroadcastsToTheOthersAndWelcomesOnStdout) {
  StaticDirectory members({{"lobby", {"c1", "c2"}}});
  RoomEventSpec spec;
  spec.connection = "c2";
  spec.directory = &members;
  auto r = guest().join(spec);
  ASSERT_TRUE(r.ok()) << r.call.message << r.call.stderr_data;
  EXPECT_EQ(r.call.stdout_data, "welcome c2 to lobby");
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].type, EmittedEvent::Type::kBroadcast);
  EXPECT_EQ(r.emitted[0].room, "lobby");
  EXPECT_EQ(payload_of(r.emitted[0]), "joined c2");
  EXPECT_EQ(r.emitted[0].except, (std::vector<std::string>{"c2"}));
}

TEST(SdkCRooms, ARefusedJoinExitsNonZeroWithTheReasonOnStdout) {
  RoomEventSpec spec;
  spec.connection = "banned7";
  auto r = guest().join(spec);
  EXPECT_FALSE(r.call.trapped()) << r.call.message;
  EXPECT_EQ(r.call.exit_code, 1);
  EXPECT_EQ(r.call.stdout_data, "banned: banned7");
  EXPECT_TRUE(r.emitted.empty());
}

TEST(SdkCRooms, TheEventIsParsedFromEventGet) {
  RoomEventSpec spec;
  spec.room = "a-b_c.d~e";
  spec.connection = "Zx-9_";
  auto r = guest().message("event", spec);
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data,
            "kind=message room=a-b_c.d~e connection=Zx-9_ action=chat binary=0");
  spec.binary = true;
  r = guest().message("event", spec);
  EXPECT_EQ(r.call.stdout_data,
            "kind=message room=a-b_c.d~e connection=Zx-9_ action=chat binary=1");
}

TEST(SdkCRooms, MessagesBroadcastToTheOthersTextAndBinary) {
  auto r = guest().message("hello all");
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "ok");
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), "hello all");
  EXPECT_FALSE(r.emitted[0].binary);
  EXPECT_EQ(r.emitted[0].except, (std::vector<std::string>{"c1"}));

  const std::string bytes("\x00\xFF\x80zz", 5);
  RoomEventSpec spec;
  spec.binary = true;
  r = guest().message(bytes, spec);
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), bytes);
  EXPECT_TRUE(r.emitted[0].binary);
}

TEST(SdkCRooms, ConnectionListSendAndSelect) {
  StaticDirectory members({{"lobby", {"c3", "c1", "c2"}}, {"side", {"s1"}}});
  RoomEventSpec spec;
  spec.directory = &members;
  EXPECT_EQ(guest().message("who", spec).call.stdout_data, "c1,c2,c3");

  auto sent = guest().message("to c3 psst, hi", spec);
  EXPECT_EQ(sent.call.stdout_data, "ok");
  ASSERT_EQ(sent.emitted.size(), 1u);
  EXPECT_EQ(sent.emitted[0].type, EmittedEvent::Type::kToConnection);
  EXPECT_EQ(sent.emitted[0].connection, "c3");
  EXPECT_EQ(payload_of(sent.emitted[0]), "psst, hi");
  EXPECT_EQ(guest().message("to s1 not here", spec).call.stdout_data, "not_found");
  EXPECT_EQ(guest().message("to bad/id x", spec).call.stdout_data, "invalid_argument");

  auto selected = guest().message("select side over there", spec);
  EXPECT_EQ(selected.call.stdout_data, "ok ok");
  ASSERT_EQ(selected.emitted.size(), 1u);
  EXPECT_EQ(selected.emitted[0].room, "side");
  EXPECT_EQ(guest().message("select no/pe x", spec).call.stdout_data, "invalid_argument ok");

  StaticDirectory empty;
  spec.directory = &empty;
  EXPECT_EQ(guest().message("who", spec).call.stdout_data, "");
}

TEST(SdkCRooms, APayloadBiggerThanTheFirstBufferIsReadWhole) {
  std::string big = "size" + std::string(100000, 'x') + "!";
  auto r = guest().message(big);
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "len=100005 last=!");
}

TEST(SdkCRooms, OutputWithoutAFlushIsFlushedByTheExport) {
  auto r = guest().message("print unflushed");
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "unflushed");
}

TEST(SdkCRooms, LeaveTellsTheRoom) {
  RoomEventSpec spec;
  spec.connection = "c9";
  auto r = guest().leave(spec);
  ASSERT_TRUE(r.ok()) << r.call.message;
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), "left c9");
  EXPECT_TRUE(r.emitted[0].except.empty());
  EXPECT_EQ(r.call.stdout_data, "");
}

TEST(SdkCRooms, WithoutTheGrantCallsAreAccessDenied) {
  RoomEventSpec spec;
  spec.granted = false;
  auto r = guest().message("hello", spec);
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "access_denied");
  EXPECT_TRUE(r.emitted.empty());
}

// Outside a room event the export finds no event: it logs and returns, emitting nothing.
TEST(SdkCRooms, OutsideARoomEventTheHandlerDoesNotRun) {
  RoomEventSpec spec;
  spec.room_event = false;
  auto r = guest().message("hello", spec);
  EXPECT_FALSE(r.call.trapped()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "");
  EXPECT_NE(r.call.stderr_data.find("event_get: not_found"), std::string::npos)
      << r.call.stderr_data;
  EXPECT_TRUE(r.emitted.empty());
}

}  // namespace
