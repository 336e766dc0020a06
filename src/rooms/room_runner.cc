#include "rooms/room_runner.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>

#include "platform/error_kinds.h"
#include "platform/live_room.h"
#include "support/utf8.h"

namespace wa::rooms {

namespace {

using capabilities::EmittedEvent;
using capabilities::RoomEventKind;
using Clock = std::chrono::steady_clock;

Error err(std::string_view kind, std::string message) {
  return make_error(std::string(kind), std::move(message));
}

std::string fresh_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(rng()));
  return buffer;
}

// A WebSocket close reason: at most 123 bytes (RFC 6455 5.5: a control frame's payload is
// 125 bytes, 2 of them the code), cut at a character boundary, valid UTF-8.
std::string close_reason(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  std::string reason(text.substr(0, 123));
  while (!reason.empty() && !is_valid_utf8(reason)) reason.pop_back();
  return reason;
}

EmittedEvent event_of(EmittedEvent::Type type, const capabilities::RoomEvent& event,
                      std::string payload, const std::string& service_id) {
  EmittedEvent out =
      capabilities::make_message_event(type, event.room, std::move(payload), service_id);
  out.connection = event.connection;
  return out;
}

}  // namespace

bool EventResult::refused() const {
  return !events.empty() && events.back().type == EmittedEvent::Type::kRefused;
}

// The live instances of persistent rooms, one slot per (action, room). A slot is taken
// (users > 0) while an event runs on it; only idle slots are evicted or dropped, and
// users only grows under the table's mutex, so an idle slot found there stays idle.
struct RoomRunner::LiveRooms {
  struct Slot {
    std::mutex mutex;  // one event at a time on the instance
    platform::LiveRoom room;
    int64_t owner_id = 0;
    std::atomic<int> users{0};
    std::atomic<int64_t> last_used{0};  // steady clock, ns
  };
  using Key = std::pair<int64_t, std::string>;

  mutable std::mutex mutex;
  std::map<Key, std::shared_ptr<Slot>> slots;

  static int64_t now_ns(Clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  }

  // The least recently used idle slot (of `owner`, or of anyone with owner 0).
  std::map<Key, std::shared_ptr<Slot>>::iterator eviction_candidate(int64_t owner) {
    auto best = slots.end();
    for (auto it = slots.begin(); it != slots.end(); ++it) {
      const Slot& slot = *it->second;
      if (slot.users.load() != 0 || (owner != 0 && slot.owner_id != owner)) continue;
      if (best == slots.end() || slot.last_used.load() < best->second->last_used.load()) best = it;
    }
    return best;
  }

  Expected<std::shared_ptr<Slot>> acquire(int64_t action_id, int64_t owner_id,
                                          const std::string& room, const RoomRunnerConfig& config,
                                          std::vector<std::shared_ptr<Slot>>& evicted) {
    std::lock_guard lock(mutex);
    Key key{action_id, room};
    if (auto it = slots.find(key); it != slots.end()) {
      ++it->second->users;
      return it->second;
    }
    size_t owned = 0;
    for (const auto& [k, slot] : slots) owned += slot->owner_id == owner_id;
    if (owned >= config.max_persistent_per_owner || slots.size() >= config.max_persistent_total) {
      auto victim = eviction_candidate(owned >= config.max_persistent_per_owner ? owner_id : 0);
      if (victim == slots.end()) {
        return err(platform::error_kind::kOverloaded,
                   "every live room instance is busy (at most " +
                       std::to_string(config.max_persistent_per_owner) + " per developer, " +
                       std::to_string(config.max_persistent_total) + " in all); retry shortly");
      }
      evicted.push_back(std::move(victim->second));
      slots.erase(victim);
    }
    auto slot = std::make_shared<Slot>();
    slot->owner_id = owner_id;
    slot->users = 1;
    slot->last_used = now_ns(Clock::now());
    slots.emplace(std::move(key), slot);
    return slot;
  }
};

RoomRunner::RoomRunner(platform::Platform& platform, RoomRunnerConfig config)
    : platform_(platform), config_(config), live_(std::make_unique<LiveRooms>()) {}

RoomRunner::~RoomRunner() = default;

Expected<std::shared_ptr<const platform::Action>> RoomRunner::find_room_action(
    std::string_view owner_name, std::string_view name) const {
  auto not_found = [&] {
    return err(platform::error_kind::kNotFound,
               "no room handler '" + std::string(owner_name) + "/" + std::string(name) + "'");
  };
  auto user = platform_.accounts().find_user(owner_name);
  if (!user) return not_found();
  auto action = find_room_action(user->id, name);
  if (!action) return not_found();
  return action;
}

Expected<std::shared_ptr<const platform::Action>> RoomRunner::find_room_action(
    int64_t owner_id, std::string_view name) const {
  auto action = platform_.find_action(owner_id, name);
  if (!action || !action->settings.capabilities.rooms) {
    return err(platform::error_kind::kNotFound,
               "no room handler '" + std::string(name) + "' of this developer");
  }
  return action;
}

