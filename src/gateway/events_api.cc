#include "gateway/events_api.h"

#include <spdlog/spdlog.h>

#include "capabilities/room_events.h"
#include "gateway/json_response.h"
#include "gateway/rest_api.h"
#include "platform/error_kinds.h"
#include "platform/scopes.h"
#include "support/base64.h"
#include "support/utf8.h"

namespace wa::gateway {

namespace {

namespace ek = platform::error_kind;
using nlohmann::json;

constexpr std::string_view kEventsPath = "/api/v1/events";
constexpr std::string_view kBatchPath = "/api/v1/events:batch";
// Credentials remembered by the rate limiter; past this the idle (full) buckets go.
constexpr size_t kMaxBuckets = 10000;
constexpr size_t kMaxEnvVars = 64;

// A failed event: the status it would have as a request of its own, and why.
struct Failure {
  unsigned status;
  std::string kind;
  std::string message;
};

json failure_json(const Failure& failure) {
  return {{"error", failure.kind}, {"message", failure.message}, {"status", failure.status}};
}

// The limiter's key: one bucket per API token or session.
std::string credential_key(const platform::Principal& who) {
  if (who.via == platform::Principal::Via::kApiToken) return "t" + std::to_string(who.api_token_id);
  return "s" + who.session_id;
}

Expected<std::string> string_field(const json& body, const char* name, bool required) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required)
      return make_error(std::string(ek::kInvalidArgument),
                        std::string("\"") + name + "\" is required");
    return std::string();
  }
  if (!it->is_string())
    return make_error(std::string(ek::kInvalidArgument),
                      std::string("\"") + name + "\" must be a string");
  return it->get<std::string>();
}

Failure invalid(std::string message) {
  return {400, std::string(ek::kInvalidArgument), std::move(message)};
}

}  // namespace

EventsApi::EventsApi(platform::Platform& platform, rooms::RoomRunner& runner,
                     EventsApiLimits limits)
    : platform_(platform), runner_(runner), limits_(limits) {}

bool EventsApi::handles(std::string_view path) { return path == kEventsPath || path == kBatchPath; }

bool EventsApi::admit(const platform::Principal& who, unsigned events) {
  std::lock_guard lock(buckets_mutex_);
  if (buckets_.size() >= kMaxBuckets) buckets_.clear();  // every caller starts full again
  auto [it, inserted] =
      buckets_.try_emplace(credential_key(who), limits_.events_per_second, limits_.burst);
  return it->second.take(events);
}

