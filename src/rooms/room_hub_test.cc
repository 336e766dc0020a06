// The room hub against a real platform and a real guest (tests/guests/hub_chat.c), with
// fake connections that record what they get: membership, ordering, delivery, refusals,
// limits, stats.
#include "rooms/room_hub.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <set>
#include <thread>

#include "platform/error_kinds.h"
#include "platform/platform_test_support.h"
#include "platform/test_support.h"
#include "support/files.h"

namespace wa::rooms {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> guest(const std::string& name) {
  const char* dir = std::getenv("WA_GUESTS_DIR");
  auto bytes = read_file_bytes(std::filesystem::path(dir ? dir : "guests") / (name + ".wasm"));
  return bytes ? std::move(bytes).value() : std::vector<uint8_t>{};
}

// The guest workers: a few threads and a bounded queue, like the gateway's WorkerPool.
class TestPool {
 public:
  TestPool(size_t threads, size_t capacity) : capacity_(capacity) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  ~TestPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  bool try_submit(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= capacity_) return false;
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// What a WebSocket session would be, minus the socket.
class FakeConnection final : public RoomConnection {
 public:
  struct Message {
    std::string data;
    bool binary = false;
  };
  bool send(std::shared_ptr<const std::string> payload, bool binary) override {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    messages_.push_back({*payload, binary});
    changed_.notify_all();
    return true;
  }
  void close(int code, std::string reason) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
    code_ = code;
    reason_ = std::move(reason);
    changed_.notify_all();
  }
  void message_done() override {
    std::lock_guard lock(mutex_);
    ++done_;
    changed_.notify_all();
  }

  // Waits until `count` messages arrived (up to 30 s); returns all received.
  std::vector<Message> wait_messages(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 30s, [&] { return messages_.size() >= count; });
    return messages_;
  }
  // Waits for a message equal to `text`; true if it came.
  bool wait_for(const std::string& text) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] {
      for (const auto& m : messages_)
        if (m.data == text) return true;
      return false;
    });
  }
  // Waits for a message that `match` accepts; returns it ("" if none came).
  std::string wait_match(const std::function<bool(const std::string&)>& match) {
    std::unique_lock lock(mutex_);
    std::string found;
    changed_.wait_for(lock, 30s, [&] {
      for (const auto& m : messages_) {
        if (match(m.data)) {
          found = m.data;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  bool wait_done(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return done_ >= count; });
  }
  bool wait_closed() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return closed_; });
  }
  std::vector<Message> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  bool has(const std::string& text) {
    std::lock_guard lock(mutex_);
    for (const auto& m : messages_)
      if (m.data == text) return true;
    return false;
  }
  int code() {
    std::lock_guard lock(mutex_);
    return code_;
  }
  std::string reason() {
    std::lock_guard lock(mutex_);
    return reason_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Message> messages_;
  bool closed_ = false;
  int code_ = 0;
  std::string reason_;
  size_t done_ = 0;
};

class RoomHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = platform::testing::open_test_platform(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    platform_ = std::move(opened).value();
    auto token = platform_->accounts().register_user("ann", "password-1");
    ASSERT_TRUE(token.ok()) << token.error().message;
    ann_ = token->user.id;
    runner_ = std::make_unique<RoomRunner>(*platform_);
  }
  void TearDown() override {
    // Jobs still running refer to the hub: the pool goes first.
    pool_.reset();
    hub_.reset();
  }

  void make_hub(RoomHubLimits limits = {}, size_t threads = 2) {
    pool_ = std::make_unique<TestPool>(threads, 64);
    hub_ = std::make_unique<RoomHub>(
        *runner_, [this](std::function<void()> job) { return pool_->try_submit(std::move(job)); },
        limits);
  }

  // Deploys hub_chat granted rooms and waits until it is runnable.
  std::shared_ptr<const platform::Action> deploy(const std::string& name,
                                                 std::chrono::milliseconds timeout = 5000ms) {
    auto bytes = guest("hub_chat");
    EXPECT_FALSE(bytes.empty()) << "guests not built (WA_GUESTS_DIR)";
    auto settings = platform::ActionSettings::defaults(platform_->config().limits);
    settings.capabilities.rooms = true;
    settings.timeout = timeout;
    return platform::testing::deploy_and_wait(*platform_, ann_, name, bytes, settings);
  }

  struct Joined {
    std::shared_ptr<FakeConnection> connection;
    std::string id;
    JoinOutcome outcome;
  };
  // Joins and waits for the outcome.
  Joined join(const std::shared_ptr<const platform::Action>& action, const std::string& room,
              std::vector<std::pair<std::string, std::string>> env = {}) {
    Joined joined;
    joined.connection = std::make_shared<FakeConnection>();
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    joined.id = hub_->join(action, room, std::move(env), joined.connection, [&](JoinOutcome o) {
      std::lock_guard lock(mutex);
      joined.outcome = std::move(o);
      done = true;
      cv.notify_all();
    });
    std::unique_lock lock(mutex);
    EXPECT_TRUE(cv.wait_for(lock, 30s, [&] { return done; })) << "join never finished";
    return joined;
  }

  platform::testing::TempDir dir_;
  std::unique_ptr<platform::Platform> platform_;
  int64_t ann_ = 0;
  std::unique_ptr<RoomRunner> runner_;
  std::unique_ptr<TestPool> pool_;
  std::unique_ptr<RoomHub> hub_;
};

