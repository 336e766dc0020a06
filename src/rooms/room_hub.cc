#include "rooms/room_hub.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "platform/error_kinds.h"

namespace wa::rooms {

using capabilities::EmittedEvent;
using capabilities::RoomEventKind;

namespace {

// Events one job runs before it hands its worker back: HTTP calls and other rooms queued
// behind it get their turn, so a busy room never holds a worker for long.
constexpr size_t kEventsPerJob = 16;
constexpr size_t kRecentEvents = 20;  // RoomInfo::recent
constexpr size_t kSummaryBytes = 120;
// messages_per_second is averaged over this many one-second buckets.
constexpr int kRateWindowSeconds = 10;
// RFC 6455 5.5: a control frame's payload is ≤ 125 bytes, 2 of them the close code.
constexpr size_t kMaxReasonBytes = 123;
// An `except` list longer than this is looked up in a hash set instead of scanned.
constexpr size_t kExceptScanLimit = 8;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t steady_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The longest prefix of `text` of at most `max` bytes that ends on a UTF-8 character
// boundary (close reasons and summaries must stay valid UTF-8).
std::string utf8_prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string summary_of(const std::string* payload, bool binary) {
  if (payload == nullptr) return {};
  if (binary) return "(" + std::to_string(payload->size()) + " bytes, binary)";
  return utf8_prefix(*payload, kSummaryBytes);
}

std::string request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buffer[17];
  snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(rng()));
  return buffer;
}

const std::shared_ptr<const std::string>& empty_payload() {
  static const auto empty = std::make_shared<const std::string>();
  return empty;
}

}  // namespace

std::string new_connection_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  // 60 random bits per process start: two nodes (or two runs of one) share a prefix with
  // negligible probability, and the counter never repeats within a run.
  static const std::string node = [] {
    std::random_device device;
    std::string prefix;
    for (int i = 0; i < 10; ++i) prefix += kAlphabet[device() % 64];
    return prefix;
  }();
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  std::string id = node;
  id += '-';
  char digits[16];
  int length = 0;
  do {
    digits[length++] = "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
    n /= 36;
  } while (n != 0);
  while (length > 0) id += digits[--length];
  id += '-';
  // Random bytes too, so an id says nothing about how many connections came before it.
  uint64_t bits = rng();
  for (int i = 0; i < 8; ++i, bits >>= 6) id += kAlphabet[bits & 63];
  return id;
}

struct RoomHub::Impl {
  struct Room;

  // One connection, from join() to leave().
  struct Conn {
    std::string id;
    std::shared_ptr<RoomConnection> connection;
    std::shared_ptr<Room> room;
    // onJoin accepted it: it receives the room's messages. Read without the room's lock
    // while broadcasting.
    std::atomic<bool> joined{false};
    // Under the room's mutex:
    bool member = false;  // in room->members (from just before its onJoin)
    size_t index = 0;     // its position there
    bool left = false;    // leave() was called
  };
  using Members = std::vector<std::shared_ptr<Conn>>;

  struct Event {
    RoomEventKind kind = RoomEventKind::kMessage;
    std::shared_ptr<Conn> conn;
    std::string payload;
    bool binary = false;
    std::vector<std::pair<std::string, std::string>> env;  // join
    std::function<void(JoinOutcome)> done;                 // join
  };

  struct Room {
    Room(int64_t action_id, std::string name) : action_id(action_id), name(std::move(name)) {}
    const int64_t action_id;
    const std::string name;
    capabilities::RoomDirectory* directory = nullptr;  // the action's (set at creation)
    std::mutex mutex;
    // Everything below under `mutex`.
    std::shared_ptr<const platform::Action> action;  // the latest a join brought
    // Copy-on-write: a broadcast takes a reference under the mutex and sends without
    // it; a join or leave copies the list only while such a reference is out.
    std::shared_ptr<Members> members = std::make_shared<Members>();
    std::deque<Event> queue;
    bool scheduled = false;  // in the ready queue or being run by a job
    bool removed = false;    // erased from the hub: a new join makes a new Room
    bool persistent = false;
    uint64_t messages_in = 0;
    uint64_t messages_out = 0;
    std::array<int64_t, kRateWindowSeconds> bucket_second{};
    std::array<uint64_t, kRateWindowSeconds> bucket_count{};
    std::deque<RoomInfo::RecentEvent> recent;
  };

