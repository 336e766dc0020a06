// RoomRunner: the embeddable rooms API. Runs an action's onJoin / onMessage / onLeave for
// one event and returns what the guest emitted, for whoever owns the sockets to deliver.
// Needs no HTTP server: the gateway's room hub is one user, the event API another, and an
// external C++ WebSocket server can be a third.
//
//   auto platform = platform::Platform::open(config).value();
//   rooms::RoomRunner runner(*platform);
//   auto action = runner.find_room_action("ann", "chat").value();
//   rooms::StaticDirectory members({{"lobby", {"c1", "c2"}}});
//   auto joined = runner.on_join(*action, "lobby", "c2", {{"QUERY_STRING", "name=bo"}}, &members);
//   for (const auto& e : joined->events) deliver(e);   // broadcast / to_connection / reply ...
//
// Thread-safe: events may run on many threads at once. Events of one room are the
// caller's to order (the hub runs them one at a time per room); in persistent mode the
// room's live instance runs one event at a time whatever the caller does.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capabilities/room_events.h"
#include "platform/platform.h"
#include "support/expected.h"

namespace wa::rooms {

struct RoomRunnerConfig {
  // Persistent mode: a live instance is dropped after the room had no event this long,
  // and at most this many live at once per owner and in the process (the least recently
  // used idle one is evicted first; each reserves 8 GiB of address space).
  std::chrono::seconds persistent_idle{300};
  unsigned max_persistent_per_owner = 64;
  unsigned max_persistent_total = 1024;
  capabilities::RoomCallLimits limits;
};

// One event to run.
struct EventInput {
  capabilities::RoomEventKind kind = capabilities::RoomEventKind::kMessage;
  std::string room;
  std::string connection;
  std::string payload;  // message bytes
  bool binary = false;
  // join: the upgrade request's CGI variables (QUERY_STRING, HTTP_*, REMOTE_ADDR, ...).
  std::vector<std::pair<std::string, std::string>> env;
  // Who is in the action's rooms (room_connections, room_send); nullptr: nobody.
  capabilities::RoomDirectory* directory = nullptr;
  std::string request_id;  // names the event in the action's log; empty: a fresh one
};

struct EventResult {
  // What the guest emitted, in order: its room calls, then its stdout as a `reply` to the
  // event's connection, then `log` (stderr lines) and `error` (a trap); a refused join
  // ends with one `refused` (close code 1008 and the guest's stdout as the reason; 1011
  // if the handler failed).
  std::vector<capabilities::EmittedEvent> events;
  // "ok", the trap kind ("timeout", "out_of_bounds", ...) or "exit_error" (non-zero exit).
  std::string outcome = "ok";
  int exit_code = 0;
  std::chrono::nanoseconds duration{0};
  bool ran = false;         // false: the module has no export for this event
  bool persistent = false;  // ran on the room's live instance
  bool refused() const;     // a join the handler refused (a `refused` event is last)
};

// A fixed membership (tests, and hosts that know their sockets): room → connection ids.
using StaticDirectory = capabilities::StaticDirectory;

class RoomRunner {
 public:
  explicit RoomRunner(platform::Platform& platform, RoomRunnerConfig config = {});
  ~RoomRunner();
  RoomRunner(const RoomRunner&) = delete;
  RoomRunner& operator=(const RoomRunner&) = delete;

  // The action `name` of the user `owner_name` if it exists and is granted `rooms`;
  // not_found otherwise (the endpoint answers 404 either way, revealing nothing).
  Expected<std::shared_ptr<const platform::Action>> find_room_action(std::string_view owner_name,
                                                                     std::string_view name) const;
  // The same for an owner whose id the caller knows (no database read: the route table).
  Expected<std::shared_ptr<const platform::Action>> find_room_action(int64_t owner_id,
                                                                     std::string_view name) const;

  // Runs the event's export on the action's current version: on a fresh instance
  // (settings.room_mode "per-event") or on the room's live instance ("persistent"; made
  // on the room's first event; a trap, timeout or memory-cap hit discards it and the next
  // event gets a fresh one). Under the action's time limit and memory cap, with its KV,
  // volume and outbound grants. Errors (nothing ran): as Platform::invoke (disabled,
  // not_found, compiling, module_failed), and forbidden without the rooms grant.
  Expected<EventResult> run(const platform::Action& action, EventInput input);

  Expected<EventResult> on_join(const platform::Action& action, std::string room,
                                std::string connection,
                                std::vector<std::pair<std::string, std::string>> env,
                                capabilities::RoomDirectory* directory);
  Expected<EventResult> on_message(const platform::Action& action, std::string room,
                                   std::string connection, std::string payload, bool binary,
                                   capabilities::RoomDirectory* directory);
  Expected<EventResult> on_leave(const platform::Action& action, std::string room,
                                 std::string connection, capabilities::RoomDirectory* directory);

  // Persistent instances: drops a room's (e.g. once its last connection left and the
  // host wants the memory back) or the ones idle past the limit (`now` for tests).
  void drop_room(int64_t action_id, std::string_view room);
  size_t drop_idle(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  size_t live_instances() const;

  platform::Platform& platform() { return platform_; }
  const RoomRunnerConfig& config() const { return config_; }

 private:
  struct LiveRooms;
  platform::Platform& platform_;
  RoomRunnerConfig config_;
  std::unique_ptr<LiveRooms> live_;
};

}  // namespace wa::rooms
