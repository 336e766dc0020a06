// The Rust rooms SDK (sdk/rust/src/rooms.rs): examples/rooms.rs, built with Debian's rustc
// as a cdylib, runs its onJoin / onMessage / onLeave through the real engine with a
// RoomCallState bound (tests/support/room_guest.h); the test checks what it emitted and
// replied.
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
  static RoomGuest g(std::string(WA_GUESTS) + "/rust_rooms.wasm");
  return g;
}

TEST(SdkRustRooms, JoinBroadcastsToTheOthersAndReplies) {
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

TEST(SdkRustRooms, AnErrFromOnJoinRefusesWithTheReason) {
  RoomEventSpec spec;
  spec.connection = "banned-1";
  auto r = guest().join(spec);
  EXPECT_FALSE(r.call.trapped()) << r.call.message;
  EXPECT_EQ(r.call.exit_code, 1);
  EXPECT_EQ(r.call.stdout_data, "banned: banned-1");
  EXPECT_TRUE(r.emitted.empty());
}

TEST(SdkRustRooms, TheEventIsParsedFromEventGet) {
  RoomEventSpec spec;
  spec.room = "r.1~x";
  spec.connection = "A_b-9";
  spec.binary = true;
  auto r = guest().message("/event", spec);
  ASSERT_TRUE(r.ok()) << r.call.message << r.call.stderr_data;
  EXPECT_EQ(r.call.stdout_data, "kind=Message room=r.1~x connection=A_b-9 action=chat binary=true");
}

TEST(SdkRustRooms, MessagesBroadcastToTheOthersTextAndBinary) {
  auto r = guest().message("hi there");
  ASSERT_TRUE(r.ok()) << r.call.message;
  EXPECT_EQ(r.call.stdout_data, "ok");
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), "hi there");
  EXPECT_EQ(r.emitted[0].except, (std::vector<std::string>{"c1"}));

  const std::string bytes("\xC3\x28\x00\xFF", 4);
  RoomEventSpec spec;
  spec.binary = true;
  r = guest().message(bytes, spec);
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), bytes);
  EXPECT_TRUE(r.emitted[0].binary);

  // Bigger than the first payload buffer (4 KiB): read whole after buffer_too_small.
  const std::string big(70000, 'q');
  r = guest().message(big);
  ASSERT_EQ(r.emitted.size(), 1u);
  EXPECT_EQ(payload_of(r.emitted[0]), big);
}

TEST(SdkRustRooms, ConnectionListSendAndSelect) {
  StaticDirectory members({{"lobby", {"c3", "c1", "c2"}}, {"side", {"s1"}}});
  RoomEventSpec spec;
  spec.directory = &members;
  EXPECT_EQ(guest().message("/who", spec).call.stdout_data, "c1,c2,c3");
  auto sent = guest().message("/to c2 just you", spec);
  EXPECT_EQ(sent.call.stdout_data, "ok");
  ASSERT_EQ(sent.emitted.size(), 1u);
  EXPECT_EQ(sent.emitted[0].type, EmittedEvent::Type::kToConnection);
  EXPECT_EQ(sent.emitted[0].connection, "c2");
  EXPECT_EQ(payload_of(sent.emitted[0]), "just you");
  EXPECT_EQ(guest().message("/to s1 x", spec).call.stdout_data, "not_found");
  auto moved = guest().message("/in side hello side", spec);
  EXPECT_EQ(moved.call.stdout_data, "ok ok");
  ASSERT_EQ(moved.emitted.size(), 1u);
  EXPECT_EQ(moved.emitted[0].room, "side");
  EXPECT_EQ(payload_of(moved.emitted[0]), "hello side");
  EXPECT_EQ(guest().message("/in bad/room x", spec).call.stdout_data, "invalid_argument ok");
}

TEST(SdkRustRooms, LeaveTellsTheRoomAndNoGrantIsAccessDenied) {
  RoomEventSpec spec;
  spec.connection = "c7";
  auto left = guest().leave(spec);
  ASSERT_TRUE(left.ok()) << left.call.message;
  ASSERT_EQ(left.emitted.size(), 1u);
  EXPECT_EQ(payload_of(left.emitted[0]), "c7 left");

  spec.granted = false;
  auto denied = guest().message("hello", spec);
  ASSERT_TRUE(denied.ok()) << denied.call.message;
  EXPECT_EQ(denied.call.stdout_data, "access_denied");
  EXPECT_TRUE(denied.emitted.empty());
}

}  // namespace