  // The RoomDirectory of one action's rooms (guests' room_connections and room_send).
  class Directory final : public capabilities::RoomDirectory {
   public:
    Directory(Impl& impl, int64_t action_id) : impl_(impl), action_id_(action_id) {}
    std::vector<std::string> connections(std::string_view room) override {
      std::vector<std::string> ids;
      auto found = impl_.find_room(action_id_, room);
      if (!found) return ids;
      std::shared_ptr<Members> members;
      {
        std::lock_guard lock(found->mutex);
        members = found->members;
      }
      ids.reserve(members->size());
      for (const auto& member : *members) ids.push_back(member->id);
      return ids;
    }
    bool contains(std::string_view room, std::string_view connection) override {
      auto conn = impl_.find_conn(connection);
      if (!conn || conn->room->action_id != action_id_ || conn->room->name != room) return false;
      std::lock_guard lock(conn->room->mutex);
      return conn->member;
    }

   private:
    Impl& impl_;
    const int64_t action_id_;
  };

  Impl(RoomRunner& runner, Submit submit, const RoomHubLimits& limits)
      : runner(runner), submit(std::move(submit)), limits(limits) {}

  RoomRunner& runner;
  Submit submit;
  const RoomHubLimits& limits;

  // Connections, rooms and directories. Lock order: `mutex`, then a room's mutex.
  mutable std::mutex mutex;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::shared_ptr<Conn>, Hash, std::equal_to<>> conns;
  std::map<int64_t, std::map<std::string, std::shared_ptr<Room>, std::less<>>> rooms;
  size_t room_count = 0;
  std::map<int64_t, std::unique_ptr<Directory>> directories;  // never erased

  // Rooms with events to run, in the order they became ready; `active` jobs run them.
  std::mutex ready_mutex;
  std::deque<std::shared_ptr<Room>> ready;
  unsigned active = 0;

  std::shared_ptr<Conn> find_conn(std::string_view id) const {
    std::lock_guard lock(mutex);
    auto it = conns.find(id);
    return it == conns.end() ? nullptr : it->second;
  }

  std::shared_ptr<Room> find_room(int64_t action_id, std::string_view name) const {
    std::lock_guard lock(mutex);
    auto action = rooms.find(action_id);
    if (action == rooms.end()) return nullptr;
    auto it = action->second.find(name);
    return it == action->second.end() ? nullptr : it->second;
  }

  Directory& directory(int64_t action_id) {
    std::lock_guard lock(mutex);
    return directory_locked(action_id);
  }
  Directory& directory_locked(int64_t action_id) {
    auto& slot = directories[action_id];
    if (!slot) slot = std::make_unique<Directory>(*this, action_id);
    return *slot;
  }

  // --- membership (room mutex held) ---

  static void add_member(Room& room, const std::shared_ptr<Conn>& conn) {
    if (room.members.use_count() > 1) room.members = std::make_shared<Members>(*room.members);
    conn->index = room.members->size();
    conn->member = true;
    room.members->push_back(conn);
  }

  static void remove_member(Room& room, Conn& conn) {
    if (!conn.member) return;
    if (room.members.use_count() > 1) room.members = std::make_shared<Members>(*room.members);
    auto& list = *room.members;
    size_t at = conn.index;
    if (at + 1 != list.size()) {
      list[at] = std::move(list.back());
      list[at]->index = at;
    }
    list.pop_back();
    conn.member = false;
  }

