// Platform: the facade the gateway holds — storage, accounts, actions, modules, cache,
// metrics and logs, and the deploy and invoke flows. Knows nothing about HTTP or CGI.
//
//   auto platform = Platform::open(config);            // Expected<unique_ptr<Platform>>
//   auto token = platform->accounts().register_user("ann", "secret-pw");
//   auto deployed = platform->deploy(user_id, {.name = "hello", .route = "/hello",
//                                              .module = bytes});
//   auto match = platform->match("/hello");            // route → action snapshot
//   auto result = platform->invoke(*match->action, call_options, request_id);
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "capabilities/experimental_http_module.h"
#include "capabilities/kv_backend.h"
#include "capabilities/outbound_client.h"
#include "capabilities/room_events.h"
#include "platform/accounts.h"
#include "platform/action.h"
#include "platform/action_log.h"
#include "platform/action_registry.h"
#include "platform/database.h"
#include "platform/disk_gc.h"
#include "platform/live_room.h"
#include "platform/metrics_registry.h"
#include "platform/module_cache.h"
#include "platform/module_runtime.h"
#include "platform/module_store.h"
#include "platform/user_quota.h"
#include "platform/volume_store.h"
#include "runtime/call.h"
#include "support/expected.h"

namespace wa::platform {

struct PlatformConfig {
  // Holds wasm-actions.db, jwt.secret, modules/ and (by default) artifacts/.
  std::filesystem::path data_dir = "./data";
  // Compiled artifacts; empty means <data_dir>/artifacts.
  std::filesystem::path artifact_cache_dir;
  runtime::EngineConfig::Tiers compile_tiers = runtime::EngineConfig::Tiers::kTiered;
  unsigned max_concurrent_compiles = 2;  // per tier; one owner gets at most all but one
  // Wall-clock cap on one build; a module past it fails with a message saying so.
  std::chrono::seconds fast_compile_timeout{120};
  std::chrono::seconds optimized_compile_timeout{600};

  SqliteOptions sqlite;     // WAL, busy timeout 5 s
  AuthConfig auth;          // argon2id interactive, 24 h sessions, open registration, 5/5 min
  ActionLimits limits;      // timeout 5 s (max 60 s), memory 128 MiB (max 1 GiB)
  ModuleCacheConfig cache;  // 256 modules, 1 GiB, idle 15 min
  LogConfig logs;           // 500 lines/action in memory, 7 days / 10000 lines persisted
  UserQuota quota;          // per user: 100 actions, 1 GiB of stored modules
  VolumeLimits volumes;     // per user 16 volumes; 256 MiB each unless asked (max 4 GiB)
  // How often the background thread drops idle modules and prunes logs; 0 disables it
  // (call run_maintenance() yourself).
  std::chrono::seconds maintenance_interval{60};
  // How often the background thread frees unreferenced modules, their artifacts and
  // abandoned temp files (also done once at open); 0 disables the periodic sweep.
  std::chrono::seconds gc_interval{600};
  // Temp files and compile work dirs older than this are abandoned whatever their name says.
  std::chrono::seconds gc_abandoned_age{std::chrono::hours(1)};

  // Developers' key-value stores: their own SQLite file (empty: <data_dir>/kv.db).
  capabilities::KvLimits kv;
  std::filesystem::path kv_db_file;
  bool kv_synchronous_full = false;  // NORMAL survives kill -9; FULL also power loss