Expected<EventResult> RoomRunner::run(const platform::Action& action, EventInput input) {
  if (!capabilities::is_room_name(input.room)) {
    return err(platform::error_kind::kInvalidArgument,
               "room names are 1-128 of letters, digits, '_', '.', '~' and '-'");
  }
  if (!capabilities::is_connection_id(input.connection)) {
    return err(platform::error_kind::kInvalidArgument,
               "connection ids are 1-64 of letters, digits, '_' and '-'");
  }
  capabilities::RoomEvent event;
  event.kind = input.kind;
  event.room = std::move(input.room);
  event.connection = std::move(input.connection);
  event.action = action.name;
  event.binary = input.binary;
  event.payload = std::move(input.payload);
  if (event.kind == RoomEventKind::kJoin) {
    for (const auto& [name, value] : input.env)
      if (name == "QUERY_STRING") event.query = value;
  }

  platform::RoomInvocation invocation;
  invocation.event = &event;
  invocation.env = std::move(input.env);
  invocation.directory = input.directory;
  invocation.request_id = input.request_id.empty() ? fresh_request_id() : input.request_id;

  Expected<platform::InvokeResult> invoked = err(platform::error_kind::kInternal, "not run");
  if (action.settings.room_mode == platform::ActionSettings::RoomMode::kPersistent) {
    std::vector<std::shared_ptr<LiveRooms::Slot>> evicted;  // destroyed outside the lock
    auto slot = live_->acquire(action.id, action.owner_id, event.room, config_, evicted);
    evicted.clear();
    if (!slot) return slot.error();
    {
      std::lock_guard lock((*slot)->mutex);
      invocation.live = &(*slot)->room;
      invoked = platform_.invoke_room_event(action, invocation);
      (*slot)->last_used = LiveRooms::now_ns(Clock::now());
    }
    --(*slot)->users;
  } else {
    invoked = platform_.invoke_room_event(action, invocation);
  }
  if (!invoked) return invoked.error();

  platform::InvokeResult& call = *invoked;
  const std::string service_id = action.owner_name + "/" + action.name;
  EventResult result;
  result.ran = call.ran;
  result.persistent = call.persistent;
  result.duration = call.call.duration;
  result.exit_code = call.call.exit_code;
  result.events = std::move(call.room_events);
  const bool trapped = call.call.trapped();
  result.outcome = trapped ? call.outcome : (call.call.exit_code != 0 ? "exit_error" : "ok");
  // A join is refused by room_refuse (the instance lives on) or by failing.
  const bool refused =
      event.kind == RoomEventKind::kJoin && (result.outcome != "ok" || call.room_refusal);
  // What the handler printed is its answer to the event's connection; a refused join's
  // is the reason it gives.
  if (!call.call.stdout_data.empty() && !refused) {
    result.events.push_back(
        event_of(EmittedEvent::Type::kReply, event, std::move(call.call.stdout_data), service_id));
  }
  if (!call.call.stderr_data.empty()) {
    result.events.push_back(
        event_of(EmittedEvent::Type::kLog, event, std::move(call.call.stderr_data), service_id));
  }
  if (trapped || result.outcome == "exit_error") {
    std::string message =
        trapped ? call.call.message
                : "the handler exited with code " + std::to_string(call.call.exit_code);
    result.events.push_back(event_of(EmittedEvent::Type::kError, event, message, service_id));
  }
  if (refused) {
    EmittedEvent refusal = event_of(EmittedEvent::Type::kRefused, event, "", service_id);
    if (trapped) {
      refusal.close_code = 1011;
      refusal.reason = close_reason("the room handler failed: " + call.outcome);
    } else {
      refusal.close_code = 1008;
      refusal.reason = close_reason(call.room_refusal ? *call.room_refusal : call.call.stdout_data);
      if (refusal.reason.empty()) refusal.reason = "refused by the room handler";
    }
    result.events.push_back(std::move(refusal));
  }
  return result;
}

Expected<EventResult> RoomRunner::on_join(const platform::Action& action, std::string room,
                                          std::string connection,
                                          std::vector<std::pair<std::string, std::string>> env,
                                          capabilities::RoomDirectory* directory) {
  EventInput input;
  input.kind = RoomEventKind::kJoin;
  input.room = std::move(room);
  input.connection = std::move(connection);
  input.env = std::move(env);
  input.directory = directory;
  return run(action, std::move(input));
}

Expected<EventResult> RoomRunner::on_message(const platform::Action& action, std::string room,
                                             std::string connection, std::string payload,
                                             bool binary, capabilities::RoomDirectory* directory) {
  EventInput input;
  input.kind = RoomEventKind::kMessage;
  input.room = std::move(room);
  input.connection = std::move(connection);
  input.payload = std::move(payload);
  input.binary = binary;
  input.directory = directory;
  return run(action, std::move(input));
}

Expected<EventResult> RoomRunner::on_leave(const platform::Action& action, std::string room,
                                           std::string connection,
                                           capabilities::RoomDirectory* directory) {
  EventInput input;
  input.kind = RoomEventKind::kLeave;
  input.room = std::move(room);
  input.connection = std::move(connection);
  input.directory = directory;
  return run(action, std::move(input));
}

void RoomRunner::drop_room(int64_t action_id, std::string_view room) {
  std::shared_ptr<LiveRooms::Slot> dropped;
  std::lock_guard lock(live_->mutex);
  auto it = live_->slots.find(LiveRooms::Key{action_id, std::string(room)});
  if (it == live_->slots.end() || it->second->users.load() != 0) return;
  dropped = std::move(it->second);
  live_->slots.erase(it);
}

size_t RoomRunner::drop_idle(Clock::time_point now) {
  const int64_t cutoff = LiveRooms::now_ns(now - config_.persistent_idle);
  std::vector<std::shared_ptr<LiveRooms::Slot>> dropped;
  {
    std::lock_guard lock(live_->mutex);
    for (auto it = live_->slots.begin(); it != live_->slots.end();) {
      const auto& slot = *it->second;
      if (slot.users.load() == 0 && slot.last_used.load() <= cutoff) {
        dropped.push_back(std::move(it->second));
        it = live_->slots.erase(it);
      } else {
        ++it;
      }
    }
  }
  return dropped.size();  // the instances go here, outside the lock
}

size_t RoomRunner::live_instances() const {
  std::lock_guard lock(live_->mutex);
  return live_->slots.size();
}

}  // namespace wa::rooms