  static void record(Room& room, std::string_view kind, std::string_view connection,
                     std::string summary) {
    if (room.recent.size() == kRecentEvents) room.recent.pop_front();
    room.recent.push_back(
        {unix_ms(), std::string(kind), std::string(connection), std::move(summary)});
  }

  static void count_message(Room& room) {
    ++room.messages_in;
    int64_t second = steady_seconds();
    size_t slot = static_cast<size_t>(second % kRateWindowSeconds);
    if (room.bucket_second[slot] != second) {
      room.bucket_second[slot] = second;
      room.bucket_count[slot] = 0;
    }
    ++room.bucket_count[slot];
  }

  // --- scheduling ---

  // Queues `event` in `room` (room mutex held by the caller); true if the room must be
  // made ready.
  static bool push(Room& room, Event event) {
    room.queue.push_back(std::move(event));
    if (room.scheduled) return false;
    room.scheduled = true;
    return true;
  }

  void make_ready(std::shared_ptr<Room> room) {
    {
      std::lock_guard lock(ready_mutex);
      ready.push_back(std::move(room));
      if (active >= std::max(1u, limits.max_parallel_rooms)) return;
      ++active;
    }
    if (submit([this] { pump(); })) return;
    // The guest queue is full. A job already running will get to the room; with none
    // running nobody would, so the ready rooms' events fail now instead of waiting
    // for a next event that may never come.
    std::deque<std::shared_ptr<Room>> stranded;
    {
      std::lock_guard lock(ready_mutex);
      if (--active == 0) stranded.swap(ready);
    }
    for (auto& stalled : stranded) fail_queued(*stalled, "all guest workers are busy");
  }

  // One job: runs ready rooms a batch at a time, handing the worker back in between.
  void pump() {
    for (;;) {
      std::shared_ptr<Room> room;
      {
        std::lock_guard lock(ready_mutex);
        if (ready.empty()) {
          --active;
          return;
        }
        room = std::move(ready.front());
        ready.pop_front();
      }
      run_batch(room);
      {
        std::lock_guard lock(ready_mutex);
        if (ready.empty()) {
          --active;
          return;
        }
      }
      if (submit([this] { pump(); })) return;
      // The guest queue is full: go on here rather than leave the rooms waiting.
    }
  }

  void run_batch(const std::shared_ptr<Room>& room) {
    for (size_t i = 0; i < kEventsPerJob; ++i) {
      Event event;
      {
        std::lock_guard lock(room->mutex);
        if (room->queue.empty()) break;
        event = std::move(room->queue.front());
        room->queue.pop_front();
      }
      try {
        run_event(*room, std::move(event));
      } catch (const std::exception& e) {
        spdlog::error("room={} event failed: {}", room->name, e.what());
      }
    }
    bool again = false;
    bool empty = false;
    {
      std::lock_guard lock(room->mutex);
      again = !room->queue.empty();
      if (!again) {
        room->scheduled = false;
        empty = room->members->empty();
      }
    }
    if (again) {
      std::lock_guard lock(ready_mutex);
      ready.push_back(room);
    } else if (empty) {
      remove_if_empty(room);
    }
  }

  // A room nobody is in and nothing is queued for is forgotten (its persistent instance,
  // if any, lives on until the runner finds it idle, so a quick reconnect keeps state).
  void remove_if_empty(const std::shared_ptr<Room>& room) {
    std::lock_guard lock(mutex);
    std::lock_guard room_lock(room->mutex);
    if (room->removed || room->scheduled || !room->queue.empty() || !room->members->empty()) {
      return;
    }
    room->removed = true;
    auto action = rooms.find(room->action_id);
    if (action == rooms.end()) return;
    if (action->second.erase(room->name) > 0) --room_count;
    if (action->second.empty()) rooms.erase(action);
  }

