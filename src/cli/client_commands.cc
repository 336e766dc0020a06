#include "cli/client_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/client_connection.h"
#include "cli/kv_commands.h"
#include "cli/request_command.h"
#include "cli/volume_commands.h"
#include "gateway/http_client.h"
#include "gateway/multipart.h"
#include "support/files.h"

namespace wa::cli {

namespace fs = std::filesystem;
using gateway::ClientRequest;
using gateway::ClientResponse;
using gateway::HttpClient;
using nlohmann::json;

namespace {

fs::path config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "wasm-actions";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : ".") / ".config" / "wasm-actions";
}

fs::path token_file() { return config_dir() / "token"; }

}  // namespace

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  throw CLI::RuntimeError(1);
}

namespace {

void save_token(const std::string& token) {
  std::error_code ec;
  fs::create_directories(config_dir(), ec);
  fs::permissions(config_dir(), fs::perms::owner_all, ec);
  // Created 0600 before the token is written: it is never readable by others.
  auto temp = token_file().string() + ".new";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) fail("cannot write " + temp + ": " + std::strerror(errno));
  std::string text = token + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || std::rename(temp.c_str(), token_file().c_str()) != 0) {
    fail("cannot save the token to " + token_file().string());
  }
  std::cerr << "token saved to " << token_file().string() << "\n";
}

std::string resolve_token(const Connection& conn) {
  if (!conn.token.empty()) return conn.token;
  std::ifstream in(token_file());
  std::string token;
  if (in) std::getline(in, token);
  if (token.empty()) {
    fail("not logged in: run `wasm-actions login`, or set WASM_ACTIONS_TOKEN or --token");
  }
  return token;
}

HttpClient client_for(const Connection& conn) {
  auto client = HttpClient::create(conn.server);
  if (!client) fail(client.error().message);
  return std::move(*client);
}

}  // namespace

std::string expect_body(const Expected<ClientResponse>& response,
                        std::initializer_list<unsigned> ok) {
  if (!response) fail(response.error().message);
  if (std::find(ok.begin(), ok.end(), response->status) == ok.end()) {
    json body = json::parse(response->body, nullptr, false);
    std::string message =
        body.is_object() && body.contains("message") && body["message"].is_string()
            ? body["message"].get<std::string>()
            : response->body;
    fail("server answered " + std::to_string(response->status) + ": " + message);
  }
  return response->body;
}

json expect_json(const Expected<ClientResponse>& response, std::initializer_list<unsigned> ok) {
  json body = json::parse(expect_body(response, ok), nullptr, false);
  if (body.is_discarded()) fail("the server's answer is not JSON");
  return body;
}

Expected<ClientResponse> api(const Connection& conn, std::string method, std::string target,
                             std::string body, std::string content_type) {
  ClientRequest request;
  request.method = std::move(method);
  request.target = "/api/v1" + target;
  request.body = std::move(body);
  request.headers.emplace_back("Authorization", "Bearer " + resolve_token(conn));
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  auto client = client_for(conn);
  return client.send(request);
}

namespace {

std::string read_password(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("WASM_ACTIONS_PASSWORD"); env && *env) return env;
  bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cerr << "password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~ECHO;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  return password;
}

}  // namespace

void print_json(const json& value) { std::cout << value.dump(2) << "\n"; }

