#include "gateway/rest_api.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "capabilities/catalog.h"
#include "capabilities/room_events.h"
#include "gateway/cgi_request.h"
#include "gateway/json_response.h"
#include "gateway/kv_api.h"
#include "gateway/multipart.h"
#include "gateway/origins.h"
#include "gateway/volume_api.h"
#include "platform/error_kinds.h"
#include "support/base64.h"

namespace wa::gateway {

namespace ek = platform::error_kind;
using nlohmann::json;
using platform::Principal;

// One API request, split into what the routes need.
struct RestApi::Call {
  const HttpRequest& request;
  const RequestInfo& info;
  http::verb method;
  std::vector<std::string> segments;  // path below /api/v1, decoded
  std::string query;
};

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    segments.push_back(percent_decode(path.substr(0, slash), false));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return segments;
}

std::optional<std::string> query_param(std::string_view query, std::string_view key) {
  for (const auto& item : query_arguments(query)) {
    auto eq = item.find('=');
    if (item.substr(0, eq) == key) return eq == std::string::npos ? "" : item.substr(eq + 1);
  }
  return std::nullopt;
}

Expected<json> parse_json_body(const HttpRequest& request, bool allow_empty) {
  if (request.body().empty()) {
    if (allow_empty) return json::object();
    return make_error("bad_request", "expected a JSON body");
  }
  json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return make_error("bad_request", "the body is not valid JSON");
  if (!body.is_object()) return make_error("bad_request", "the JSON body must be an object");
  return body;
}

Expected<std::string> string_field(const json& body, const char* key, bool required) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return make_error("bad_request", std::string("missing field \"") + key + "\"");
    return std::string();
  }
  if (!it->is_string()) {
    return make_error("bad_request", std::string("field \"") + key + "\" must be a string");
  }
  return it->get<std::string>();
}

struct Credentials {
  std::string username;
  std::string password;
  json body;  // the whole request body, for further fields
};

// {"username": ..., "password": ...} as register and login take them.
Expected<Credentials> parse_credentials(const HttpRequest& request) {
  auto body = parse_json_body(request, false);
  if (!body) return body.error();
  auto username = string_field(*body, "username", true);
  if (!username) return username.error();
  auto password = string_field(*body, "password", true);
  if (!password) return password.error();
  return Credentials{std::move(*username), std::move(*password), std::move(*body)};
}

json user_json(const platform::User& user) {
  return {{"id", user.id},
          {"username", user.username},
          {"is_admin", user.is_admin},
          {"created_at", user.created_at_ms}};
}

json token_json(const platform::IssuedToken& token) {
  json out = {{"token", token.token},
              {"user", user_json(token.user)},
              {"scopes", platform::scopes_to_list(token.scopes)}};
  if (token.expires_at_ms) out["expires_at"] = token.expires_at_ms;
  return out;
}

HttpResponse missing_scope(platform::Scopes wanted) {
  return error_json(403, ek::kForbidden,
                    "this token lacks the \"" + platform::scopes_to_text(wanted) +
                        "\" scope; create one that has it (POST /api/v1/tokens {\"scopes\": "
                        "[...]})");
}

// Retry-After for rate_limited (the limiter's wait) and overloaded (a moment) errors.
HttpResponse error_with_retry(const Error& error, std::optional<std::chrono::seconds> wait) {
  auto response = error_json(error);
  if (error.kind == ek::kRateLimited) {
    response.set(http::field::retry_after, std::to_string(wait ? wait->count() : 60));
  } else if (error.kind == ek::kOverloaded) {
    response.set(http::field::retry_after, "1");
  }
  return response;
}

HttpResponse method_not_allowed() {
  return error_json(405, "method_not_allowed", "method not allowed on this path");
}