  // The room's queued events when no worker can run them: joins are refused (1013),
  // messages and leaves dropped, each with a log line.
  void fail_queued(Room& room, std::string_view why) {
    std::deque<Event> events;
    std::shared_ptr<const platform::Action> action;
    {
      std::lock_guard lock(room.mutex);
      events.swap(room.queue);
      room.scheduled = false;
      action = room.action;
    }
    for (auto& event : events) {
      auto id = request_id();
      std::string name(capabilities::room_event_name(event.kind));
      if (action) {
        runner.platform().record_error(*action, id, platform::error_kind::kOverloaded,
                                       "room " + room.name + ": " + name + " of " + event.conn->id +
                                           " dropped: " + std::string(why),
                                       true);
      }
      spdlog::warn("room={} connection={} event={} dropped: {}", room.name, event.conn->id, name,
                   why);
      if (event.kind == RoomEventKind::kJoin) {
        refuse(room, event.conn, event.done, 1013, "the server is busy; retry shortly");
      } else if (event.kind == RoomEventKind::kMessage) {
        event.conn->connection->message_done();
      }
    }
  }

  // --- events ---

  // The action as it is now (a redeploy or a settings change applies from the next
  // event on); nullptr once it is deleted. An in-memory lookup.
  std::shared_ptr<const platform::Action> latest(
      const std::shared_ptr<const platform::Action>& known) {
    if (!known) return nullptr;
    auto fresh = runner.platform().find_action(known->owner_id, known->name);
    return fresh && fresh->id == known->id ? fresh : nullptr;
  }

  void run_event(Room& room, Event event) {
    switch (event.kind) {
      case RoomEventKind::kJoin:
        return run_join(room, std::move(event));
      case RoomEventKind::kMessage:
        return run_message(room, std::move(event));
      case RoomEventKind::kLeave:
        return run_leave(room, std::move(event));
    }
  }

  // Not (or no longer) a member: closes the connection with `code` and tells the caller.
  void refuse(Room& room, const std::shared_ptr<Conn>& conn,
              const std::function<void(JoinOutcome)>& done, int code, std::string reason) {
    {
      std::lock_guard lock(mutex);
      auto it = conns.find(conn->id);
      if (it != conns.end() && it->second == conn) conns.erase(it);
    }
    {
      std::lock_guard lock(room.mutex);
      remove_member(room, *conn);
    }
    reason = utf8_prefix(reason, kMaxReasonBytes);
    conn->connection->close(code, reason);
    if (done) done(JoinOutcome{false, conn->id, code, std::move(reason)});
  }

  void run_join(Room& room, Event event) {
    auto conn = event.conn;
    std::shared_ptr<const platform::Action> action;
    bool gone = false;
    bool full = false;
    {
      std::lock_guard lock(room.mutex);
      action = room.action;
      if (conn->left) {
        gone = true;
      } else if (room.members->size() >= limits.max_connections_per_room) {
        full = true;
      } else {
        add_member(room, conn);
      }
    }
    if (gone) {
      // Closed before its onJoin ran: it never joined, so no onLeave either.
      if (event.done) event.done(JoinOutcome{false, conn->id, 1001, "closed before joining"});
      return;
    }
    if (full) {
      return refuse(
          room, conn, event.done, 1013,
          "the room is full (" + std::to_string(limits.max_connections_per_room) + " connections)");
    }
    if (auto fresh = latest(action)) {
      action = std::move(fresh);
    } else {
      return refuse(room, conn, event.done, 1011, "the room's action no longer exists");
    }
    EventInput input;
    input.kind = RoomEventKind::kJoin;
    input.room = room.name;
    input.connection = conn->id;
    input.env = std::move(event.env);
    input.directory = room.directory;
    auto result = runner.run(*action, std::move(input));
    if (!result) {
      auto id = request_id();
      runner.platform().record_error(
          *action, id, result.error().kind,
          "room " + room.name + ": join of " + conn->id + " refused: " + result.error().message,
          true);
      int code = result.error().kind == platform::error_kind::kCompiling ? 1013 : 1011;
      return refuse(room, conn, event.done, code, result.error().message);
    }
    {
      std::lock_guard lock(room.mutex);
      record(room, "join", conn->id, result->refused() ? "refused" : "");
      room.persistent = result->persistent;
    }
    if (result->refused()) {
      const EmittedEvent& refused = result->events.back();
      return refuse(room, conn, event.done, refused.close_code ? refused.close_code : 1008,
                    refused.reason);
    }
    conn->joined.store(true);
    deliver_events(room.action_id, &room, result->events, conn.get());
    // After the delivery: once `done` runs, what the join emitted is on its way.
    if (event.done) event.done(JoinOutcome{true, conn->id, 0, {}});
  }