namespace {

// {"current_version": {"version": N, ...}} → N (0 if none).
int version_number(const json& action_or_version, const char* key) {
  auto it = action_or_version.find(key);
  if (it == action_or_version.end() || !it->is_object()) return 0;
  return it->value("version", 0);
}

void print_action_line(const json& a) {
  std::cout << a.value("name", "?") << "\t" << a.value("route", "?") << "\t"
            << a.value("status", "?") << "\tv" << version_number(a, "current_version") << "\n";
}

void add_auth_commands(CLI::App& app, std::shared_ptr<Connection> conn) {
  for (std::string verb : {"register", "login"}) {
    auto user = std::make_shared<std::string>();
    auto password = std::make_shared<std::string>();
    auto invite = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(verb, verb == "login" ? "Log in and store the token"
                                                         : "Create an account and store the token");
    cmd->add_option("username", *user, "User name")->required();
    cmd->add_option("--password", *password, "Password (default: WASM_ACTIONS_PASSWORD or prompt)");
    if (verb == "register") cmd->add_option("--invite", *invite, "Invite code (invite mode)");
    cmd->callback([=] {
      json body = {{"username", *user}, {"password", read_password(*password)}};
      if (!invite->empty()) body["invite"] = *invite;
      auto client = client_for(*conn);
      auto response = client.post_json("/api/v1/auth/" + verb, body.dump());
      json answer = expect_json(response, {200, 201});
      save_token(answer.at("token").get<std::string>());
      std::cout << (verb == "login" ? "logged in as " : "registered ") << *user << "\n";
    });
  }
}

// Revokes the stored (or given) credential on the server, then forgets it locally. A
// credential the server no longer knows is forgotten too.
void add_logout_command(CLI::App& app, std::shared_ptr<Connection> conn) {
  auto* cmd = app.add_subcommand("logout", "Sign out: revoke the session (or token) and forget it");
  cmd->callback([conn] {
    auto response = api(*conn, "POST", "/auth/logout", "{}", "application/json");
    if (!response) fail(response.error().message);
    if (response->status != 200 && response->status != 401) expect_json(response, {200});
    std::error_code ec;
    if (conn->token.empty()) fs::remove(token_file(), ec);
    std::cout << (response->status == 200 ? "signed out\n" : "the credential had already ended\n");
  });
}

struct DeployOptions {
  std::string file, name, route;
  std::vector<std::string> env;
  int timeout_ms = 0;
  int memory_mb = 0;
  std::string entry;
  std::string room_mode;  // "per-event" | "persistent"; empty: unchanged
  // Grants (settings.capabilities): given at all, they replace the action's grants.
  std::vector<std::string> kv, volumes, allow_hosts, call_actions;
  bool rooms = false;
};

// "NAME:rw" / "NAME:ro" / "NAME" (read-only) → {name, access}.
std::pair<std::string, std::string> name_and_access(const std::string& spec) {
  if (spec.ends_with(":rw")) return {spec.substr(0, spec.size() - 3), "read-write"};
  if (spec.ends_with(":ro")) return {spec.substr(0, spec.size() - 3), "read-only"};
  return {spec, "read-only"};
}

// The grants the flags ask for, in the contract's JSON; null when no grant flag was given.
json deploy_capabilities(const DeployOptions& o) {
  if (o.kv.empty() && o.volumes.empty() && o.allow_hosts.empty() && o.call_actions.empty() &&
      !o.rooms)
    return nullptr;
  json grants = json::object();
  for (const auto& spec : o.kv) {
    auto [store, access] = name_and_access(spec);
    grants["key_value_stores"].push_back({{"store", store}, {"access", access}});
  }
  for (const auto& spec : o.volumes) {
    // VOLUME:/GUEST_PATH[:ro|:rw]
    auto [rest, access] = name_and_access(spec);
    auto colon = rest.find(':');
    if (colon == std::string::npos || colon == 0)
      fail("--volume wants VOLUME:/GUEST_PATH[:ro|:rw], got \"" + spec + "\"");
    grants["volumes"].push_back(
        {{"volume", rest.substr(0, colon)}, {"path", rest.substr(colon + 1)}, {"access", access}});
  }
  for (const auto& host : o.allow_hosts) grants["allowed_outbound_hosts"].push_back(host);
  for (const auto& action : o.call_actions) grants["actions"].push_back(action);
  if (o.rooms) grants["rooms"] = true;
  return grants;
}

json deploy_settings(const DeployOptions& o) {
  json settings = json::object();
  if (o.timeout_ms > 0) settings["timeout_ms"] = o.timeout_ms;
  if (o.memory_mb > 0) settings["memory_limit_mb"] = o.memory_mb;
  if (!o.entry.empty()) settings["entry"] = o.entry;
  if (!o.room_mode.empty()) settings["room_mode"] = o.room_mode;
  if (!o.env.empty()) {
    json env = json::object();
    for (const auto& item : o.env) {
      auto eq = item.find('=');
      if (eq == std::string::npos || eq == 0) fail("--env wants NAME=value, got \"" + item + "\"");
      env[item.substr(0, eq)] = item.substr(eq + 1);
    }
    settings["env"] = env;
  }
  if (json grants = deploy_capabilities(o); !grants.is_null()) settings["capabilities"] = grants;
  return settings;
}

void deploy(const Connection& conn, const DeployOptions& o) {
  auto bytes = read_file_bytes(o.file);
  if (!bytes) fail(bytes.error().message);
  std::string module(bytes->begin(), bytes->end());
  std::string name = o.name.empty() ? fs::path(o.file).stem().string() : o.name;
  json settings = deploy_settings(o);
  auto existing = api(conn, "GET", "/actions/" + url_segment(name));
  if (!existing) fail(existing.error().message);
  std::vector<gateway::MultipartPart> parts;
  parts.push_back({"module", fs::path(o.file).filename().string(), "application/wasm", module});
  if (!settings.empty()) parts.push_back({"settings", "", "application/json", settings.dump()});
  std::string boundary = gateway::random_multipart_boundary();
  std::string content_type = "multipart/form-data; boundary=" + boundary;
  json answer;
  if (existing->status == 200) {
    if (!o.route.empty()) {
      json patch = {{"route", o.route}};
      expect_json(
          api(conn, "PATCH", "/actions/" + url_segment(name), patch.dump(), "application/json"),
          {200});
    }
    answer = expect_json(api(conn, "PUT", "/actions/" + url_segment(name) + "/module",
                             gateway::encode_multipart(parts, boundary), content_type),
                         {200, 201});
  } else if (existing->status == 404) {
    if (o.route.empty()) fail("a new action needs --route (e.g. --route /" + name + ")");
    parts.push_back({"name", "", "", name});
    parts.push_back({"route", "", "", o.route});
    answer = expect_json(
        api(conn, "POST", "/actions", gateway::encode_multipart(parts, boundary), content_type),
        {201});
  } else {
    expect_json(existing, {200});
  }
  std::cout << "deployed " << answer.value("name", name) << " version "
            << version_number(answer, "version") << " at " << answer.value("route", o.route) << " ("
            << answer.value("status", "?") << ")\n";
}

void add_action_commands(CLI::App& app, std::shared_ptr<Connection> conn) {
  auto o = std::make_shared<DeployOptions>();
  auto* deploy_cmd = app.add_subcommand("deploy", "Upload a module as a new action or version");
  deploy_cmd->add_option("module", o->file, "The .wasm file")->required()->check(CLI::ExistingFile);
  deploy_cmd->add_option("--name", o->name, "Action name (default: the file name)");
  deploy_cmd->add_option("--route", o->route, "URL path, e.g. /hello or /api/... (prefix)");
  deploy_cmd->add_option("--env", o->env, "Environment variable NAME=value (repeatable)");
  deploy_cmd->add_option("--timeout-ms", o->timeout_ms, "Time limit per request");
  deploy_cmd->add_option("--memory-mb", o->memory_mb, "Memory cap");
  deploy_cmd->add_option("--entry", o->entry, "Exported function to call (default _start)");
  deploy_cmd->add_option("--kv", o->kv,
                         "Grant a key-value store, STORE:rw or STORE:ro (repeatable; any grant "
                         "flag replaces the action's grants)");
  deploy_cmd->add_option("--volume", o->volumes,
                         "Grant a volume at a guest path, VOLUME:/PATH:ro or :rw (repeatable)");
  deploy_cmd->add_option("--allow-host", o->allow_hosts,
                         "Allow outbound HTTP to scheme://host[:port] (repeatable)");
  deploy_cmd->add_option("--call-action", o->call_actions,
                         "Allow calling another of your actions (repeatable; * for all)");
  deploy_cmd->add_flag("--rooms", o->rooms, "Grant real-time rooms");
  deploy_cmd
      ->add_option("--room-mode", o->room_mode,
                   "Room handler instances: per-event (a fresh one per event) or persistent "
                   "(one per room, keeping its memory)")
      ->check(CLI::IsMember({"per-event", "persistent"}));
  deploy_cmd->callback([conn, o] { deploy(*conn, *o); });

  auto* list_cmd = app.add_subcommand("list", "List your actions");
  auto list_json = std::make_shared<bool>(false);
  list_cmd->add_flag("--json", *list_json, "Print JSON");
  list_cmd->callback([conn, list_json] {
    json answer = expect_json(api(*conn, "GET", "/actions"), {200});
    if (*list_json) return print_json(answer);
    for (const auto& action : answer["actions"]) print_action_line(action);
  });

  auto name = std::make_shared<std::string>();
  auto* show_cmd = app.add_subcommand("show", "Show an action: status, versions, settings, stats");
  show_cmd->add_option("name", *name, "Action name")->required();
  show_cmd->callback([conn, name] {
    print_json(expect_json(api(*conn, "GET", "/actions/" + url_segment(*name)), {200}));
  });

  auto* delete_cmd = app.add_subcommand("delete", "Delete an action and its versions");
  delete_cmd->add_option("name", *name, "Action name")->required();
  delete_cmd->callback([conn, name] {
    expect_json(api(*conn, "DELETE", "/actions/" + url_segment(*name)), {200});
    std::cout << "deleted " << *name << "\n";
  });

  auto version = std::make_shared<int>(0);
  auto* rollback_cmd = app.add_subcommand("rollback", "Serve the previous (or a given) version");
  rollback_cmd->add_option("name", *name, "Action name")->required();
  rollback_cmd->add_option("--version", *version, "Version number (default: the previous one)");
  rollback_cmd->callback([conn, name, version] {
    json body = json::object();
    if (*version > 0) body["version"] = *version;
    json answer = expect_json(api(*conn, "POST", "/actions/" + url_segment(*name) + "/rollback",
                                  body.dump(), "application/json"),
                              {200});
    std::cout << "rolled back " << *name << " to version "
              << version_number(answer, "current_version") << "\n";
  });

  auto since = std::make_shared<int64_t>(0);
  auto follow = std::make_shared<bool>(false);
  auto* logs_cmd = app.add_subcommand("logs", "Print an action's recent log lines");
  logs_cmd->add_option("name", *name, "Action name")->required();
  logs_cmd->add_option("--since", *since, "Only lines from this Unix time (ms) on");
  logs_cmd->add_flag("-f,--follow", *follow, "Keep printing new lines");
  logs_cmd->callback([conn, name, since, follow] {
    int64_t cursor = *since;
    int64_t last_id = 0;
    while (true) {
      std::string target = "/actions/" + url_segment(*name) + "/logs";
      if (cursor > 0) target += "?since=" + std::to_string(cursor);
      json answer = expect_json(api(*conn, "GET", target), {200});
      for (const auto& line : answer["logs"]) {
        if (line.value("id", int64_t{0}) <= last_id) continue;
        last_id = line.value("id", int64_t{0});
        cursor = line.value("time", cursor);
        std::cout << line.value("time", int64_t{0}) << " " << line.value("level", "") << " ["
                  << line.value("request_id", "") << "] " << line.value("message", "") << "\n";
      }
      std::cout << std::flush;
      if (!*follow) return;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
}

void add_invoke_command(CLI::App& app, std::shared_ptr<Connection> conn) {
  struct Invoke {
    std::string what, method = "GET", data;
    std::vector<std::string> headers;
    bool include = false;
  };
  auto o = std::make_shared<Invoke>();
  auto* cmd = app.add_subcommand("invoke", "Call an action over HTTP and print its answer");
  cmd->add_option("target", o->what, "A path (/hello?x=1) or an action name")->required();
  cmd->add_option("-X,--method", o->method, "HTTP method")->capture_default_str();
  cmd->add_option("-d,--data", o->data, "Request body (@file reads a file)");
  cmd->add_option("-H,--header", o->headers, "Header \"Name: value\" (repeatable)");
  cmd->add_flag("-i,--include", o->include, "Print the status line and headers");
  cmd->callback([conn, o] {
    std::string target = o->what;
    if (target.empty() || target[0] != '/') {
      // An action name: look up its route (the token is needed only for this).
      json action = expect_json(api(*conn, "GET", "/actions/" + url_segment(target)), {200});
      target = action.value("route", "/");
      if (target.size() >= 4 && target.substr(target.size() - 4) == "/...") {
        target.resize(target.size() - 4);
        if (target.empty()) target = "/";
      }
    }
    ClientRequest request;
    request.method = o->method;
    request.target = target;
    request.body = o->data;
    if (!o->data.empty() && o->data[0] == '@') {
      auto bytes = read_file_bytes(o->data.substr(1));
      if (!bytes) fail(bytes.error().message);
      request.body.assign(bytes->begin(), bytes->end());
    }
    for (const auto& header : o->headers) {
      auto colon = header.find(':');
      if (colon == std::string::npos) fail("--header wants \"Name: value\"");
      std::string value = header.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers.emplace_back(header.substr(0, colon), value);
    }
    // The platform token is never sent to an action.
    auto client = client_for(*conn);
    auto response = client.send(request);
    // Right after a deploy the module may still be compiling: the server answers 503
    // "compiling" with Retry-After instead of waiting, so wait here (bounded).
    for (int tries = 0; response && response->status == 503 && tries < 120 &&
                        response->body.find("\"compiling\"") != std::string::npos;
         ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      response = client.send(request);
    }
    if (!response) fail(response.error().message);
    if (o->include) {
      std::cout << "HTTP/1.1 " << response->status << "\n";
      for (const auto& [k, v] : response->headers) std::cout << k << ": " << v << "\n";
      std::cout << "\n";
    }
    std::cout << response->body << std::flush;
    if (response->status >= 400) {
      std::cerr << "status " << response->status << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace

void add_client_commands(CLI::App& app) {
  auto conn = std::make_shared<Connection>();
  size_t before = app.get_subcommands({}).size();
  add_auth_commands(app, conn);
  add_logout_command(app, conn);
  add_action_commands(app, conn);
  add_invoke_command(app, conn);
  add_kv_commands(app, [conn](std::string method, std::string target, std::string body,
                              std::string content_type) {
    return api(*conn, std::move(method), std::move(target), std::move(body),
               std::move(content_type));
  });
  add_volume_commands(app, conn);
  add_request_command(app, conn);
  // Each client command takes the connection options, so they can follow the command name.
  auto commands = app.get_subcommands({});
  for (size_t i = before; i < commands.size(); ++i) {
    commands[i]
        ->add_option("--server", conn->server, "Server URL")
        ->envname("WASM_ACTIONS_SERVER")
        ->capture_default_str();
    commands[i]
        ->add_option("--token", conn->token, "API or session token (default: stored)")
        ->envname("WASM_ACTIONS_TOKEN");
  }
}

}  // namespace wa::cli