HttpResponse unknown_path(std::string_view target) {
  return error_json(404, "not_found", "no API endpoint at " + std::string(target));
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string sse_event(const platform::LogEntry& entry) {
  return "id: " + std::to_string(entry.id) + "\nevent: log\ndata: " +
         entry.to_json().dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

// The parts of a deploy upload (multipart form, or a raw module body for PUT).
struct Upload {
  std::string name;
  std::string route;
  std::string module;
  std::optional<json> settings;
};

Expected<Upload> parse_upload(const HttpRequest& request, bool module_only) {
  std::string content_type(request[http::field::content_type]);
  Upload upload;
  if (module_only && content_type.find("multipart/") == std::string::npos) {
    upload.module = request.body();  // raw application/wasm
    if (upload.module.empty()) return make_error("bad_request", "the request body is empty");
    return upload;
  }
  auto boundary = multipart_boundary(content_type);
  if (!boundary) return boundary.error();
  auto parts = parse_multipart(request.body(), *boundary);
  if (!parts) return parts.error();
  if (auto* part = find_part(*parts, "name")) upload.name = part->data;
  if (auto* part = find_part(*parts, "route")) upload.route = part->data;
  auto* module = find_part(*parts, "module");
  if (!module) return make_error("bad_request", "missing form field \"module\" (the .wasm file)");
  if (module->data.empty()) return make_error("bad_request", "the uploaded module is empty");
  upload.module = module->data;
  if (auto* part = find_part(*parts, "settings"); part && !part->data.empty()) {
    json settings = json::parse(part->data, nullptr, false);
    if (settings.is_discarded() || !settings.is_object()) {
      return make_error("bad_request", "form field \"settings\" must be a JSON object");
    }
    upload.settings = std::move(settings);
  }
  return upload;
}

}  // namespace

RestApi::RestApi(platform::Platform& platform, const ServerConfig& config, rooms::RoomHub* rooms)
    : platform_(platform), config_(config), rooms_(rooms) {}

HandlerResult RestApi::handle(const HttpRequest& request, const RequestInfo& info) {
  std::string_view target(request.target().data(), request.target().size());
  auto [path, query] = split_target(target);
  try {
    if (path == "/metrics") return metrics(request);
    Call call{request, info, request.method(),
              split_path(path.substr(std::min(path.size(), std::string_view("/api/v1").size()))),
              std::string(query)};
    return route(call);
  } catch (const std::exception& e) {
    // A bug must not take the server down; it is logged and answered as a 500.
    spdlog::error("request={} API handler failed: {}", info.request_id, e.what());
    return error_json(500, "internal", "internal error");
  }
}

std::string bearer_token(const HttpRequest& request) {
  std::string_view header = request[http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() > kBearer.size() && header.substr(0, kBearer.size()) == kBearer) {
    return std::string(header.substr(kBearer.size()));
  }
  return {};
}

Expected<Principal> RestApi::authenticate(const Call& call) {
  std::string token = bearer_token(call.request);
  if (token.empty()) {
    if (query_param(call.query, "token")) {
      // A token in a URL ends up in logs, histories and Referer headers.
      return make_error(std::string(ek::kUnauthorized),
                        "?token= is not accepted: send \"Authorization: Bearer <token>\" (for "
                        "a log stream without headers, POST .../logs/ticket and pass "
                        "?ticket=)");
    }
    return make_error(std::string(ek::kUnauthorized),
                      "missing credentials: send \"Authorization: Bearer <token>\"");
  }
  return platform_.accounts().authenticate(token);
}

HttpResponse RestApi::metrics(const HttpRequest& request) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return method_not_allowed();
  }
  // Anonymous readers get server totals; a user their own actions; an admin (or the
  // configured scraper token) every action's series.
  platform::MetricsView view;
  std::string token = bearer_token(request);
  const std::string& scraper = config_.metrics_token;
  if (!token.empty() && !scraper.empty() && token.size() == scraper.size() &&
      sodium_memcmp(token.data(), scraper.data(), token.size()) == 0) {
    view = platform::MetricsView::everything();
  } else if (!token.empty()) {
    auto who = platform_.accounts().authenticate(token);
    if (!who) return error_json(401, ek::kUnauthorized, who.error().message);
    if (who->has(platform::scope::kAdmin)) {
      view = platform::MetricsView::everything();
    } else if (who->has(platform::scope::kRead)) {
      view.owner = who->user.username;
    }
  }
  auto text = platform_.metrics().prometheus_text(platform_.cache().stats(), view);
  auto response = text_response(200, "text/plain; version=0.0.4; charset=utf-8", std::move(text));
  response.set(http::field::cache_control, "no-store");
  if (request.method() == http::verb::head) {
    response.content_length(response.body().size());
    response.body().clear();
  }
  return response;
}