  void run_message(Room& room, Event event) {
    auto& conn = event.conn;
    std::shared_ptr<const platform::Action> action;
    bool left = false;
    {
      std::lock_guard lock(room.mutex);
      action = room.action;
      left = conn->left;
      if (!left) {
        count_message(room);
        record(room, "message", conn->id, summary_of(&event.payload, event.binary));
      }
    }
    if (left) {  // gone while its message waited: nobody to answer
      conn->connection->message_done();
      return;
    }
    auto fresh = latest(action);
    if (!fresh) {
      conn->connection->message_done();
      conn->connection->close(1011, "the room's action no longer exists");
      return;
    }
    action = std::move(fresh);
    EventInput input;
    input.kind = RoomEventKind::kMessage;
    input.room = room.name;
    input.connection = conn->id;
    input.payload = std::move(event.payload);
    input.binary = event.binary;
    input.directory = room.directory;
    auto result = runner.run(*action, std::move(input));
    // Reads resume before delivery: the next message may queue while we send.
    conn->connection->message_done();
    if (!result) return event_failed(room, *action, *conn, "message", result.error());
    {
      std::lock_guard lock(room.mutex);
      room.persistent = result->persistent;
    }
    deliver_events(room.action_id, &room, result->events, conn.get());
  }

  void run_leave(Room& room, Event event) {
    std::shared_ptr<const platform::Action> action;
    {
      std::lock_guard lock(room.mutex);
      action = room.action;
      record(room, "leave", event.conn->id, "");
    }
    action = latest(action);
    if (!action) return;  // deleted: no handler to tell
    EventInput input;
    input.kind = RoomEventKind::kLeave;
    input.room = room.name;
    input.connection = event.conn->id;
    input.directory = room.directory;
    auto result = runner.run(*action, std::move(input));
    if (!result) return event_failed(room, *action, *event.conn, "leave", result.error());
    {
      std::lock_guard lock(room.mutex);
      room.persistent = result->persistent;
    }
    deliver_events(room.action_id, &room, result->events, nullptr);
  }

  // Nothing ran (disabled, compiling, module_failed, the grant withdrawn, the action
  // deleted): logged for the developer. A member of an action that can no longer have
  // rooms is closed rather than left talking to nothing.
  void event_failed(Room& room, const platform::Action& action, Conn& conn, std::string_view what,
                    const Error& error) {
    auto id = request_id();
    runner.platform().record_error(action, id, error.kind,
                                   "room " + room.name + ": " + std::string(what) + " of " +
                                       conn.id + " not run: " + error.message,
                                   true);
    {
      std::lock_guard lock(room.mutex);
      record(room, "error", conn.id, utf8_prefix(error.message, kSummaryBytes));
    }
    if (error.kind == platform::error_kind::kForbidden ||
        error.kind == platform::error_kind::kNotFound) {
      conn.connection->close(1011, utf8_prefix(error.message, kMaxReasonBytes));
    }
  }

  // --- delivery ---

