// The AssemblyScript rooms wrappers (sdk/assemblyscript/assembly/rooms.ts):
// tests/guests/sdkas_room_handler.ts, built with `--exportStart _initialize`, runs its
// onJoin / onMessage / onLeave through the real engine with a RoomCallState bound
// (tests/support/room_guest.h); the test checks what it emitted and replied.
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
  static RoomGuest g(std::string(WA_GUESTS) + "/sdkas_room_handler.wasm");
  return g;
}

TEST(SdkAsRooms, JoinBroadcastsToTheOthersAndReplies) {
  RoomEventSpec spec;
  spec.connection = "c2";
  auto r = guest().join(spec);
  ASSERT_TRUE(r.ok()) << r.call.message << r.call.stderr_data;
  EXPECT_EQ(r.call.stdout_data, "welcome c2 to lobby");
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(r.emitted[0].type, EmittedEvent::Type::kBroadcast);
  EXPECT_EQ(payload_of(r.emitted[0]), "c2 joined");
  EXPECT_EQ(r.emitted[0].except, (std::vector<std::string>{"c2"}));
}

TEST(SdkAsRooms, RefuseExitsNonZeroWithTheReason) {
  RoomEventSpec spec;
  spec.connection = "banned_x";
  auto r = guest().join(spec);
  EXPECT_FALSE(r.call.trapped()) << r.call.message;
  EXPECT_EQ(r.call.exit_code, 1);
  EXPECT_EQ(r.call.stdout_data, "banned: banned_x");
  EXPECT_TRUE(r.emitted.empty());
}

TEST(SdkAsRooms, TheEventIsParsedFromEventGet) {
  RoomEventSpec spec;
  spec.room = "r~1";
  spec.connection = "Q-q_9";
  auto r = guest().message("/event", spec);
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data,
            "kind=message room=r~1 connection=Q-q_9 action=chat type=text binary=false");
}

TEST(SdkAsRooms, MessagesBroadcastToTheOthersTextAndBinary) {
  auto r = guest().message("hello");
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "ok");
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), "hello");
  EXPECT_EQ(r.emitted[0].except, (std::vector<std::string>{"c1"}));

  const std::string bytes("\xFF\xFE\x00\x01", 4);
  RoomEventSpec spec;
  spec.binary = true;
  r = guest().message(bytes, spec);
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), bytes);
  EXPECT_TRUE(r.emitted[0].binary);

  // Bigger than the first payload buffer (4 KiB): read whole after buffer_too_small.
  const std::string big(50000, 'z');
  r = guest().message(big);
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), big);
}

TEST(SdkAsRooms, ConnectionListSendAndSelect) {
  StaticDirectory members({{"lobby", {"c3", "c1", "c2"}}, {"side", {"s1"}}});
  RoomEventSpec spec;
  spec.directory = &members;
  EXPECT_EQ(guest().message("/who", spec).call.stdout_data, "c1,c2,c3");
  auto sent = guest().message("/to c3 only you", spec);
  EXPECT_EQ(sent.call.stdout_data, "ok");
  ASSERT_EQ(sent.emitted.size(), 1u);
  EXPECT_EQ(sent.emitted[0].type, EmittedEvent::Type::kToConnection);
  EXPECT_EQ(sent.emitted[0].connection, "c3");
  EXPECT_EQ(payload_of(sent.emitted[0]), "only you");
  EXPECT_EQ(guest().message("/to s1 x", spec).call.stdout_data, "not_found");
  auto moved = guest().message("/in side over there", spec);
  EXPECT_EQ(moved.call.stdout_data, "ok ok");
  ASSERT_EQ(moved.emitted.size(), 1u);
  EXPECT_EQ(moved.emitted[0].room, "side");
  EXPECT_EQ(guest().message("/in b@d x", spec).call.stdout_data, "invalid_argument ok");
}

TEST(SdkAsRooms, LeaveTellsTheRoomAndNoGrantIsAccessDenied) {
  RoomEventSpec spec;
  spec.connection = "c5";
  auto left = guest().leave(spec);
  ASSERT_TRUE(left.ok()) << left.call.message;
  ASSERT_EQ(left.emitted.size(), 1u);
  EXPECT_EQ(payload_of(left.emitted[0]), "c5 left");

  spec.granted = false;
  auto denied = guest().message("hello", spec);
  ASSERT_TRUE(denied.ok()) << denied.call.message;
  EXPECT_EQ(denied.call.stdout_data, "access_denied");
  EXPECT_TRUE(denied.emitted.empty());
}

}  // namespace