HandlerResult RestApi::route(Call& call) {
  const auto& s = call.segments;
  const auto m = call.method;
  std::string_view target(call.request.target().data(), call.request.target().size());
  if (s.size() == 2 && s[0] == "auth" && s[1] == "registration") {
    // Public: the sign-in page shows an invite field or a "closed" notice up front.
    if (m != http::verb::get) return method_not_allowed();
    auto mode = platform_.accounts().registration_mode();
    if (!mode) return error_json(mode.error());
    return json_response(200, {{"registration_mode", platform::registration_mode_name(*mode)}});
  }
  if (s.size() == 2 && s[0] == "auth" && (s[1] == "register" || s[1] == "login")) {
    if (m != http::verb::post) return method_not_allowed();
    return s[1] == "register" ? register_user(call) : login(call);
  }
  if (s.size() == 1 && s[0] == "origins") {
    // Public: where the dashboard and the actions are, as this client reaches them.
    return m == http::verb::get ? origins(call) : method_not_allowed();
  }
  if (s.size() == 1 && s[0] == "capabilities") {
    // What an action may be granted (settings.capabilities), public like the origins.
    if (m != http::verb::get) return method_not_allowed();
    json list = json::array();
    for (const auto& c : capabilities::capability_catalog()) {
      list.push_back({{"name", c.name},
                      {"import_module", c.import_module},
                      {"available", c.available},
                      {"description", c.description}});
    }
    return json_response(200, {{"capabilities", list}});
  }
  bool known =
      !s.empty() && (s[0] == "me" || s[0] == "tokens" || s[0] == "actions" || s[0] == "admin" ||
                     s[0] == "auth" || s[0] == "kv" || s[0] == "volumes");
  known = known || (!s.empty() && s[0] == "requests");
  if (!known) return unknown_path(target);
  // The log stream also takes a stream ticket (it authenticates itself).
  if (s.size() == 4 && s[0] == "actions" && s[2] == "logs" && s[3] == "stream") {
    return m == http::verb::get ? log_stream(call, s[1]) : method_not_allowed();
  }

  auto who = authenticate(call);
  if (!who) return error_json(401, ek::kUnauthorized, who.error().message);
  const Principal& p = *who;
  using namespace platform::scope;

  if (s[0] == "auth") {
    if (s.size() == 2 && s[1] == "logout") {
      return m == http::verb::post ? logout(p) : method_not_allowed();
    }
    return unknown_path(target);
  }
  if (s[0] == "me" && s.size() == 1) {
    return m == http::verb::get ? me(call, p) : method_not_allowed();
  }
  if (s[0] == "tokens") {
    // Minting credentials is for a signed-in person, not for a token (a leaked token
    // must not be able to mint itself successors).
    if (p.via != Principal::Via::kSession) {
      return error_json(403, ek::kForbidden, "API tokens are managed from a signed-in session");
    }
    if (s.size() == 1 && m == http::verb::post) return create_token(call, p);
    if (s.size() == 1 && m == http::verb::get) return list_tokens(p);
    if (s.size() == 2 && m == http::verb::delete_) return revoke_token(p, s[1]);
    return s.size() <= 2 ? method_not_allowed() : unknown_path(target);
  }
  if (s[0] == "actions") {
    // Reading needs "read"; everything that changes an action needs "deploy".
    const bool reads = m == http::verb::get || m == http::verb::head;
    const bool mints_ticket = s.size() == 4 && s[2] == "logs" && s[3] == "ticket";
    const platform::Scopes wanted = reads || mints_ticket ? kRead : kDeploy;
    if (!p.has(wanted)) return missing_scope(wanted);
    if (s.size() == 1) {
      if (m == http::verb::get) return list_actions(p);
      if (m == http::verb::post) return create_action(call, p);
      return method_not_allowed();
    }
    const std::string& name = s[1];
    if (s.size() == 2) {
      if (m == http::verb::get) return show_action(p, name);
      if (m == http::verb::patch) return patch_action(call, p, name);
      if (m == http::verb::delete_) return delete_action(p, name);
      return method_not_allowed();
    }
    if (mints_ticket) {
      return m == http::verb::post ? stream_ticket(p, name) : method_not_allowed();
    }
    const std::string& sub = s[2];
    if (s.size() == 3 && sub == "module") {
      return m == http::verb::put ? put_module(call, p, name) : method_not_allowed();
    }
    if (s.size() == 3 && sub == "rollback") {
      return m == http::verb::post ? rollback(call, p, name) : method_not_allowed();
    }
    if (s.size() == 3 && sub == "logs") {
      return m == http::verb::get ? logs(call, p, name) : method_not_allowed();
    }
    if (s.size() == 3 && sub == "stats") {
      return m == http::verb::get ? stats(p, name) : method_not_allowed();
    }
    if (s.size() == 3 && sub == "rooms") {
      return m == http::verb::get ? list_rooms(p, name) : method_not_allowed();
    }
    if (s.size() == 5 && sub == "rooms" && s[4] == "messages") {
      return m == http::verb::post ? room_message(call, p, name, s[3]) : method_not_allowed();
    }
    return unknown_path(target);
  }
  if (s[0] == "requests") {
    if (s.size() != 2) return unknown_path(target);
    if (m != http::verb::get) return method_not_allowed();
    if (!p.has(kRead)) return missing_scope(kRead);
    return request_chain(call, p, s[1]);
  }
  if (s[0] == "kv") {
    // Store browse/edit needs "kv" for every method; paths are parsed raw there, since a
    // key may hold an encoded "/".
    if (!p.has(kKv)) return missing_scope(kKv);
    auto [path, query] = split_target(target);
    return KvApi(platform_).handle(call.request, path.substr(std::string_view("/api/v1").size()),
                                   query, p.user.id);
  }
  if (s[0] == "volumes") {
    // Listing and downloading need "read"; creating, uploading and deleting "deploy".
    const platform::Scopes wanted = m == http::verb::get ? kRead : kDeploy;
    if (!p.has(wanted)) return missing_scope(wanted);
    return VolumeApi(platform_).handle(call.request, s, call.query, p.user.id);
  }
  if (s[0] == "admin" && s.size() == 2) {
    if (!p.user.is_admin) return error_json(403, ek::kForbidden, "administrators only");
    if (!p.has(kAdmin)) return missing_scope(kAdmin);
    if (s[1] == "settings") return admin_settings(call, p);
    if (s[1] == "invites") return admin_invites(call, p);
    if (s[1] == "users") return admin_users(call, p);
  }
  return unknown_path(target);
}

