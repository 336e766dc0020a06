// ServerConfig: every setting of `wasm-actions serve` (filled from a TOML file, the
// WASM_ACTIONS_* environment and flags, in that order of precedence, lowest first).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace wa::gateway {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  std::filesystem::path data_dir = "./data";
  std::filesystem::path artifact_dir;  // empty: <data_dir>/artifacts
  std::filesystem::path web_root;      // dashboard files (web/dist); empty: no dashboard
  // Written once the server listens ("127.0.0.1:PORT"), so scripts and tests can use
  // port 0 and find out which port they got.
  std::filesystem::path port_file;
  // The dashboard has an origin of its own, so no action page shares it (and the token it
  // keeps): a second listener. Empty: the main host on the main port + 1 (any free port
  // when the main port is 0). "none": no second listener; then dashboard_url's host must
  // be routed to the main listener (a reverse proxy with a dashboard subdomain).
  std::string dashboard_listen;
  // Public URLs of the two origins as browsers reach them (e.g. https://dash.example.com).
  // Empty: http://<the host the client used>:<the bound port>. A request to the main
  // listener whose Host is dashboard_url's host is served as the dashboard.
  std::string dashboard_url;
  std::string actions_url;
  // A bearer token that reads every action's series in /metrics (for a scraper); empty:
  // only admins do (others see server totals and their own actions).
  std::string metrics_token;

  unsigned io_threads = 2;
  unsigned workers = 4;      // threads running guests
  unsigned queue = 64;       // guest calls that may wait; more are answered 503
  unsigned api_workers = 2;  // threads for REST calls (password hashing is slow)

  uint64_t max_body_bytes = 8ull << 20;       // request body of an action call (413)
  uint64_t max_upload_bytes = 64ull << 20;    // module uploads through the API (413)
  uint64_t max_response_bytes = 16ull << 20;  // guest stdout (502)
  // Open connections, in total and per client address (the socket's peer, never a
  // forwarded header); past them a client gets a 503 and the connection closes.
  unsigned max_connections = 10000;
  unsigned max_connections_per_address = 256;
  // Responses written but not yet read by slow clients, in total and per connection;
  // past the total the slowest readers are dropped first.
  uint64_t max_unsent_bytes = 256ull << 20;
  uint64_t max_unsent_bytes_per_connection = 32ull << 20;
  unsigned default_timeout_ms = 5000;
  unsigned max_timeout_ms = 60000;
  unsigned default_memory_mb = 128;
  unsigned max_memory_mb = 1024;

  unsigned cache_modules = 256;          // compiled modules kept loaded (LRU)
  unsigned cache_mb = 1024;              // ... and their total size
  unsigned cache_idle_seconds = 900;     // unload modules idle this long
  unsigned quota_actions = 100;          // actions per user (0: no limit)
  unsigned quota_mb = 1024;              // stored modules per user, all versions (0: no limit)
  unsigned volume_quota_mb = 256;        // a new volume's quota unless it asks
  unsigned volume_max_quota_mb = 4096;   // the most a volume may ask for
  unsigned max_volumes = 16;             // volumes per user
  unsigned gc_interval_seconds = 600;    // free unreferenced modules, left-over temp files
  std::string compile_tiers = "tiered";  // tiered | fast | optimized
  unsigned compile_jobs = 2;             // per tier; one user gets at most all but one
  unsigned compile_timeout_fast_seconds = 120;  // wall clock per build, then it fails
  unsigned compile_timeout_optimized_seconds = 600;

  // Developers' key-value stores (<data_dir>/kv.db).
  unsigned kv_max_key_bytes = 1024;
  unsigned kv_max_value_bytes = 1u << 20;
  unsigned kv_store_quota_mb = 64;    // keys + values per store
  uint64_t kv_store_quota_bytes = 0;  // exact quota overriding kv_store_quota_mb (0: unused)
  // Outbound HTTP from guests (wasi_experimental_http).
  unsigned outbound_max_response_mb = 16;        // a response body past this is an error
  unsigned outbound_connect_timeout_ms = 10000;  // and never past the guest's deadline
  unsigned outbound_max_redirects = 5;
  unsigned kv_max_stores = 32;       // per user, default included
  bool kv_synchronous_full = false;  // fsync every commit (survives power loss too)

  // Rooms: WebSockets at /rooms/<owner>/<action>/<room> (per connection unless noted).
  unsigned room_max_message_kb = 1024;          // an incoming message; larger: closed 1009
  unsigned room_messages_per_second = 200;      // burst twice that; past it: closed 1008
  unsigned room_max_connections = 10000;        // per room; a join past it: closed 1013
  unsigned room_idle_timeout_seconds = 120;     // nothing received (pinged before): 1001
  unsigned room_persistent_idle_seconds = 300;  // a persistent room's instance is dropped
  // Origins (besides the actions origin) whose pages may open rooms; "*": any.
  std::vector<std::string> room_origins;

  std::string registration = "open";   // initial mode: open | invite | closed
  bool fast_password_hashing = false;  // argon2id minimum cost: tests only
  unsigned shutdown_grace_seconds = 10;
  std::string log_level = "info";

  // Rate limits and hashing slots of the accounts (see platform::AuthConfig).
  unsigned login_failures_per_address = 50;  // per 5 minutes, over all usernames
  unsigned registrations_per_address = 20;   // per hour
  unsigned max_concurrent_hashes = 1;        // below api_workers, so other calls get a thread

  // Filled in by serve() once bound (the ports actually listened on; 0 = none).
  uint16_t bound_port = 0;
  uint16_t bound_dashboard_port = 0;
};

}  // namespace wa::gateway