  // Outbound HTTP from guests (`wasi_experimental_http`): connect timeout, response cap,
  // redirects; open responses and requests per call.
  capabilities::OutboundLimits outbound;
  capabilities::ExperimentalHttpLimits outbound_sessions;
  // What one call's room functions may emit (payload size, total bytes, messages).
  capabilities::RoomCallLimits rooms;
};

struct DeployRequest {
  std::string name;
  std::string route;  // required when creating; empty keeps the current route
  std::span<const uint8_t> module;
  std::optional<ActionSettings> settings;  // nullopt: defaults (create) / unchanged (update)
  enum class Mode { kCreate, kUpdate, kCreateOrUpdate } mode = Mode::kCreateOrUpdate;
};

struct DeployResult {
  Action action;          // with `current` = the new version (status "compiling" or later)
  ActionVersion version;  // the version just added
  bool created = false;   // true if the action is new
};

struct InvokeResult {
  runtime::CallResult call;
  std::string module_sha256;
  int version_number = 0;
  // "ok" or the trap kind name ("timeout", "out_of_bounds", ...), as recorded in metrics.
  std::string outcome;
  // What the guest's room calls emitted (room_select + room_broadcast / room_send from an
  // HTTP request, or a room event's calls), in order; the caller delivers them.
  std::vector<capabilities::EmittedEvent> room_events;
  // A join the handler refused with room_refuse (the reason; it may be empty).
  std::optional<std::string> room_refusal;
  bool ran = true;          // false: a room event whose export the module does not have
  bool persistent = false;  // a room event that ran on the room's live instance
};

// One room event to run (Platform::invoke_room_event).
struct RoomInvocation {
  const capabilities::RoomEvent* event = nullptr;
  // join: the upgrade request's CGI variables (QUERY_STRING, HTTP_*, REMOTE_ADDR, ...).
  std::vector<std::pair<std::string, std::string>> env;
  capabilities::RoomDirectory* directory = nullptr;  // who is in the action's rooms
  std::string request_id;
  // Persistent mode: the room's slot, made on first use and discarded after a trap, an
  // exit or a memory-cap hit (the next event makes a fresh one). nullptr: a fresh
  // instance for this event (per-event mode).
  LiveRoom* live = nullptr;
};

class Platform {
 public:
  // With the embedded engine (needs wa_runtime linked).
  static Expected<std::unique_ptr<Platform>> open(PlatformConfig config);
  // With any engine.
  static Expected<std::unique_ptr<Platform>> open(PlatformConfig config,
                                                  std::unique_ptr<ModuleRuntime> runtime);
  ~Platform();
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  // Validates first (errors not_wasm / invalid_module / unsupported_feature /
  // unsupported_import, or invalid_argument when settings.entry is not exported;
  // quota_exceeded over the owner's quota; conflict for a route taken or inside another
  // user's prefix): nothing is stored on failure, not even the module file. Then stores the module,
  // records the version as "compiling" and starts compiling; returns without waiting. The status
  // becomes ready / optimized / failed as compilation progresses.
  Expected<DeployResult> deploy(int64_t owner_id, const DeployRequest& request);
  Expected<Action> rollback(int64_t owner_id, std::string_view name,
                            std::optional<int> to_number = std::nullopt);
  Expected<Action> update_settings(int64_t owner_id, std::string_view name,
                                   const ActionSettings& settings);  // validates bounds
  // Also frees the action's module files and artifacts that no other version uses.
  Status remove_action(int64_t owner_id, std::string_view name);  // + metrics, logs

  std::optional<RouteMatch> match(std::string_view path) const { return actions_->match(path); }

  // Runs the action's current version. The platform sets options.entry, timeout (capped by
  // limits.max_timeout) and memory limit from the action's settings, and adds the action's
  // env vars whose names are not already in options.wasi.env (the gateway's CGI variables
  // win). Records the request in metrics (outcome "ok" or the trap kind; exit codes are
  // the gateway's to judge) and the guest's stderr and any trap in the action's log.
  // Errors (nothing ran, nothing recorded): disabled, not_found (no version),
  // compiling (not runnable yet: never waits), module_failed, storage.
  // `calls` is the invocation's entry point for chained calls (the gateway's; nullptr:
  // none): the guest reaches it only if the action's `actions` grant is non-empty.
  // Outbound HTTP is bound when `allowed_outbound_hosts` is non-empty; refusals go to the
  // action's log (warn, outcome "destination_not_allowed").
  // `rooms` answers room_connections / room_send for the action's rooms (the gateway's
  // hub; nullptr: nobody is connected); the room functions work only with the `rooms`
  // grant, and what they emit comes back in InvokeResult::room_events.
  Expected<InvokeResult> invoke(const Action& action, runtime::CallOptions options,
                                std::string_view request_id,
                                capabilities::ActionCaller* calls = nullptr,
                                capabilities::RoomDirectory* rooms = nullptr);

  // Runs a room event's export (onJoin / onMessage / onLeave) like invoke runs an HTTP
  // request: same checks, errors, limits, grants, metrics and logs. Environment WA_EVENT,
  // WA_ROOM, WA_CONNECTION_ID, WA_ACTION (+ WA_MESSAGE_TYPE, and invocation.env on join),
  // the payload on stdin; `_initialize` first on a fresh instance; `_start` never. A
  // module without the export runs nothing (InvokeResult::ran false). forbidden
  // without the `rooms` grant.
  Expected<InvokeResult> invoke_room_event(const Action& action, const RoomInvocation& invocation);

  // A call that arrived through a chain: an info line in the callee's log (request id
  // `<parent>.<n>`) and the callee's chained-call counter.
  void record_chained_call(const Action& callee, std::string_view request_id,
                           std::string_view outcome, std::string message);
  // The owner's action by name, from the in-memory route table (nullptr: none).
  std::shared_ptr<const Action> find_action(int64_t owner_id, std::string_view name) const {
    return actions_->snapshot(owner_id, name);
  }

  // An error the gateway found for a request: after invoke (e.g. "bad_gateway" for invalid
  // CGI output, "exit_error", "response_too_large"; counts_as_request=false) or instead of
  // it ("overloaded", "body_too_large", "disabled", "module_failed"; counts_as_request=true).
  // Adds an error-level line to the action's log.
  void record_error(const Action& action, std::string_view request_id, std::string_view kind,
                    std::string_view message, bool counts_as_request);