HttpResponse RestApi::register_user(Call& call) {
  auto credentials = parse_credentials(call.request);
  if (!credentials) return error_json(credentials.error());
  auto invite = string_field(credentials->body, "invite", false);
  if (!invite) return error_json(invite.error());
  auto& accounts = platform_.accounts();
  auto issued = accounts.register_user(credentials->username, credentials->password, *invite,
                                       call.info.remote_addr);
  if (!issued) {
    return error_with_retry(issued.error(), accounts.register_retry_after(call.info.remote_addr));
  }
  spdlog::info("request={} registered user {}", call.info.request_id, issued->user.username);
  return json_response(201, token_json(*issued));
}

HttpResponse RestApi::login(Call& call) {
  auto credentials = parse_credentials(call.request);
  if (!credentials) return error_json(credentials.error());
  auto issued = platform_.accounts().login(credentials->username, credentials->password,
                                           call.info.remote_addr);
  if (issued) return json_response(200, token_json(*issued));
  return error_with_retry(issued.error(), platform_.accounts().login_retry_after(
                                              credentials->username, call.info.remote_addr));
}

HttpResponse RestApi::logout(const Principal& who) {
  if (auto done = platform_.accounts().logout(who); !done) return error_json(done.error());
  return json_response(200, {{"signed_out", true}});
}

HttpResponse RestApi::origins(Call& call) {
  return json_response(200, {{"dashboard", dashboard_origin(config_, call.request)},
                             {"actions", actions_origin(config_, call.request)}});
}

HttpResponse RestApi::me(Call& call, const Principal& who) {
  json out = user_json(who.user);
  out["via"] = who.via == Principal::Via::kApiToken ? "api_token" : "session";
  out["scopes"] = platform::scopes_to_list(who.scopes);
  return json_response(200, out);
}

HttpResponse RestApi::create_token(Call& call, const Principal& who) {
  auto body = parse_json_body(call.request, true);
  if (!body) return error_json(body.error());
  auto name = string_field(*body, "name", false);
  if (!name) return error_json(name.error());
  // "scopes": ["read", "deploy"] or "read deploy"; absent: read and deploy.
  platform::Scopes scopes = 0;
  if (auto it = body->find("scopes"); it != body->end() && !it->is_null()) {
    Expected<platform::Scopes> parsed = make_error("bad_request", "");
    if (it->is_string()) {
      parsed = platform::parse_scopes(it->get<std::string>());
    } else if (it->is_array() &&
               std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); })) {
      parsed = platform::parse_scopes(it->get<std::vector<std::string>>());
    } else {
      return error_json(400, "bad_request", "\"scopes\" must be a list of scope names");
    }
    if (!parsed) return error_json(parsed.error());
    if (*parsed == 0) return error_json(400, "bad_request", "\"scopes\" names no scope");
    scopes = *parsed;
  }
  auto issued =
      platform_.accounts().create_api_token(who.user.id, name->empty() ? "cli" : *name, scopes);
  if (!issued) return error_json(issued.error());
  return json_response(201, token_json(*issued));
}

HttpResponse RestApi::list_tokens(const Principal& who) {
  auto tokens = platform_.accounts().list_api_tokens(who.user.id);
  if (!tokens) return error_json(tokens.error());
  json out = json::array();
  for (const auto& t : *tokens) {
    json item = {{"id", t.id}, {"name", t.name}, {"created_at", t.created_at_ms}};
    item["last_used_at"] = t.last_used_at_ms ? json(*t.last_used_at_ms) : json(nullptr);
    item["revoked_at"] = t.revoked_at_ms ? json(*t.revoked_at_ms) : json(nullptr);
    item["scopes"] = platform::scopes_to_list(t.scopes);
    out.push_back(std::move(item));
  }
  return json_response(200, {{"tokens", out}});
}