  // What one event (or an HTTP invocation, `source` nullptr) emitted, in order. `current`
  // is the room the event ran in (nullptr for HTTP); room_select may name others.
  void deliver_events(int64_t action_id, Room* current, const std::vector<EmittedEvent>& events,
                      Conn* source) {
    for (const auto& event : events) {
      switch (event.type) {
        case EmittedEvent::Type::kBroadcast:
          if (current && event.room == current->name) {
            broadcast(*current, event);
          } else if (auto room = find_room(action_id, event.room)) {
            broadcast(*room, event);
          }
          break;
        case EmittedEvent::Type::kToConnection:
          send_to(action_id, event);
          break;
        case EmittedEvent::Type::kReply:
          if (source && current) reply(*current, *source, event);
          break;
        case EmittedEvent::Type::kLog:
        case EmittedEvent::Type::kError:
        case EmittedEvent::Type::kRefused:
          // In the action's log already; refusals are handled by run_join.
          if (event.type == EmittedEvent::Type::kError && current) {
            std::lock_guard lock(current->mutex);
            record(*current, "error", event.connection, summary_of(event.payload.get(), false));
          }
          break;
      }
    }
  }

  void broadcast(Room& room, const EmittedEvent& event) {
    std::shared_ptr<Members> members;
    {
      std::lock_guard lock(room.mutex);
      members = room.members;
    }
    const auto& payload = event.payload ? event.payload : empty_payload();
    std::unordered_set<std::string_view> except_set;
    const bool use_set = event.except.size() > kExceptScanLimit;
    if (use_set) except_set.insert(event.except.begin(), event.except.end());
    auto excepted = [&](const std::string& id) {
      if (use_set) return except_set.count(id) > 0;
      return std::find(event.except.begin(), event.except.end(), id) != event.except.end();
    };
    uint64_t sent = 0;
    // No lock held: a connection's send only queues, but it may take its own locks.
    for (const auto& member : *members) {
      if (!member->joined.load(std::memory_order_relaxed)) continue;
      if (!event.except.empty() && excepted(member->id)) continue;
      member->connection->send(payload, event.binary);
      ++sent;
    }
    std::lock_guard lock(room.mutex);
    room.messages_out += sent;
    record(room, "broadcast", "", summary_of(payload.get(), event.binary));
  }

  void send_to(int64_t action_id, const EmittedEvent& event) {
    auto conn = find_conn(event.connection);
    if (!conn || conn->room->action_id != action_id || conn->room->name != event.room) return;
    if (!conn->joined.load()) {
      // Its own onJoin may greet it (room_send to itself): that one is a member already.
      std::lock_guard lock(conn->room->mutex);
      if (!conn->member) return;
    }
    const auto& payload = event.payload ? event.payload : empty_payload();
    conn->connection->send(payload, event.binary);
    std::lock_guard lock(conn->room->mutex);
    ++conn->room->messages_out;
    record(*conn->room, "to_connection", conn->id, summary_of(payload.get(), event.binary));
  }

  void reply(Room& room, Conn& source, const EmittedEvent& event) {
    {
      std::lock_guard lock(room.mutex);
      if (source.left || !source.member) return;
    }
    const auto& payload = event.payload ? event.payload : empty_payload();
    source.connection->send(payload, event.binary);
    std::lock_guard lock(room.mutex);
    ++room.messages_out;
    record(room, "reply", source.id, summary_of(payload.get(), event.binary));
  }
};

RoomHub::RoomHub(RoomRunner& runner, Submit submit, RoomHubLimits limits)
    : limits_(limits), impl_(std::make_unique<Impl>(runner, std::move(submit), limits_)) {}

RoomHub::~RoomHub() { detach_all(); }