  Expected<ActionMetricsSnapshot> stats(int64_t owner_id, std::string_view name);
  Expected<std::vector<LogEntry>> logs(int64_t owner_id, std::string_view name,
                                       std::optional<int64_t> since_ms, size_t limit = 200);
  std::string prometheus_text() const;
  // For /healthz: the database answers.
  Status health();

  // Drops idle modules and prunes logs (also done by the background thread).
  void run_maintenance(TimePoint now = Clock::now());
  // Frees what no version references and what killed processes left behind (also done
  // at open and by the background thread). Never touches a module a deploy in flight is
  // storing.
  DiskGcStats collect_garbage();
  // What the owner stores now (the quotas count this).
  Expected<StorageUsage> usage(int64_t owner_id) { return actions_->usage(owner_id); }

  // Checks that what the grants name exists for the owner (invalid_argument naming the
  // unknown store or volume); deploy and update_settings call it.
  Status check_grants(int64_t owner_id, const capabilities::CapabilityGrants& grants);
  // Deletes a volume and its files. not_found if the owner has none by that name.
  Status delete_volume(int64_t owner_id, std::string_view name);

  // Developers' key-value stores (what the `wasm_actions` kv_* functions reach).
  capabilities::KvBackend& kv() { return *kv_; }
  Accounts& accounts() { return *accounts_; }
  VolumeStore& volumes() { return *volumes_; }
  ActionRegistry& actions() { return *actions_; }
  ModuleStore& modules() { return *modules_; }
  CompiledModuleCache& cache() { return *cache_; }
  MetricsRegistry& metrics() { return metrics_; }
  ActionLog& action_log() { return *log_; }
  Database& database() { return *db_; }

  // Deletes one of the owner's key-value stores and its entries (errors as
  // KvBackend::delete_store; conflict while an action of the owner grants it).
  Status delete_kv_store(int64_t owner_id, std::string_view name);
  const PlatformConfig& config() const { return config_; }

 private:
  struct StatusSink;
  Platform(PlatformConfig config, std::unique_ptr<Database> db,
           std::unique_ptr<ModuleRuntime> runtime);
  Status init();
  Expected<std::shared_ptr<runtime::Module>> load_module(const std::string& sha256,
                                                         const std::string& owner);
  // The current version's module, runnable now (errors as invoke's).
  Expected<std::shared_ptr<runtime::Module>> runnable_module(const Action& action);
  // Timeout, memory cap and env vars from the action's settings.
  void apply_settings(const Action& action, runtime::CallOptions& options) const;
  // Fills `bindings` with what the action's grants open and binds them into `options`.
  void bind_capabilities(const Action& action, CallBindings& bindings,
                         runtime::CallOptions& options, std::string_view request_id,
                         capabilities::ActionCaller* calls, capabilities::RoomDirectory* rooms);
  Status add_volume_preopens(const Action& action, runtime::CallOptions& options);
  // Metrics, the guest's stderr and any trap, into the action's metrics and log.
  void record_call(const Action& action, std::string_view request_id, InvokeResult& result);
  ModuleRuntime::StateCallback status_callback(const std::string& sha256);
  void warm_compiling_versions();
  std::shared_ptr<ActionMetrics> metrics_for(const Action& action);
  void maintenance_loop();
  class StoreReservation;
  Expected<std::unique_ptr<StoreReservation>> reserve_store(int64_t owner_id,
                                                            const std::string& sha256,
                                                            uint64_t bytes, bool new_action);
  void release_store(int64_t owner_id, const std::string& sha256, uint64_t bytes, bool new_action,
                     bool recorded);
  void free_module_if_unused_locked(const std::string& sha256, DiskGcStats& stats);

  PlatformConfig config_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<ModuleStore> modules_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<ActionRegistry> actions_;
  std::unique_ptr<ActionLog> log_;
  std::unique_ptr<capabilities::KvBackend> kv_;
  // Serialises granting stores (update_settings) with deleting them (delete_kv_store).
  std::mutex kv_grants_mutex_;
  std::unique_ptr<VolumeStore> volumes_;
  MetricsRegistry metrics_;
  std::shared_ptr<StatusSink> status_sink_;  // compile callbacks reach the registry via this
  // Destroyed before the registry it reports to: its destructor joins compile threads.
  std::unique_ptr<ModuleRuntime> runtime_;
  // Destroyed first: loaded modules go before the engine that loaded them.
  std::unique_ptr<CompiledModuleCache> cache_;

  // Deploys between the quota check and recording their version hold a reservation: the
  // module is pinned (the collector keeps it) and its bytes and action count toward the
  // owner's quota. The collector sweeps with this mutex held, so a module is never
  // deleted between a deploy's store and its record.
  std::mutex store_mutex_;
  std::unordered_map<std::string, int> pinned_modules_;
  std::unordered_map<int64_t, StorageUsage> reserved_;  // per owner
  std::unique_ptr<DiskGarbageCollector> gc_;

  std::mutex maintenance_mutex_;
  std::condition_variable maintenance_wake_;
  bool stopping_ = false;
  std::thread maintenance_thread_;
};

}  // namespace wa::platform