HttpResponse RestApi::revoke_token(const Principal& who, std::string_view id) {
  auto number = parse_int(id);
  if (!number) return error_json(404, ek::kNotFound, "no such token");
  auto revoked = platform_.accounts().revoke_api_token(who.user.id, *number);
  if (!revoked) return error_json(revoked.error());
  return json_response(200, {{"revoked", *number}});
}

HttpResponse RestApi::list_actions(const Principal& who) {
  auto actions = platform_.actions().list(who.user.id);
  if (!actions) return error_json(actions.error());
  json out = json::array();
  for (const auto& action : *actions) {
    json item = platform::action_to_json(action);
    // What the list shows (requests, average and p95 over the last hour), so the
    // dashboard needs no call per action.
    if (auto stats = platform_.stats(who.user.id, action.name); stats) {
      const platform::MinutePoint hour = stats->last_hour();
      item["stats"] = {{"last_hour",
                        {{"requests", hour.requests},
                         {"errors", hour.errors},
                         {"latency_ms", platform::latency_to_json(hour.latency)}}},
                       {"last_request_at", stats->last_request_ms}};
    }
    out.push_back(std::move(item));
  }
  return json_response(200, {{"actions", out}});
}

HttpResponse RestApi::create_action(Call& call, const Principal& who) {
  auto upload = parse_upload(call.request, /*module_only=*/false);
  if (!upload) return error_json(upload.error());
  if (upload->name.empty()) return error_json(400, "bad_request", "missing form field \"name\"");
  if (upload->route.empty()) return error_json(400, "bad_request", "missing form field \"route\"");
  platform::DeployRequest request;
  request.name = upload->name;
  request.route = upload->route;
  request.module =
      std::span(reinterpret_cast<const uint8_t*>(upload->module.data()), upload->module.size());
  request.mode = platform::DeployRequest::Mode::kCreate;
  if (upload->settings) {
    auto settings = platform::apply_settings_json(
        *upload->settings, platform::ActionSettings::defaults(platform_.actions().limits()));
    if (!settings) return error_json(settings.error());
    request.settings = std::move(*settings);
  }
  auto deployed = platform_.deploy(who.user.id, request);
  if (!deployed) return error_json(deployed.error());
  spdlog::info("request={} deployed {}/{} v{} at {}", call.info.request_id, who.user.username,
               deployed->action.name, deployed->version.number, deployed->action.route.text());
  json out = platform::action_to_json(deployed->action);
  out["version"] = platform::version_to_json(deployed->version);
  return json_response(201, out);
}

HttpResponse RestApi::show_action(const Principal& who, std::string_view name) {
  auto action = platform_.actions().get(who.user.id, name);
  if (!action) return error_json(action.error());
  json out = platform::action_to_json(*action);
  auto versions = platform_.actions().versions(who.user.id, name);
  if (!versions) return error_json(versions.error());
  json list = json::array();
  for (const auto& version : *versions) list.push_back(platform::version_to_json(version));
  out["versions"] = list;
  auto stats = platform_.stats(who.user.id, name);
  out["stats"] = stats ? stats->to_json() : json(nullptr);
  return json_response(200, out);
}

HttpResponse RestApi::patch_action(Call& call, const Principal& who, std::string_view name) {
  auto body = parse_json_body(call.request, false);
  if (!body) return error_json(body.error());
  auto action = platform_.actions().get(who.user.id, name);
  if (!action) return error_json(action.error());
  // {"route": ..., "settings": {...}}; settings keys at the top level are accepted too.
  json settings_patch = json::object();
  for (auto& [key, value] : body->items()) {
    if (key == "route") continue;
    if (key == "settings") {
      if (!value.is_object())
        return error_json(400, "bad_request", "\"settings\" must be an object");
      settings_patch.update(value);
    } else {
      settings_patch[key] = value;
    }
  }
  if (auto route = body->find("route"); route != body->end()) {
    if (!route->is_string()) return error_json(400, "bad_request", "\"route\" must be a string");
    auto updated = platform_.actions().update_route(who.user.id, name, route->get<std::string>());
    if (!updated) return error_json(updated.error());
    action = std::move(updated);
  }
  if (!settings_patch.empty()) {
    auto settings = platform::apply_settings_json(settings_patch, action->settings);
    if (!settings) return error_json(settings.error());
    auto updated = platform_.update_settings(who.user.id, name, *settings);
    if (!updated) return error_json(updated.error());
    action = std::move(updated);
  }
  return json_response(200, platform::action_to_json(*action));
}