std::string RoomHub::join(std::shared_ptr<const platform::Action> action, std::string room,
                          std::vector<std::pair<std::string, std::string>> env,
                          std::shared_ptr<RoomConnection> connection,
                          std::function<void(JoinOutcome)> done) {
  auto& impl = *impl_;
  auto conn = std::make_shared<Impl::Conn>();
  conn->id = new_connection_id();
  conn->connection = std::move(connection);
  std::string id = conn->id;
  std::shared_ptr<Impl::Room> target;
  bool schedule = false;
  std::string refused;
  {
    std::lock_guard lock(impl.mutex);
    auto& rooms = impl.rooms[action->id];
    auto it = rooms.find(room);
    if (it == rooms.end()) {
      if (impl.room_count >= limits_.max_rooms) {
        refused = "the server holds its limit of " + std::to_string(limits_.max_rooms) + " rooms";
        if (rooms.empty()) impl.rooms.erase(action->id);
      } else {
        auto created = std::make_shared<Impl::Room>(action->id, room);
        created->directory = &impl.directory_locked(action->id);
        it = rooms.emplace(room, std::move(created)).first;
        ++impl.room_count;
      }
    }
    if (refused.empty()) {
      target = it->second;
      std::lock_guard room_lock(target->mutex);
      if (target->queue.size() >= limits_.max_pending_events) {
        refused = "the room is overloaded; retry shortly";
      } else {
        conn->room = target;
        target->action = action;
        impl.conns.emplace(conn->id, conn);
        Impl::Event event;
        event.kind = RoomEventKind::kJoin;
        event.conn = conn;
        event.env = std::move(env);
        event.done = std::move(done);
        schedule = Impl::push(*target, std::move(event));
      }
    }
  }
  if (!refused.empty()) {
    conn->connection->close(1013, refused);
    if (done) done(JoinOutcome{false, id, 1013, std::move(refused)});
    return id;
  }
  if (schedule) impl.make_ready(std::move(target));
  return id;
}

void RoomHub::message(std::string_view connection_id, std::string payload, bool binary) {
  auto& impl = *impl_;
  auto conn = impl.find_conn(connection_id);
  if (!conn) return;  // gone (or never joined): its session is closing
  auto& room = conn->room;
  bool schedule = false;
  bool overloaded = false;
  {
    std::unique_lock lock(room->mutex);
    if (conn->left || !conn->member) {
      lock.unlock();
      conn->connection->message_done();
      return;
    }
    if (room->queue.size() >= limits_.max_pending_events) {
      overloaded = true;
    } else {
      Impl::Event event;
      event.kind = RoomEventKind::kMessage;
      event.conn = conn;
      event.payload = std::move(payload);
      event.binary = binary;
      schedule = Impl::push(*room, std::move(event));
    }
  }
  if (overloaded) {
    conn->connection->close(1013, "the room is overloaded; retry shortly");
    return;
  }
  if (schedule) impl.make_ready(room);
}

void RoomHub::leave(std::string_view connection_id) {
  auto& impl = *impl_;
  std::shared_ptr<Impl::Conn> conn;
  {
    std::lock_guard lock(impl.mutex);
    auto it = impl.conns.find(connection_id);
    if (it == impl.conns.end()) return;
    conn = std::move(it->second);
    impl.conns.erase(it);
  }
  auto& room = conn->room;
  bool schedule = false;
  {
    std::lock_guard lock(room->mutex);
    conn->left = true;
    if (conn->member) {
      Impl::remove_member(*room, *conn);
      // Leaves are never refused for a full queue: they are bounded by the members.
      Impl::Event event;
      event.kind = RoomEventKind::kLeave;
      event.conn = conn;
      schedule = Impl::push(*room, std::move(event));
    }
  }
  if (schedule) impl.make_ready(room);
}

void RoomHub::deliver(int64_t action_id, const std::vector<capabilities::EmittedEvent>& events) {
  impl_->deliver_events(action_id, nullptr, events, nullptr);
}

capabilities::RoomDirectory& RoomHub::directory(int64_t action_id) {
  return impl_->directory(action_id);
}