TEST(ConnectionIdTest, IdsAreValidDistinctAndShort) {
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    auto id = new_connection_id();
    ASSERT_TRUE(capabilities::is_connection_id(id)) << id;
    ASSERT_LE(id.size(), 40u) << id;
    ASSERT_TRUE(seen.insert(id).second) << "reused: " << id;
  }
}

TEST_F(RoomHubTest, AJoinIsBroadcastToTheRoomIncludingTheNewcomer) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  ASSERT_TRUE(a.outcome.joined) << a.outcome.reason;
  EXPECT_EQ(a.outcome.connection_id, a.id);
  EXPECT_TRUE(a.connection->wait_for("joined " + a.id));
  auto b = join(chat, "lobby");
  ASSERT_TRUE(b.outcome.joined);
  EXPECT_NE(a.id, b.id);
  EXPECT_TRUE(a.connection->wait_for("joined " + b.id));
  EXPECT_TRUE(b.connection->wait_for("joined " + b.id));
  EXPECT_FALSE(b.connection->has("joined " + a.id));  // before its time
  EXPECT_EQ(hub_->connection_count(), 2u);
  auto& directory = hub_->directory(chat->id);
  auto ids = directory.connections("lobby");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), (std::set<std::string>{a.id, b.id}));
  EXPECT_TRUE(directory.contains("lobby", a.id));
  EXPECT_FALSE(directory.contains("other", a.id));
  EXPECT_FALSE(hub_->directory(chat->id + 1000).contains("lobby", a.id));
}

TEST_F(RoomHubTest, MessagesReachEveryMemberInOrderAndKeepTheirFrameType) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto b = join(chat, "lobby");
  ASSERT_TRUE(a.outcome.joined && b.outcome.joined);
  // Queued faster than they run: the room runs them one at a time, in arrival order.
  for (int i = 0; i < 50; ++i) hub_->message(a.id, "m" + std::to_string(i), false);
  std::string bytes("\xff\x00\x80", 3);
  hub_->message(a.id, bytes, true);
  ASSERT_TRUE(a.connection->wait_done(51));
  for (auto* member : {&a, &b}) {
    ASSERT_TRUE(member->connection->wait_for(bytes));
    std::vector<std::string> seen;
    bool binary = false;
    for (const auto& m : member->connection->messages()) {
      if (m.data.starts_with("m")) seen.push_back(m.data);
      if (m.data == bytes) binary = m.binary;
    }
    ASSERT_EQ(seen.size(), 50u);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(seen[i], "m" + std::to_string(i));
    EXPECT_TRUE(binary);
  }
}