HttpResponse RestApi::delete_action(const Principal& who, std::string_view name) {
  auto removed = platform_.remove_action(who.user.id, name);
  if (!removed) return error_json(removed.error());
  return json_response(200, {{"deleted", name}});
}

HttpResponse RestApi::put_module(Call& call, const Principal& who, std::string_view name) {
  auto upload = parse_upload(call.request, /*module_only=*/true);
  if (!upload) return error_json(upload.error());
  platform::DeployRequest request;
  request.name = std::string(name);
  request.module =
      std::span(reinterpret_cast<const uint8_t*>(upload->module.data()), upload->module.size());
  request.mode = platform::DeployRequest::Mode::kUpdate;
  if (upload->settings) {
    auto current = platform_.actions().get(who.user.id, name);
    if (!current) return error_json(current.error());
    auto settings = platform::apply_settings_json(*upload->settings, current->settings);
    if (!settings) return error_json(settings.error());
    request.settings = std::move(*settings);
  }
  auto deployed = platform_.deploy(who.user.id, request);
  if (!deployed) return error_json(deployed.error());
  json out = platform::action_to_json(deployed->action);
  out["version"] = platform::version_to_json(deployed->version);
  return json_response(200, out);
}

HttpResponse RestApi::rollback(Call& call, const Principal& who, std::string_view name) {
  auto body = parse_json_body(call.request, true);
  if (!body) return error_json(body.error());
  std::optional<int> to_number;
  if (auto version = body->find("version"); version != body->end() && !version->is_null()) {
    if (!version->is_number_integer()) {
      return error_json(400, "bad_request", "\"version\" must be an integer");
    }
    to_number = version->get<int>();
  }
  auto action = platform_.rollback(who.user.id, name, to_number);
  if (!action) return error_json(action.error());
  return json_response(200, platform::action_to_json(*action));
}

HttpResponse RestApi::logs(Call& call, const Principal& who, std::string_view name) {
  std::optional<int64_t> since;
  if (auto text = query_param(call.query, "since"); text && !text->empty()) {
    since = parse_int(*text);
    if (!since) return error_json(400, "bad_request", "\"since\" must be Unix milliseconds");
  }
  size_t limit = 200;
  if (auto text = query_param(call.query, "limit"); text && !text->empty()) {
    auto value = parse_int(*text);
    if (!value || *value < 1 || *value > 1000) {
      return error_json(400, "bad_request", "\"limit\" must be 1..1000");
    }
    limit = static_cast<size_t>(*value);
  }
  auto lines = platform_.logs(who.user.id, name, since, limit);
  if (!lines) return error_json(lines.error());
  json out = json::array();
  for (const auto& line : *lines) out.push_back(line.to_json());
  return json_response(200, {{"logs", out}});
}

HttpResponse RestApi::stream_ticket(const Principal& who, std::string_view name) {
  // Check access now: a ticket is only minted for a stream its holder may open.
  auto action = platform_.actions().get(who.user.id, name);
  if (!action) return error_json(action.error());
  auto minted = platform_.accounts().mint_stream_ticket(who, "logs:" + std::string(name));
  if (!minted) return error_with_retry(minted.error(), platform::StreamTickets::kLifetime);
  const std::string url =
      "/api/v1/actions/" + std::string(name) + "/logs/stream?ticket=" + minted->ticket;
  return json_response(201, {{"ticket", minted->ticket},
                             {"expires_at", platform::to_unix_ms(minted->expires_at)},
                             {"stream", url}});
}