std::vector<RoomInfo> RoomHub::rooms(int64_t action_id) const {
  auto& impl = *impl_;
  std::vector<std::shared_ptr<Impl::Room>> list;
  {
    std::lock_guard lock(impl.mutex);
    auto action = impl.rooms.find(action_id);
    if (action != impl.rooms.end()) {
      for (const auto& [name, room] : action->second) list.push_back(room);
    }
  }
  std::vector<RoomInfo> infos;
  int64_t now = steady_seconds();
  for (const auto& room : list) {
    std::lock_guard lock(room->mutex);
    RoomInfo info;
    info.room = room->name;
    info.connections = room->members->size();
    info.messages_in = room->messages_in;
    info.messages_out = room->messages_out;
    uint64_t recent = 0;
    for (int i = 0; i < kRateWindowSeconds; ++i) {
      // The current second is still filling: the window is the 10 seconds before it
      // plus what this one has so far, divided by 10.
      if (now - room->bucket_second[i] < kRateWindowSeconds) recent += room->bucket_count[i];
    }
    info.messages_per_second = static_cast<double>(recent) / kRateWindowSeconds;
    info.persistent = room->persistent;
    info.recent.assign(room->recent.begin(), room->recent.end());
    infos.push_back(std::move(info));
  }
  return infos;
}

Expected<EventResult> RoomHub::test_message(std::shared_ptr<const platform::Action> action,
                                            std::string room, std::string payload, bool binary) {
  if (!capabilities::is_room_name(room)) {
    return make_error(std::string(platform::error_kind::kInvalidArgument),
                      "room names are 1-128 of [A-Za-z0-9_.~-]");
  }
  auto& impl = *impl_;
  auto target = impl.find_room(action->id, room);
  if (target) {
    std::lock_guard lock(target->mutex);
    Impl::count_message(*target);
    Impl::record(*target, "message", "dashboard", summary_of(&payload, binary));
  }
  // Runs here, beside the room's own events: the runner serializes a persistent
  // instance itself, and a test message needs no place in the members' order.
  EventInput input;
  input.kind = RoomEventKind::kMessage;
  input.room = room;
  input.connection = "dashboard";
  input.payload = std::move(payload);
  input.binary = binary;
  input.directory = &impl.directory(action->id);
  auto result = impl.runner.run(*action, std::move(input));
  if (!result) return result;
  impl.deliver_events(action->id, target.get(), result->events, nullptr);
  return result;
}

void RoomHub::close_all() {
  std::vector<std::shared_ptr<RoomConnection>> open;
  {
    std::lock_guard lock(impl_->mutex);
    open.reserve(impl_->conns.size());
    for (const auto& [id, conn] : impl_->conns) open.push_back(conn->connection);
  }
  for (auto& connection : open) connection->close(1001, "the server is shutting down");
}

void RoomHub::detach_all() {
  auto& impl = *impl_;
  decltype(impl.conns) conns;
  decltype(impl.rooms) rooms;
  std::deque<std::shared_ptr<Impl::Room>> ready;
  {
    std::lock_guard lock(impl.mutex);
    conns.swap(impl.conns);
    rooms.swap(impl.rooms);
    impl.room_count = 0;
  }
  {
    std::lock_guard lock(impl.ready_mutex);
    ready.swap(impl.ready);
  }
  // Events hold connections too: empty every room (members and queue) so nothing the
  // hub held outlives this call.
  for (auto& [action_id, named] : rooms) {
    for (auto& [name, room] : named) {
      std::deque<Impl::Event> events;
      std::shared_ptr<Impl::Members> members;
      {
        std::lock_guard lock(room->mutex);
        events.swap(room->queue);
        members = std::move(room->members);
        room->members = std::make_shared<Impl::Members>();
        room->removed = true;
      }
    }
  }
  for (auto& [id, conn] : conns) conn->room.reset();
}

size_t RoomHub::connection_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->conns.size();
}

}  // namespace wa::rooms