json EventsApi::run_one(const json& body, const platform::Principal& who,
                        const std::string& request_id, unsigned& status) {
  auto fail = [&status](Failure failure) {
    status = failure.status;
    return failure_json(failure);
  };
  if (!body.is_object()) return fail(invalid("an event must be a JSON object"));
  auto action_name = string_field(body, "action", true);
  auto kind = string_field(body, "event", true);
  auto room = string_field(body, "room", true);
  auto connection = string_field(body, "connection", true);
  auto payload = string_field(body, "payload", false);
  auto encoding = string_field(body, "payload_encoding", false);
  auto message_type = string_field(body, "message_type", false);
  for (auto* field : {&action_name, &kind, &room, &connection, &payload, &encoding, &message_type})
    if (!*field) return fail(invalid(field->error().message));

  rooms::EventInput input;
  if (*kind == "join") {
    input.kind = capabilities::RoomEventKind::kJoin;
  } else if (*kind == "message") {
    input.kind = capabilities::RoomEventKind::kMessage;
  } else if (*kind == "leave") {
    input.kind = capabilities::RoomEventKind::kLeave;
  } else {
    return fail(invalid("\"event\" must be \"join\", \"message\" or \"leave\""));
  }
  if (!capabilities::is_room_name(*room))
    return fail(invalid("\"room\": 1-128 of letters, digits, '_', '.', '~' and '-'"));
  if (!capabilities::is_connection_id(*connection))
    return fail(invalid("\"connection\": 1-64 of letters, digits, '_' and '-'"));

  std::string bytes = std::move(*payload);
  if (encoding->empty() || *encoding == "utf8") {
    if (!is_valid_utf8(bytes)) return fail(invalid("\"payload\" is not valid UTF-8"));
  } else if (*encoding == "base64") {
    auto decoded = base64_decode(bytes);
    if (!decoded) return fail(invalid("\"payload\" is not valid base64"));
    bytes = std::move(*decoded);
  } else {
    return fail(invalid("\"payload_encoding\" must be \"utf8\" or \"base64\""));
  }
  if (bytes.size() > limits_.max_payload_bytes) {
    return fail({413, "too_large",
                 "the payload of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                     std::to_string(limits_.max_payload_bytes) + " bytes"});
  }
  if (message_type->empty()) {
    input.binary = *encoding == "base64" && !is_valid_utf8(bytes);
  } else if (*message_type == "text" || *message_type == "binary") {
    input.binary = *message_type == "binary";
  } else {
    return fail(invalid("\"message_type\" must be \"text\" or \"binary\""));
  }

  std::vector<std::string> members;
  if (auto it = body.find("connections"); it != body.end() && !it->is_null()) {
    if (!it->is_array()) return fail(invalid("\"connections\" must be a list of connection ids"));
    if (it->size() > limits_.max_connections) {
      return fail(
          {413, "too_large",
           "\"connections\" lists more than " + std::to_string(limits_.max_connections) + " ids"});
    }
    members.reserve(it->size());
    for (const auto& id : *it) {
      if (!id.is_string() || !capabilities::is_connection_id(id.get_ref<const std::string&>()))
        return fail(invalid("\"connections\" holds an id that is not 1-64 of [A-Za-z0-9_-]"));
      members.push_back(id.get<std::string>());
    }
  }
  if (auto it = body.find("env"); it != body.end() && !it->is_null()) {
    if (!it->is_object() || it->size() > kMaxEnvVars)
      return fail(invalid("\"env\" must be an object of at most 64 strings"));
    for (const auto& [name, value] : it->items()) {
      const bool good_name =
          !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
          });
      if (!good_name || !value.is_string() || name.starts_with("WA_"))
        return fail(invalid("\"env\": names of [A-Z0-9_] (not WA_*), string values"));
      input.env.emplace_back(name, value.get<std::string>());
    }
  }

  // "<owner>/<name>"; another developer's action is as absent as a missing one.
  auto slash = action_name->find('/');
  if (slash == std::string::npos) return fail(invalid("\"action\" must be \"<owner>/<name>\""));
  // The caller's own action (the usual case) is found without reading the database.
  const std::string_view owner = std::string_view(*action_name).substr(0, slash);
  const std::string_view name = std::string_view(*action_name).substr(slash + 1);
  auto action = owner == who.user.username ? runner_.find_room_action(who.user.id, name)
                                           : runner_.find_room_action(owner, name);
  if (!action || ((*action)->owner_id != who.user.id && !who.user.is_admin)) {
    return fail({404, std::string(ek::kNotFound),
                 "no room handler \"" + *action_name + "\" (an action of yours granted rooms)"});
  }

  input.room = std::move(*room);
  input.connection = std::move(*connection);
  input.payload = std::move(bytes);
  rooms::StaticDirectory directory;
  directory.set(input.room, std::move(members));
  input.directory = &directory;
  input.request_id = request_id;
  auto ran = runner_.run(**action, std::move(input));
  if (!ran) {
    status = status_for_error_kind(ran.error().kind);
    return failure_json({status, ran.error().kind, ran.error().message});
  }
  json events = json::array();
  for (const auto& event : ran->events) events.push_back(capabilities::emitted_event_json(event));
  status = 200;
  return {{"events", std::move(events)},
          {"duration_ms", std::chrono::duration<double, std::milli>(ran->duration).count()},
          {"outcome", ran->outcome},
          {"ran", ran->ran}};
}

HttpResponse EventsApi::handle(const HttpRequest& request, const RequestInfo& info) {
  std::string_view target(request.target().data(), request.target().size());
  const bool batch = target.substr(0, target.find('?')) == kBatchPath;
  if (request.method() != http::verb::post)
    return error_json(405, "method_not_allowed", "use POST");
  std::string token = bearer_token(request);
  if (token.empty())
    return error_json(401, ek::kUnauthorized,
                      "missing credentials: send \"Authorization: Bearer <token>\"");
  auto who = platform_.accounts().authenticate(token);
  if (!who) return error_json(401, ek::kUnauthorized, who.error().message);
  if (!who->has(platform::scope::kEvents)) {
    return error_json(403, ek::kForbidden,
                      "this token lacks the \"events\" scope; create one that has it (POST "
                      "/api/v1/tokens {\"scopes\": [\"events\"]})");
  }
  json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return error_json(400, "bad_request", "the body is not valid JSON");

  const json* events = &body;
  if (batch) {
    auto it = body.is_object() ? body.find("events") : body.end();
    if (it == body.end() || !it->is_array())
      return error_json(400, "bad_request", "a batch is {\"events\": [event, ...]}");
    if (it->size() > limits_.max_batch) {
      return error_json(413, "too_large",
                        "a batch holds at most " + std::to_string(limits_.max_batch) + " events");
    }
    events = &*it;
  }
  const unsigned count = batch ? static_cast<unsigned>(events->size()) : 1;
  if (!admit(*who, count)) {
    auto limited = error_json(429, ek::kRateLimited,
                              "more than " + std::to_string(limits_.events_per_second) +
                                  " events per second for this token; retry shortly");
    limited.set(http::field::retry_after, "1");
    return limited;
  }
  if (!batch) {
    unsigned status = 200;
    json answer = run_one(body, *who, info.request_id, status);
    auto response = json_response(status, answer);
    if (status == 503) response.set(http::field::retry_after, "1");
    return response;
  }
  // In order: events of one room keep theirs, and a host ticking once sends them as one.
  json results = json::array();
  unsigned n = 0;
  for (const auto& event : *events) {
    unsigned status = 200;
    results.push_back(run_one(event, *who, info.request_id + "." + std::to_string(++n), status));
  }
  return json_response(200, {{"results", std::move(results)}});
}

}  // namespace wa::gateway