HandlerResult RestApi::log_stream(Call& call, std::string_view name) {
  // A bearer token with the read scope, or a single-use ticket for this very stream.
  Expected<Principal> authenticated = make_error("", "");
  if (auto ticket = query_param(call.query, "ticket");
      ticket && bearer_token(call.request).empty()) {
    authenticated = platform_.accounts().redeem_stream_ticket(*ticket, "logs:" + std::string(name));
  } else {
    authenticated = authenticate(call);
  }
  if (!authenticated) return error_json(401, ek::kUnauthorized, authenticated.error().message);
  const Principal& who = *authenticated;
  if (!who.has(platform::scope::kRead)) return missing_scope(platform::scope::kRead);
  // Check access now, so a bad name is a normal 404 rather than an empty stream.
  auto action = platform_.actions().get(who.user.id, name);
  if (!action) return error_json(action.error());
  // Subscribe before reading the backlog, so no line falls between the two (ids dedupe).
  // The stream then drains the subscription from memory: its poll runs on an I/O thread
  // and must never wait on the database.
  auto subscription = platform_.action_log().bus().subscribe(action->id);
  auto recent = platform_.logs(who.user.id, name, std::nullopt, 50);
  if (!recent) return error_json(recent.error());
  struct Cursor {
    int64_t last_id = 0;
    std::string backlog;
  };
  auto cursor = std::make_shared<Cursor>();
  for (const auto& line : *recent) {
    cursor->backlog += sse_event(line);
    cursor->last_id = line.id;
  }
  EventStream stream;
  stream.interval = std::chrono::milliseconds(250);
  stream.poll = [subscription, cursor]() -> std::optional<std::string> {
    std::string out = std::move(cursor->backlog);
    cursor->backlog.clear();
    auto drained = subscription->drain();
    if (drained.dropped > 0) {
      out += ": " + std::to_string(drained.dropped) + " lines skipped (the reader fell behind)\n\n";
    }
    for (const auto& line : drained.lines) {
      if (line.id <= cursor->last_id) continue;
      out += sse_event(line);
      cursor->last_id = line.id;
    }
    if (drained.closed && out.empty()) return std::nullopt;  // the action was deleted
    return out;
  };
  return stream;
}

HttpResponse RestApi::stats(const Principal& who, std::string_view name) {
  auto snapshot = platform_.stats(who.user.id, name);
  if (!snapshot) return error_json(snapshot.error());
  return json_response(200, snapshot->to_json());
}

namespace {

json room_info_json(const rooms::RoomInfo& info) {
  json recent = json::array();
  for (const auto& e : info.recent) {
    recent.push_back({{"time", e.time_ms},
                      {"kind", e.kind},
                      {"connection", e.connection},
                      {"summary", e.summary}});
  }
  return {{"room", info.room},
          {"connections", info.connections},
          {"messages_in", info.messages_in},
          {"messages_out", info.messages_out},
          {"messages_per_second", info.messages_per_second},
          {"persistent", info.persistent},
          {"recent", std::move(recent)}};
}

HttpResponse rooms_unavailable() {
  return error_json(503, "rooms_unavailable", "this server runs no rooms");
}

}  // namespace

HttpResponse RestApi::list_rooms(const Principal& who, std::string_view name) {
  // The owner check comes first, so another user's action name is a plain 404.
  auto action = platform_.actions().get(who.user.id, name);
  if (!action) return error_json(action.error());
  if (rooms_ == nullptr) return rooms_unavailable();
  auto live = rooms_->rooms(action->id);
  // Busiest first, then by name: the dashboard shows the top of the list.
  std::sort(live.begin(), live.end(), [](const rooms::RoomInfo& a, const rooms::RoomInfo& b) {
    return a.connections != b.connections ? a.connections > b.connections : a.room < b.room;
  });
  json list = json::array();
  for (const auto& info : live) list.push_back(room_info_json(info));
  return json_response(200, {{"rooms", std::move(list)}});
}

HttpResponse RestApi::room_message(Call& call, const Principal& who, std::string_view name,
                                   std::string_view room) {
  auto action = platform_.actions().get(who.user.id, name);
  if (!action) return error_json(action.error());
  if (rooms_ == nullptr) return rooms_unavailable();
  if (!capabilities::is_room_name(room)) {
    return error_json(400, "bad_request",
                      "a room name is 1 to 128 of the characters A-Z a-z 0-9 _ . ~ -");
  }
  if (!action->settings.capabilities.rooms) {
    return error_json(409, ek::kConflict,
                      "the action is not granted rooms (settings.capabilities.rooms)");
  }
  auto body = parse_json_body(call.request, false);
  if (!body) return error_json(body.error());
  auto payload = string_field(*body, "payload", true);
  if (!payload) return error_json(payload.error());
  auto encoding = string_field(*body, "payload_encoding", false);
  if (!encoding) return error_json(encoding.error());
  std::string bytes;
  bool binary = false;
  if (encoding->empty() || *encoding == "utf8") {
    bytes = std::move(*payload);
  } else if (*encoding == "base64") {
    auto decoded = base64_decode(*payload);
    if (!decoded) return error_json(400, "bad_request", "\"payload\" is not valid base64");
    bytes = std::move(*decoded);
    binary = true;
  } else {
    return error_json(400, "bad_request", "\"payload_encoding\" must be \"utf8\" or \"base64\"");
  }
  // The same bound a client's message has: the dashboard is no way around it.
  if (bytes.size() > rooms_->limits().max_message_bytes) {
    return error_json(
        413, "too_large",
        "the message is over " + std::to_string(rooms_->limits().max_message_bytes) + " bytes");
  }
  auto shared = std::make_shared<const platform::Action>(std::move(*action));
  auto result = rooms_->test_message(shared, std::string(room), std::move(bytes), binary);
  if (!result) {
    // The runner's access_denied (a grant revoked meanwhile) is the same refusal as above.
    if (result.error().kind == "forbidden" || result.error().kind == "access_denied") {
      return error_json(409, ek::kConflict, result.error().message);
    }
    return error_json(result.error());
  }
  json events = json::array();
  for (const auto& event : result->events) {
    events.push_back(capabilities::emitted_event_json(event));
  }
  spdlog::info("request={} test message into {}/{} room {}: {} events, {}", call.info.request_id,
               who.user.username, name, room, result->events.size(), result->outcome);
  return json_response(
      200, {{"events", std::move(events)},
            {"outcome", result->outcome},
            {"exit_code", result->exit_code},
            {"ran", result->ran},
            {"persistent", result->persistent},
            {"duration_ms", std::chrono::duration<double, std::milli>(result->duration).count()}});
}