TEST_F(RoomHubTest, ExceptSendToAndReplyReachOnlyWhomTheyName) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto b = join(chat, "lobby");
  auto c = join(chat, "lobby");
  hub_->message(a.id, "others psst", false);
  hub_->message(a.id, "to " + c.id + " just you", false);
  hub_->message(b.id, "who", false);
  EXPECT_TRUE(b.connection->wait_for("psst"));
  EXPECT_TRUE(c.connection->wait_for("just you"));
  EXPECT_TRUE(a.connection->wait_for("sent 0"));  // the reply: stdout to the sender only
  // b's "who" reply lists the three members.
  std::string listing = b.connection->wait_match(
      [](const std::string& m) { return m.find('\n') != std::string::npos; });
  std::set<std::string> listed;
  for (size_t start = 0; start < listing.size();) {
    auto end = listing.find('\n', start);
    if (end == std::string::npos) end = listing.size();
    if (end > start) listed.insert(listing.substr(start, end - start));
    start = end + 1;
  }
  EXPECT_EQ(listed, (std::set<std::string>{a.id, b.id, c.id}));
  EXPECT_FALSE(a.connection->has("psst"));
  EXPECT_FALSE(a.connection->has("just you"));
  EXPECT_FALSE(b.connection->has("just you"));
  EXPECT_FALSE(b.connection->has("sent 0"));
}

TEST_F(RoomHubTest, ARefusedJoinIsClosedWithTheGuestsReasonAndIsNoMember) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto denied = join(chat, "lobby", {{"QUERY_STRING", "deny=1"}});
  EXPECT_FALSE(denied.outcome.joined);
  EXPECT_EQ(denied.outcome.close_code, 1008);
  EXPECT_EQ(denied.outcome.reason, "no entry for " + denied.id);
  EXPECT_EQ(denied.connection->code(), 1008);
  EXPECT_EQ(denied.connection->reason(), "no entry for " + denied.id);
  EXPECT_EQ(hub_->connection_count(), 1u);
  EXPECT_FALSE(hub_->directory(chat->id).contains("lobby", denied.id));
  hub_->message(a.id, "after", false);
  ASSERT_TRUE(a.connection->wait_for("after"));
  EXPECT_TRUE(denied.connection->messages().empty());
  hub_->leave(denied.id);  // its socket closing: nothing to do, nothing breaks
}

