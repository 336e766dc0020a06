#include "cli/serve_command.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "gateway/serve.h"
#include "gateway/server_config.h"

namespace wa::cli {

namespace {

// Flag name → environment variable: "max-body-bytes" → "WASM_ACTIONS_MAX_BODY_BYTES".
std::string env_name(std::string flag) {
  std::transform(flag.begin(), flag.end(), flag.begin(), [](char c) {
    return c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  return "WASM_ACTIONS_" + flag;
}

template <typename T>
void option(CLI::App& cmd, const std::string& flag, T& target, const std::string& help) {
  cmd.add_option("--" + flag, target, help)->capture_default_str()->envname(env_name(flag));
}

// Fills options that neither the command line nor the environment set from the TOML
// file (CLI11's own config support would let the file override the environment).
void apply_config_file(CLI::App& cmd, const std::string& file) {
  std::vector<CLI::ConfigItem> items = CLI::ConfigTOML().from_file(file);
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // section markers
    std::string name = item.name;
    std::replace(name.begin(), name.end(), '_', '-');
    CLI::Option* opt = cmd.get_option_no_throw("--" + name);
    if (opt == nullptr || name == "config") {
      throw CLI::ConfigError("unknown setting \"" + item.name + "\" in " + file);
    }
    if (opt->count() > 0) continue;
    opt->add_result(item.inputs);
    opt->run_callback();
  }
}

void configure_logging(const std::string& level) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto config = std::make_shared<gateway::ServerConfig>();
  auto config_file = std::make_shared<std::string>();
  auto& c = *config;
  CLI::App* cmd = app.add_subcommand("serve", "Run the platform: HTTP server, REST API, dashboard");
  cmd->add_option("--config", *config_file, "TOML file with settings (keys are the flag names)")
      ->envname("WASM_ACTIONS_CONFIG")
      ->check(CLI::ExistingFile);
  option(*cmd, "listen", c.listen, "Address to listen on (host:port; port 0 = any free port)");
  option(*cmd, "data-dir", c.data_dir, "Database, modules and secrets");
  option(*cmd, "artifact-dir", c.artifact_dir, "Compiled artifacts (empty: <data-dir>/artifacts)");
  option(*cmd, "web-root", c.web_root, "Dashboard files (web/dist); empty: no dashboard");
  option(*cmd, "port-file", c.port_file,
         "Write the bound host:port here once listening (line 2: the dashboard's)");
  option(*cmd, "dashboard-listen", c.dashboard_listen,
         "The dashboard's own listener (empty: main port + 1, any free port with :0; none: "
         "only via --dashboard-url's host on the main listener)");
  option(*cmd, "dashboard-url", c.dashboard_url,
         "Public origin of the dashboard, e.g. https://dash.example.com (empty: derived)");
  option(*cmd, "actions-url", c.actions_url,
         "Public origin of the actions, e.g. https://apps.example.com (empty: derived)");
  option(*cmd, "metrics-token", c.metrics_token,
         "Bearer token that reads every action's series in /metrics (empty: admins only)");
  option(*cmd, "io-threads", c.io_threads, "Threads doing network I/O");
  option(*cmd, "workers", c.workers, "Threads running guests");
  option(*cmd, "queue", c.queue, "Guest calls that may wait for a worker (then 503)");
  option(*cmd, "api-workers", c.api_workers, "Threads serving the REST API");
  option(*cmd, "max-body-bytes", c.max_body_bytes, "Largest request body for an action (413)");
  option(*cmd, "max-upload-bytes", c.max_upload_bytes, "Largest API request (module upload)");
  option(*cmd, "max-response-bytes", c.max_response_bytes, "Largest action response (502)");
  option(*cmd, "max-connections", c.max_connections, "Open connections in total (then 503)");
  option(*cmd, "max-connections-per-address", c.max_connections_per_address,
         "Open connections per client address (then 503)");
  option(*cmd, "max-unsent-bytes", c.max_unsent_bytes,
         "Response bytes awaiting slow readers, in total (then the slowest are dropped)");
  option(*cmd, "max-unsent-bytes-per-connection", c.max_unsent_bytes_per_connection,
         "Largest response one connection may hold unsent (then 503)");
  option(*cmd, "default-timeout-ms", c.default_timeout_ms, "Action time limit unless set");
  option(*cmd, "max-timeout-ms", c.max_timeout_ms, "Upper bound for an action's time limit");
  option(*cmd, "default-memory-mb", c.default_memory_mb, "Action memory cap unless set");
  option(*cmd, "max-memory-mb", c.max_memory_mb, "Upper bound for an action's memory cap");
  option(*cmd, "cache-modules", c.cache_modules, "Compiled modules kept loaded (LRU)");
  option(*cmd, "cache-mb", c.cache_mb, "Total size of the modules kept loaded");
  option(*cmd, "cache-idle-seconds", c.cache_idle_seconds, "Unload modules idle this long");
  option(*cmd, "quota-actions", c.quota_actions, "Actions per user (0 = no limit)");
  option(*cmd, "quota-mb", c.quota_mb,
         "Stored modules per user, every version counted once (0 = no limit)");
  option(*cmd, "volume-quota-mb", c.volume_quota_mb, "A new volume's quota unless it asks");
  option(*cmd, "volume-max-quota-mb", c.volume_max_quota_mb,
         "The largest quota a volume may ask for");
  option(*cmd, "max-volumes", c.max_volumes, "Volumes per user");
  option(*cmd, "gc-interval-seconds", c.gc_interval_seconds,
         "Free unreferenced modules, their artifacts and left-over temp files this often "
         "(also at start; 0 = at start only)");
  option(*cmd, "compile-tiers", c.compile_tiers, "tiered | fast | optimized");
  option(*cmd, "compile-jobs", c.compile_jobs,
         "Concurrent compilations per tier (one user gets at most all but one)");
  option(*cmd, "compile-timeout-fast-seconds", c.compile_timeout_fast_seconds,
         "Wall-clock limit on a fast-tier build; past it the module fails");
  option(*cmd, "compile-timeout-optimized-seconds", c.compile_timeout_optimized_seconds,
         "Wall-clock limit on an optimised build; past it the fast tier keeps serving");
  option(*cmd, "kv-max-key-bytes", c.kv_max_key_bytes, "Longest key in a key-value store");
  option(*cmd, "kv-max-value-bytes", c.kv_max_value_bytes, "Largest value in a key-value store");
  option(*cmd, "kv-store-quota-mb", c.kv_store_quota_mb,
         "Keys + values one key-value store may hold");
  option(*cmd, "kv-store-quota-bytes", c.kv_store_quota_bytes,
         "Exact per-store quota in bytes, overriding --kv-store-quota-mb (0 = unused)");
  option(*cmd, "kv-max-stores", c.kv_max_stores, "Key-value stores per user, default included");
  option(*cmd, "outbound-max-response-mb", c.outbound_max_response_mb,
         "Largest response body a guest's outbound HTTP request may receive");
  option(*cmd, "outbound-connect-timeout-ms", c.outbound_connect_timeout_ms,
         "Connect timeout of a guest's outbound request (never past its deadline)");
  option(*cmd, "outbound-max-redirects", c.outbound_max_redirects,
         "Redirects a guest's outbound request follows, each checked against its allowlist");
  option(*cmd, "room-max-message-kb", c.room_max_message_kb,
         "Largest message a room client may send, in KiB (then closed 1009)");
  option(*cmd, "room-messages-per-second", c.room_messages_per_second,
         "Messages per second a room client may send, bursts of twice that (then closed "
         "1008; 0 = no limit)");
  option(*cmd, "room-max-connections", c.room_max_connections,
         "Connections per room (a join past it is closed 1013)");
  option(*cmd, "room-idle-timeout-seconds", c.room_idle_timeout_seconds,
         "A room client that sends nothing, not even a pong, this long is closed 1001 "
         "(pinged before)");
  option(*cmd, "room-persistent-idle-seconds", c.room_persistent_idle_seconds,
         "A persistent room's live instance is dropped after no event this long");
  cmd->add_option("--room-origins", c.room_origins,
                  "Origins whose pages may open rooms besides the actions origin, comma-"
                  "separated (* = any; the dashboard's only if listed)")
      ->delimiter(',')
      ->capture_default_str()
      ->envname(env_name("room-origins"));
  cmd->add_flag("--kv-synchronous-full", c.kv_synchronous_full,
                "fsync every key-value commit (also survives power loss; slower)")
      ->envname("WASM_ACTIONS_KV_SYNCHRONOUS_FULL");
  option(*cmd, "registration", c.registration, "Initial registration mode: open | invite | closed");
  option(*cmd, "login-failures-per-address", c.login_failures_per_address,
         "Failed logins per client address in 5 minutes, over all usernames (per address and "
         "username: 5)");
  option(*cmd, "registrations-per-address", c.registrations_per_address,
         "Registration attempts per client address per hour");
  option(*cmd, "max-concurrent-hashes", c.max_concurrent_hashes,
         "Password hashes at once (keep below api-workers); more are answered 503");
  option(*cmd, "shutdown-grace-seconds", c.shutdown_grace_seconds,
         "On SIGTERM, wait this long for requests in flight; then queued calls get 503 and "
         "running guests are halted");
  option(*cmd, "log-level", c.log_level, "trace | debug | info | warn | error");
  cmd->add_flag("--fast-password-hashing", c.fast_password_hashing,
                "Cheapest argon2id parameters (tests only)")
      ->envname("WASM_ACTIONS_FAST_PASSWORD_HASHING");
  cmd->callback([cmd, config, config_file] {
    if (!config_file->empty()) apply_config_file(*cmd, *config_file);
    configure_logging(config->log_level);
    auto served = gateway::serve(*config);
    if (!served) {
      spdlog::error("{}", served.error().message);
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace wa::cli