HttpResponse RestApi::request_chain(Call& call, const Principal& who, std::string_view id) {
  // Ids are the gateway's hex digits plus ".<n>" per chained call; anything else cannot
  // name a request, so it is refused before it reaches the database.
  const bool valid =
      !id.empty() && id.size() <= 200 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.';
      });
  if (!valid) {
    return error_json(400, "bad_request",
                      "a request id is 1 to 200 of the characters 0-9, a-f and \".\"");
  }
  size_t limit = 500;
  if (auto text = query_param(call.query, "limit"); text && !text->empty()) {
    auto value = parse_int(*text);
    if (!value || *value < 1 || *value > 1000) {
      return error_json(400, "bad_request", "\"limit\" must be 1..1000");
    }
    limit = static_cast<size_t>(*value);
  }
  // Only the caller's own actions' lines: another user's request id gives an empty list,
  // which does not even tell whether that request exists.
  auto lines = platform_.action_log().for_request(who.user.id, id, limit);
  if (!lines) return error_json(lines.error());
  json entries = json::array();
  for (const auto& line : *lines) {
    json item = line.entry.to_json();
    item["action"] = line.action;
    entries.push_back(std::move(item));
  }
  return json_response(200, {{"request_id", id}, {"entries", std::move(entries)}});
}

HttpResponse RestApi::admin_settings(Call& call, const Principal& who) {
  auto& accounts = platform_.accounts();
  if (call.method == http::verb::put || call.method == http::verb::patch) {
    auto body = parse_json_body(call.request, false);
    if (!body) return error_json(body.error());
    auto mode_text = string_field(*body, "registration_mode", true);
    if (!mode_text) return error_json(mode_text.error());
    auto mode = platform::parse_registration_mode(*mode_text);
    if (!mode) return error_json(mode.error());
    if (auto set = accounts.set_registration_mode(who, *mode); !set) return error_json(set.error());
  } else if (call.method != http::verb::get) {
    return method_not_allowed();
  }
  auto mode = accounts.registration_mode();
  if (!mode) return error_json(mode.error());
  return json_response(200, {{"registration_mode", platform::registration_mode_name(*mode)}});
}

HttpResponse RestApi::admin_invites(Call& call, const Principal& who) {
  if (call.method == http::verb::post) {
    auto invite = platform_.accounts().create_invite(who);
    if (!invite) return error_json(invite.error());
    return json_response(
        201, {{"code", invite->code}, {"id", invite->id}, {"created_at", invite->created_at_ms}});
  }
  if (call.method != http::verb::get) return method_not_allowed();
  auto invites = platform_.accounts().list_invites(who);
  if (!invites) return error_json(invites.error());
  json list = json::array();
  for (const auto& invite : *invites) {
    json item = {{"id", invite.id}, {"created_at", invite.created_at_ms}, {"used", false}};
    if (invite.used_at_ms) {
      item["used"] = true;
      item["used_at"] = *invite.used_at_ms;
      item["used_by"] = invite.used_by;
    }
    list.push_back(std::move(item));
  }
  return json_response(200, {{"invites", std::move(list)}});
}

HttpResponse RestApi::admin_users(Call& call, const Principal& who) {
  if (call.method != http::verb::get) return method_not_allowed();
  auto users = platform_.accounts().list_users(who);
  if (!users) return error_json(users.error());
  json list = json::array();
  for (const auto& user : *users) list.push_back(user_json(user));
  return json_response(200, {{"users", std::move(list)}});
}

}  // namespace wa::gateway