TEST_F(RoomHubTest, LeavingIsBroadcastAndAnEmptyRoomIsForgotten) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto b = join(chat, "lobby");
  hub_->leave(b.id);
  EXPECT_TRUE(a.connection->wait_for("left " + b.id));
  EXPECT_FALSE(hub_->directory(chat->id).contains("lobby", b.id));
  hub_->message(b.id, "ghost", false);  // a late read of a closed session: ignored
  hub_->message(a.id, "still here", false);
  ASSERT_TRUE(a.connection->wait_for("still here"));
  EXPECT_FALSE(a.connection->has("ghost"));
  EXPECT_FALSE(b.connection->has("still here"));
  ASSERT_EQ(hub_->rooms(chat->id).size(), 1u);
  hub_->leave(a.id);
  // The room disappears once its onLeave ran.
  for (int i = 0; i < 600 && !hub_->rooms(chat->id).empty(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(hub_->rooms(chat->id).empty());
  EXPECT_EQ(hub_->connection_count(), 0u);
}

TEST_F(RoomHubTest, AConnectionThatLeavesBeforeItsJoinRanNeverJoins) {
  make_hub({}, 1);
  auto chat = deploy("chat", 500ms);
  auto a = join(chat, "lobby");
  hub_->message(a.id, "spin", false);  // holds the room's (only) worker until its time limit
  auto late = std::make_shared<FakeConnection>();
  std::atomic<bool> done{false};
  JoinOutcome outcome;
  auto id = hub_->join(chat, "lobby", {}, late, [&](JoinOutcome o) {
    outcome = o;
    done = true;
  });
  hub_->leave(id);
  for (int i = 0; i < 600 && !done; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(done);
  EXPECT_FALSE(outcome.joined);
  hub_->message(a.id, "after", false);
  ASSERT_TRUE(a.connection->wait_for("after"));
  EXPECT_FALSE(a.connection->has("joined " + id));
  EXPECT_FALSE(a.connection->has("left " + id));
}

TEST_F(RoomHubTest, ARunawayHandlerStallsNeitherOtherRoomsNorItsOwnLaterEvents) {
  make_hub({}, 2);
  auto chat = deploy("chat", 1000ms);
  auto a = join(chat, "slow");
  auto b = join(chat, "fast");
  hub_->message(a.id, "spin", false);
  hub_->message(b.id, "hello", false);
  EXPECT_TRUE(b.connection->wait_for("hello"));
  // The runaway was halted at its limit; its room lives on.
  hub_->message(a.id, "after the spin", false);
  EXPECT_TRUE(a.connection->wait_for("after the spin"));
  auto infos = hub_->rooms(chat->id);
  bool error_seen = false;
  for (const auto& info : infos) {
    if (info.room != "slow") continue;
    for (const auto& event : info.recent) error_seen |= event.kind == "error";
  }
  EXPECT_TRUE(error_seen);
}

TEST_F(RoomHubTest, MembersOfAnActionThatLostItsGrantOrWasDeletedAreClosed) {
  make_hub();
  auto chat = deploy("chat");
  auto gone = deploy("gone");
  auto a = join(chat, "lobby");
  auto b = join(gone, "lobby");
  auto settings = chat->settings;
  settings.capabilities.rooms = false;
  auto updated = platform_->update_settings(ann_, "chat", settings);
  ASSERT_TRUE(updated) << updated.error().message;
  ASSERT_TRUE(platform_->remove_action(ann_, "gone"));
  hub_->message(a.id, "hello", false);
  hub_->message(b.id, "hello", false);
  ASSERT_TRUE(a.connection->wait_closed());
  ASSERT_TRUE(b.connection->wait_closed());
  EXPECT_EQ(a.connection->code(), 1011);
  EXPECT_EQ(b.connection->code(), 1011);
  EXPECT_EQ(b.connection->reason(), "the room's action no longer exists");
  EXPECT_FALSE(a.connection->has("hello"));
  EXPECT_FALSE(b.connection->has("hello"));
}

TEST_F(RoomHubTest, AFullRoomRefusesTheNextJoinWith1013) {
  RoomHubLimits limits;
  limits.max_connections_per_room = 2;
  make_hub(limits);
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto b = join(chat, "lobby");
  auto c = join(chat, "lobby");
  EXPECT_TRUE(a.outcome.joined);
  EXPECT_TRUE(b.outcome.joined);
  EXPECT_FALSE(c.outcome.joined);
  EXPECT_EQ(c.outcome.close_code, 1013);
  EXPECT_EQ(c.connection->code(), 1013);
  auto d = join(chat, "elsewhere");  // the limit is per room
  EXPECT_TRUE(d.outcome.joined);
}

TEST_F(RoomHubTest, TheServersRoomLimitRefusesANewRoomAtOnce) {
  RoomHubLimits limits;
  limits.max_rooms = 1;
  make_hub(limits);
  auto chat = deploy("chat");
  auto a = join(chat, "one");
  ASSERT_TRUE(a.outcome.joined);
  auto b = join(chat, "two");
  EXPECT_FALSE(b.outcome.joined);
  EXPECT_EQ(b.outcome.close_code, 1013);
  auto c = join(chat, "one");
  EXPECT_TRUE(c.outcome.joined);
}

TEST_F(RoomHubTest, RoomSelectReachesAnotherRoomOfTheSameAction) {
  make_hub();
  auto chat = deploy("chat");
  auto other = deploy("other");
  auto a = join(chat, "lobby");
  auto b = join(chat, "kitchen");
  auto c = join(other, "kitchen");  // same room name, another action
  hub_->message(a.id, "in kitchen dinner", false);
  EXPECT_TRUE(b.connection->wait_for("dinner"));
  ASSERT_TRUE(a.connection->wait_done(1));
  hub_->message(c.id, "marker", false);
  ASSERT_TRUE(c.connection->wait_for("marker"));
  EXPECT_FALSE(c.connection->has("dinner"));
  EXPECT_FALSE(a.connection->has("dinner"));
}

TEST_F(RoomHubTest, EventsFromAnHttpInvocationAreDelivered) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto b = join(chat, "lobby");
  std::vector<capabilities::EmittedEvent> events;
  events.push_back(capabilities::make_message_event(capabilities::EmittedEvent::Type::kBroadcast,
                                                    "lobby", "from http", "ann/chat"));
  auto direct = capabilities::make_message_event(capabilities::EmittedEvent::Type::kToConnection,
                                                 "lobby", "only b", "ann/chat");
  direct.connection = b.id;
  events.push_back(direct);
  auto wrong_room = direct;
  wrong_room.room = "nowhere";
  wrong_room.payload = std::make_shared<const std::string>("misaddressed");
  events.push_back(wrong_room);
  hub_->deliver(chat->id, events);
  EXPECT_TRUE(a.connection->wait_for("from http"));
  EXPECT_TRUE(b.connection->wait_for("from http"));
  EXPECT_TRUE(b.connection->wait_for("only b"));
  EXPECT_FALSE(a.connection->has("only b"));
  EXPECT_FALSE(b.connection->has("misaddressed"));
  hub_->deliver(chat->id + 1000, events);          // another action's rooms: nobody
  EXPECT_EQ(a.connection->messages().size(), 3u);  // two joins and the broadcast
}

TEST_F(RoomHubTest, StatsCountMessagesAndKeepTheLastTwentyEvents) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto b = join(chat, "lobby");
  for (int i = 0; i < 30; ++i) hub_->message(a.id, "n" + std::to_string(i), false);
  ASSERT_TRUE(a.connection->wait_done(30));
  ASSERT_TRUE(b.connection->wait_for("n29"));
  auto infos = hub_->rooms(chat->id);
  ASSERT_EQ(infos.size(), 1u);
  const auto& info = infos[0];
  EXPECT_EQ(info.room, "lobby");
  EXPECT_EQ(info.connections, 2u);
  EXPECT_EQ(info.messages_in, 30u);
  EXPECT_EQ(info.messages_out, 3u + 60u);  // joins (1 + 2) and 30 broadcasts to 2
  EXPECT_GT(info.messages_per_second, 0);
  EXPECT_LE(info.messages_per_second, 30.0 / 10 + 1e-9);
  ASSERT_EQ(info.recent.size(), 20u);
  EXPECT_EQ(info.recent.back().kind, "broadcast");
  EXPECT_EQ(info.recent.back().summary, "n29");
  EXPECT_FALSE(info.persistent);
}

TEST_F(RoomHubTest, ATestMessageRunsAsTheDashboardAndIsDelivered) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "lobby");
  auto result = hub_->test_message(chat, "lobby", "from the dashboard", false);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(a.connection->wait_for("from the dashboard"));
  ASSERT_FALSE(result->events.empty());
  EXPECT_EQ(result->events[0].type, capabilities::EmittedEvent::Type::kBroadcast);
  auto bad = hub_->test_message(chat, "no/slash", "x", false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, platform::error_kind::kInvalidArgument);
}

TEST_F(RoomHubTest, CloseAllClosesEveryConnectionGoingAway) {
  make_hub();
  auto chat = deploy("chat");
  auto a = join(chat, "one");
  auto b = join(chat, "two");
  hub_->close_all();
  EXPECT_EQ(a.connection->code(), 1001);
  EXPECT_EQ(b.connection->code(), 1001);
}

// A microbenchmark rather than a test (run with --gtest_also_run_disabled_tests):
// one message broadcast to 1,000 fake connections, through a real guest.
TEST_F(RoomHubTest, DISABLED_BroadcastToAThousandConnections) {
  RoomHubLimits limits;
  make_hub(limits, 2);
  auto chat = deploy("chat");
  std::vector<Joined> members;
  for (int i = 0; i < 1000; ++i) members.push_back(join(chat, "big"));
  auto& last = members.back();
  const int rounds = 200;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) hub_->message(members[0].id, "r" + std::to_string(i), false);
  ASSERT_TRUE(last.connection->wait_for("r" + std::to_string(rounds - 1)));
  auto elapsed = std::chrono::steady_clock::now() - start;
  double ns = std::chrono::duration<double, std::nano>(elapsed).count();
  std::printf(
      "%d broadcasts to 1000: %.1f us per broadcast (guest run included), %.0f ns per "
      "delivery\n",
      rounds, ns / rounds / 1000, ns / rounds / 1000);
  // Delivery alone: the same broadcast through deliver() (no guest).
  std::vector<capabilities::EmittedEvent> events{capabilities::make_message_event(
      capabilities::EmittedEvent::Type::kBroadcast, "big", "d", "ann/chat")};
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i) hub_->deliver(chat->id, events);
  elapsed = std::chrono::steady_clock::now() - start;
  ns = std::chrono::duration<double, std::nano>(elapsed).count();
  std::printf("deliver() to 1000: %.1f us per broadcast, %.0f ns per delivery\n",
              ns / rounds / 1000, ns / rounds / 1000);
}

}  // namespace
}  // namespace wa::rooms
