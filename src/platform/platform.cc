#include "platform/platform.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "capabilities/wasm_actions_module.h"
#include "platform/call_bindings.h"
#include "platform/error_kinds.h"
#include "platform/kv/sqlite_kv_backend.h"
#include "runtime/outcome.h"
#include "support/sha256.h"

namespace wa::platform {

namespace {

Error err(std::string_view kind, std::string message) {
  return make_error(std::string(kind), std::move(message));
}

std::optional<VersionStatus> version_status_for(runtime::ModuleState state) {
  switch (state) {
    case runtime::ModuleState::kCompiling:
      return std::nullopt;
    case runtime::ModuleState::kReady:
      return VersionStatus::kReady;
    case runtime::ModuleState::kOptimized:
      return VersionStatus::kOptimized;
    case runtime::ModuleState::kFailed:
      return VersionStatus::kFailed;
  }
  return std::nullopt;
}

// The key compiles are shared fairly by (CompileQueue): one per user.
std::string compile_owner(int64_t owner_id) { return "user:" + std::to_string(owner_id); }

ActionLabels labels_for(const Action& action) {
  return ActionLabels{action.owner_name + "/" + action.name, action.route.text()};
}

}  // namespace

// Compile threads report module states through this; the platform detaches it when it
// goes away so a late report touches nothing.
struct Platform::StatusSink {
  std::mutex mutex;
  ActionRegistry* registry = nullptr;
  ActionLog* log = nullptr;

  void report(const std::string& sha256, runtime::ModuleState state, const std::string& error) {
    auto status = version_status_for(state);
    if (!status) return;
    std::lock_guard lock(mutex);
    if (!registry) return;
    if (auto st = registry->set_module_status(sha256, *status, error); !st) {
      spdlog::warn("module {}: cannot record status {}: {}", sha256, version_status_name(*status),
                   st.error().message);
    }
    if (*status == VersionStatus::kFailed) {
      spdlog::warn("module {}: compilation failed: {}", sha256, error);
      log_failure(sha256, error);
    }
  }

  // The owners see why in their actions' logs, not only in the version's status.
  void log_failure(const std::string& sha256, const std::string& error) {
    if (!log) return;
    auto actions = registry->list_all();
    if (!actions) return;
    for (const auto& action : *actions) {
      if (!action.current || action.current->module_sha256 != sha256) continue;
      (void)log->append(LogEntry{
          0, action.id, 0, "", LogLevel::kError, "compile_failed",
          "version " + std::to_string(action.current->number) + " failed to compile: " + error});
    }
  }
};

// A deploy's claim on the store, from the quota check until its version is recorded (or it
// fails): see Platform::store_mutex_.
class Platform::StoreReservation {
 public:
  StoreReservation(Platform& platform, int64_t owner_id, std::string sha256, uint64_t bytes,
                   bool new_action)
      : platform_(platform),
        owner_id_(owner_id),
        sha256_(std::move(sha256)),
        bytes_(bytes),
        new_action_(new_action) {}
  ~StoreReservation() {
    platform_.release_store(owner_id_, sha256_, bytes_, new_action_, recorded_);
  }
  StoreReservation(const StoreReservation&) = delete;
  StoreReservation& operator=(const StoreReservation&) = delete;

  // The version is in the database: the module file is referenced and must stay.
  void set_recorded() { recorded_ = true; }

 private:
  Platform& platform_;
  int64_t owner_id_;
  std::string sha256_;
  uint64_t bytes_;
  bool new_action_;
  bool recorded_ = false;
};

Platform::Platform(PlatformConfig config, std::unique_ptr<Database> db,
                   std::unique_ptr<ModuleRuntime> runtime)
    : config_(std::move(config)), db_(std::move(db)), runtime_(std::move(runtime)) {}

Expected<std::unique_ptr<Platform>> Platform::open(PlatformConfig config,
                                                   std::unique_ptr<ModuleRuntime> runtime) {
  if (!runtime) return err(error_kind::kInternal, "no module runtime given");
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return err(error_kind::kStorage,
               "cannot create data dir " + config.data_dir.string() + ": " + ec.message());
  }
  auto db = open_sqlite_database(config.data_dir / "wasm-actions.db", config.sqlite);
  if (!db) return db.error();
  auto platform = std::unique_ptr<Platform>(
      new Platform(std::move(config), std::move(db).value(), std::move(runtime)));
  if (auto st = platform->init(); !st) return st.error();
  return platform;
}

Status Platform::init() {
  modules_ = std::make_unique<LocalModuleStore>(config_.data_dir / "modules");
  DiskGcConfig gc;
  gc.modules_dir = config_.data_dir / "modules";
  gc.artifacts_dir = config_.artifact_cache_dir.empty() ? config_.data_dir / "artifacts"
                                                        : config_.artifact_cache_dir;
  gc.data_dir = config_.data_dir;
  gc.abandoned_age = config_.gc_abandoned_age;
  gc_ = std::make_unique<DiskGarbageCollector>(std::move(gc));
  auto accounts = Accounts::open(*db_, config_.data_dir, config_.auth);
  if (!accounts) return accounts.error();
  accounts_ = std::move(accounts).value();
  auto actions = ActionRegistry::open(*db_, config_.limits);
  if (!actions) return actions.error();
  actions_ = std::move(actions).value();
  log_ = std::make_unique<ActionLog>(*db_, config_.logs);
  SqliteKvOptions kv_options;
  kv_options.file = config_.kv_db_file.empty() ? config_.data_dir / "kv.db" : config_.kv_db_file;
  kv_options.limits = config_.kv;
  kv_options.synchronous_full = config_.kv_synchronous_full;
  auto kv = SqliteKvBackend::open(std::move(kv_options));
  if (!kv) return kv.error();
  kv_ = std::move(kv).value();
  auto volumes = VolumeStore::open(*db_, config_.data_dir / "volumes", config_.volumes);
  if (!volumes) return volumes.error();
  volumes_ = std::move(volumes).value();
  status_sink_ = std::make_shared<StatusSink>();
  status_sink_->registry = actions_.get();
  status_sink_->log = log_.get();
  cache_ = std::make_unique<CompiledModuleCache>(
      config_.cache, [this](const std::string& sha256, const std::string& owner) {
        return load_module(sha256, owner);
      });
  // Before any compile of this process starts: what a killed predecessor left goes now.
  collect_garbage();
  warm_compiling_versions();
  if (config_.maintenance_interval.count() > 0 || config_.gc_interval.count() > 0) {
    maintenance_thread_ = std::thread([this] { maintenance_loop(); });
  }
  return ok_status();
}

Platform::~Platform() {
  {
    std::lock_guard lock(maintenance_mutex_);
    stopping_ = true;
  }
  maintenance_wake_.notify_all();
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  cache_.reset();
  runtime_.reset();  // joins compile threads, which may still report through the sink
  std::lock_guard lock(status_sink_->mutex);
  status_sink_->registry = nullptr;
  status_sink_->log = nullptr;
}

ModuleRuntime::StateCallback Platform::status_callback(const std::string& sha256) {
  std::weak_ptr<StatusSink> sink = status_sink_;
  return [sink, sha256](runtime::ModuleState state, const std::string& error) {
    if (auto alive = sink.lock()) alive->report(sha256, state, error);
  };
}

Expected<std::shared_ptr<runtime::Module>> Platform::load_module(const std::string& sha256,
                                                                 const std::string& owner) {
  auto bytes = modules_->get(sha256);
  if (!bytes) return bytes.error();
  return runtime_->load(*bytes, status_callback(sha256), owner);
}

// Versions left "compiling" by a previous run (stopped mid-compile) start compiling again
// now rather than on their first request.
void Platform::warm_compiling_versions() {
  auto compiling = actions_->current_versions_compiling();
  if (!compiling) return;
  for (const auto& version : *compiling) {
    auto action = actions_->get_by_id(version.action_id);
    std::string owner = action ? compile_owner(action->owner_id) : std::string();
    if (auto module = cache_->acquire(version.module_sha256, Clock::now(), owner); !module) {
      status_sink_->report(version.module_sha256, runtime::ModuleState::kFailed,
                           module.error().message);
    }
  }
}

Expected<DeployResult> Platform::deploy(int64_t owner_id, const DeployRequest& request) {
  using Mode = DeployRequest::Mode;
  if (auto st = validate_action_name(request.name); !st) return st.error();
  auto existing = actions_->get(owner_id, request.name);
  if (!existing && existing.error().kind != error_kind::kNotFound) return existing.error();
  const bool creating = !existing.ok();
  if (creating && request.mode == Mode::kUpdate) return existing.error();
  if (!creating && request.mode == Mode::kCreate) {
    return err(error_kind::kConflict, "you already have an action named '" + request.name + "'");
  }
  // Check everything cheap before the upload touches the disk.
  ActionSettings settings = request.settings ? *request.settings
                            : creating       ? ActionSettings::defaults(config_.limits)
                                             : existing->settings;
  if (auto st = validate_settings(settings, config_.limits); !st) return st.error();
  if (auto st = check_grants(owner_id, settings.capabilities); !st) return st.error();
  std::optional<Route> route;
  if (creating || !request.route.empty()) {
    if (request.route.empty()) return err(error_kind::kInvalidArgument, "a route is required");
    auto parsed = parse_route(request.route);
    if (!parsed) return parsed.error();
    auto taken = actions_->match(parsed->path);
    if (taken && taken->route == parsed->text() &&
        taken->action->id != (creating ? 0 : existing->id)) {
      return err(error_kind::kConflict,
                 "route '" + parsed->text() + "' is already taken by another action");
    }
    // Checked again when recording (in the transaction); this answers before the upload
    // is validated or stored.
    if (auto st = actions_->check_route_free(owner_id, *parsed); !st) return st.error();
    route = *parsed;
  }
  // Reserved until the version is recorded: the quota holds against concurrent deploys
  // and the collector keeps the module file. On failure the file goes again, unless
  // another version uses it.
  const std::string module_sha256 = sha256_hex(request.module);
  auto reservation = reserve_store(owner_id, module_sha256, request.module.size(), creating);
  if (!reservation) return reservation.error();
  auto info = runtime_->validate(request.module);
  if (!info) return info.error();
  const auto& exports = info->function_exports;
  auto exported = [&exports](std::string_view name) {
    return std::find(exports.begin(), exports.end(), name) != exports.end();
  };
  // A room handler needs no HTTP entry point: a reactor module exporting only onJoin /
  // onMessage / onLeave deploys (its HTTP route then answers that it has none).
  const bool room_handler = settings.capabilities.rooms &&
                            (exported("onJoin") || exported("onMessage") || exported("onLeave"));
  if (!exported(settings.entry) && !room_handler) {
    return err(error_kind::kInvalidArgument,
               "the module does not export the entry point '" + settings.entry + "'");
  }

  auto sha256 = modules_->put(request.module);
  if (!sha256) return sha256.error();
  NewVersion version{*sha256, request.module.size()};
  Expected<Action> recorded = err(error_kind::kInternal, "not recorded");
  if (creating) {
    recorded = actions_->create(owner_id, request.name, route->text(), settings, version);
  } else {
    if (route && !(*route == existing->route)) {
      auto moved = actions_->update_route(owner_id, request.name, route->text());
      if (!moved) return moved.error();
    }
    if (request.settings) {
      auto updated = actions_->update_settings(owner_id, request.name, settings);
      if (!updated) return updated.error();
    }
    recorded = actions_->add_version(owner_id, request.name, version);
  }
  if (!recorded) return recorded.error();
  (*reservation)->set_recorded();
  reservation->reset();

  // Recorded as "compiling" before loading, so the state callback always finds the row.
  auto module = runtime_->load(request.module, status_callback(*sha256), compile_owner(owner_id));
  if (module) {
    cache_->insert(*sha256, *module);
  } else {
    status_sink_->report(*sha256, runtime::ModuleState::kFailed, module.error().message);
  }
  spdlog::info("deploy: action={}/{} version={} module={} created={}", recorded->owner_name,
               recorded->name, recorded->current->number, *sha256, creating);
  auto fresh = actions_->get(owner_id, request.name);
  Action action = fresh ? *fresh : *recorded;
  ActionVersion added = action.current ? *action.current : *recorded->current;
  return DeployResult{std::move(action), std::move(added), creating};
}

Expected<Action> Platform::rollback(int64_t owner_id, std::string_view name,
                                    std::optional<int> to_number) {
  auto action = actions_->rollback(owner_id, name, to_number);
  if (action && action->current) {
    // Warm the version now serving, so the first request after a rollback is quick.
    (void)cache_->acquire(action->current->module_sha256, Clock::now(), compile_owner(owner_id));
  }
  return action;
}

Status Platform::check_grants(int64_t owner_id, const capabilities::CapabilityGrants& grants) {
  for (const capabilities::KvGrant& grant : grants.key_value_stores) {
    if (!kv_) return err(error_kind::kInvalidArgument, "this server has no key-value store");
    auto store = kv_->find_store(owner_id, grant.store);
    if (store) continue;
    if (store.error().kind == error_kind::kNotFound)
      return err(error_kind::kInvalidArgument,
                 "settings.capabilities: unknown store \"" + grant.store +
                     "\" (create it first: wasm-actions kv create " + grant.store + ")");
    return store.error();
  }
  for (const capabilities::VolumeGrant& grant : grants.volumes) {
    auto volume = volumes_->find(owner_id, grant.volume);
    if (volume) continue;
    if (volume.error().kind == error_kind::kNotFound)
      return err(error_kind::kInvalidArgument,
                 "settings.capabilities: unknown volume \"" + grant.volume +
                     "\" (create it first: wasm-actions volume create " + grant.volume + ")");
    return volume.error();
  }
  return ok_status();
}

Expected<Action> Platform::update_settings(int64_t owner_id, std::string_view name,
                                           const ActionSettings& settings) {
  // With delete_kv_store's check: a store is never deleted while a grant of it is written.
  std::lock_guard lock(kv_grants_mutex_);
  if (auto st = check_grants(owner_id, settings.capabilities); !st) return st.error();
  return actions_->update_settings(owner_id, name, settings);
}

Status Platform::delete_kv_store(int64_t owner_id, std::string_view name) {
  std::lock_guard lock(kv_grants_mutex_);
  // A grant names a store that exists (check_grants): deleting one still granted would
  // break those actions' kv_open, so the owner revokes the grants first.
  auto actions = actions_->list(owner_id);
  if (!actions) return actions.error();
  std::string granting;
  for (const Action& action : *actions) {
    if (!action.settings.capabilities.find_store(name)) continue;
    granting += (granting.empty() ? "" : ", ") + action.name;
  }
  if (!granting.empty()) {
    return err(error_kind::kConflict, "the key-value store \"" + std::string(name) +
                                          "\" is granted to: " + granting +
                                          " (remove it from their settings.capabilities first)");
  }
  return kv_->delete_store(owner_id, name);
}

Status Platform::remove_action(int64_t owner_id, std::string_view name) {
  auto action = actions_->get(owner_id, name);
  if (!action) return action.error();
  auto versions = actions_->versions(owner_id, name);
  if (!versions) return versions.error();
  if (auto st = actions_->remove(owner_id, name); !st) return st;
  metrics_.remove(action->id);
  log_->forget(action->id);
  // Free its files now rather than at the next sweep; modules are content-addressed, so
  // one another action (anyone's) still uses stays.
  std::unordered_set<std::string> modules;
  for (const auto& version : *versions) modules.insert(version.module_sha256);
  DiskGcStats freed;
  {
    std::lock_guard lock(store_mutex_);
    for (const auto& sha256 : modules) free_module_if_unused_locked(sha256, freed);
  }
  if (freed.removed() > 0) {
    spdlog::info("remove: action={}/{} freed {} module files and {} artifacts ({} bytes)",
                 action->owner_name, action->name, freed.modules_removed, freed.artifacts_removed,
                 freed.bytes_freed);
  }
  return ok_status();
}

Expected<std::unique_ptr<Platform::StoreReservation>> Platform::reserve_store(
    int64_t owner_id, const std::string& sha256, uint64_t bytes, bool new_action) {
  std::lock_guard lock(store_mutex_);
  auto usage = actions_->usage(owner_id);
  if (!usage) return usage.error();
  auto has_module = actions_->owner_has_module(owner_id, sha256);
  if (!has_module) return has_module.error();
  const uint64_t new_bytes = *has_module ? 0 : bytes;
  StorageUsage total = *usage;
  if (auto it = reserved_.find(owner_id); it != reserved_.end()) {
    total.actions += it->second.actions;
    total.module_bytes += it->second.module_bytes;
  }
  if (auto st = check_quota(config_.quota, total, new_action, new_bytes); !st) {
    return st.error();
  }
  auto& reserved = reserved_[owner_id];
  reserved.actions += new_action ? 1 : 0;
  reserved.module_bytes += new_bytes;
  ++pinned_modules_[sha256];
  return std::make_unique<StoreReservation>(*this, owner_id, sha256, new_bytes, new_action);
}

void Platform::release_store(int64_t owner_id, const std::string& sha256, uint64_t bytes,
                             bool new_action, bool recorded) {
  std::lock_guard lock(store_mutex_);
  if (auto it = reserved_.find(owner_id); it != reserved_.end()) {
    it->second.actions -= std::min<size_t>(it->second.actions, new_action ? 1 : 0);
    it->second.module_bytes -= std::min(it->second.module_bytes, bytes);
    if (it->second.actions == 0 && it->second.module_bytes == 0) reserved_.erase(it);
  }
  if (auto it = pinned_modules_.find(sha256); it != pinned_modules_.end() && --it->second == 0) {
    pinned_modules_.erase(it);
  }
  if (recorded) return;
  // A deploy refused late (a route race, a storage error) must not leave its file behind.
  DiskGcStats freed;
  free_module_if_unused_locked(sha256, freed);
}

void Platform::free_module_if_unused_locked(const std::string& sha256, DiskGcStats& stats) {
  if (pinned_modules_.contains(sha256)) return;  // a deploy in flight is storing it
  auto referenced = actions_->module_referenced(sha256);
  if (!referenced) {
    spdlog::warn("disk gc: keeping module {}: {}", sha256, referenced.error().message);
    return;
  }
  if (*referenced) return;
  cache_->erase(sha256);
  DiskGcStats freed = gc_->remove_module(sha256);
  stats.modules_removed += freed.modules_removed;
  stats.artifacts_removed += freed.artifacts_removed;
  stats.bytes_freed += freed.bytes_freed;
  stats.errors += freed.errors;
}

DiskGcStats Platform::collect_garbage() {
  std::lock_guard lock(store_mutex_);
  auto referenced = actions_->referenced_modules();
  if (!referenced) {
    spdlog::warn("disk gc: skipped, cannot list referenced modules: {}",
                 referenced.error().message);
    DiskGcStats failed;
    failed.errors = 1;
    return failed;
  }
  std::unordered_set<std::string> keep(referenced->begin(), referenced->end());
  for (const auto& [sha256, count] : pinned_modules_) keep.insert(sha256);
  DiskGcStats stats =
      gc_->sweep([&keep](std::string_view sha256) { return keep.contains(std::string(sha256)); });
  // Loaded modules of deleted actions: nothing can route to them any more.
  for (const auto& sha256 : cache_->keys_by_recency()) {
    if (!keep.contains(sha256)) cache_->erase(sha256);
  }
  if (stats.removed() > 0) {
    spdlog::info(
        "disk gc: removed {} modules, {} artifacts, {} temp files, {} compile work dirs ({} "
        "bytes)",
        stats.modules_removed, stats.artifacts_removed, stats.temp_files_removed,
        stats.work_dirs_removed, stats.bytes_freed);
  }
  return stats;
}

std::shared_ptr<ActionMetrics> Platform::metrics_for(const Action& action) {
  return metrics_.for_action(action.id, labels_for(action));
}

namespace {

// One libcurl client per worker thread: its connection cache lives across requests.
capabilities::OutboundClient& thread_outbound_client(const capabilities::OutboundLimits& limits) {
  thread_local std::unique_ptr<capabilities::OutboundClient> client;
  if (!client) client = std::make_unique<capabilities::OutboundClient>(limits);
  return *client;
}

}  // namespace

Expected<std::shared_ptr<runtime::Module>> Platform::runnable_module(const Action& action) {
  if (!action.settings.enabled) {
    return err(error_kind::kDisabled, "action '" + action.name + "' is disabled");
  }
  if (!action.current) {
    return err(error_kind::kNotFound, "action '" + action.name + "' has no deployed version");
  }
  const ActionVersion& version = *action.current;
  auto failed = [&](const std::string& why) {
    return err(error_kind::kModuleFailed, "version " + std::to_string(version.number) +
                                              " failed to compile" +
                                              (why.empty() ? "" : ": " + why));
  };
  // A failed version stays failed until a redeploy: no request recompiles it (a compile
  // bomb evicted from the cache would otherwise run again on its next request).
  if (version.status == VersionStatus::kFailed) return failed(version.error);
  auto module =
      cache_->acquire(version.module_sha256, Clock::now(), compile_owner(action.owner_id));
  if (!module) return module.error();
  switch ((*module)->state()) {
    case runtime::ModuleState::kFailed:
      return failed(version.error.empty() ? (*module)->error() : version.error);
    case runtime::ModuleState::kCompiling:
      // Never hold a worker waiting for a compile (which may take minutes): the caller
      // answers 503 with Retry-After.
      return err(error_kind::kCompiling, "version " + std::to_string(version.number) +
                                             " of action '" + action.name +
                                             "' is still compiling; retry shortly");
    default:
      break;
  }
  return module;
}

void Platform::apply_settings(const Action& action, runtime::CallOptions& options) const {
  options.timeout = std::min(action.settings.timeout, config_.limits.max_timeout);
  options.memory_limit_bytes =
      std::min(action.settings.memory_limit_bytes, config_.limits.max_memory_limit_bytes);
  for (const auto& [name, value] : action.settings.env) {
    auto& env = options.wasi.env;
    const bool taken =
        std::any_of(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; });
    if (!taken) env.emplace_back(name, value);
  }
}

void Platform::bind_capabilities(const Action& action, CallBindings& bindings,
                                 runtime::CallOptions& options, std::string_view request_id,
                                 capabilities::ActionCaller* calls,
                                 capabilities::RoomDirectory* rooms) {
  const auto& grants = action.settings.capabilities;
  // The `wasm_actions` functions see this action's owner and grants, nothing else.
  capabilities::WasmActionsState& actions_state = bindings.actions;
  actions_state.kv = kv_.get();
  actions_state.owner_id = action.owner_id;
  actions_state.kv_grants = &grants.key_value_stores;
  // An HTTP request has no room until room_select picks one.
  actions_state.rooms.granted = grants.rooms;
  actions_state.rooms.directory = rooms;
  if (grants.rooms) actions_state.rooms.service_id = action.owner_name + "/" + action.name;
  actions_state.rooms.limits = config_.rooms;
  options.imports.bind(actions_state);
  // `wasi_experimental_http`: what the grants open (nothing granted: every request is
  // refused, and the log says why). The refusal sink captures one pointer, so binding it
  // allocates nothing.
  capabilities::ExperimentalHttpState& http_state = bindings.http;
  http_state.allowed_hosts = &grants.allowed_outbound_hosts;
  http_state.callable_actions = &grants.actions;
  if (!grants.allowed_outbound_hosts.empty())
    http_state.client = &thread_outbound_client(config_.outbound);
  if (!grants.actions.empty()) http_state.actions = calls;
  http_state.limits = config_.outbound_sessions;
  bindings.log = log_.get();
  bindings.action_id = action.id;
  bindings.request_id.assign(request_id);
  http_state.log_refusal = [b = &bindings](const std::string& why) {
    (void)b->log->append(LogEntry{0, b->action_id, 0, b->request_id, LogLevel::kWarn,
                                  "destination_not_allowed", why});
  };
  options.imports.bind(http_state);
}

Status Platform::add_volume_preopens(const Action& action, runtime::CallOptions& options) {
  // Granted volumes are preopens, charged to the volume's shared quota.
  if (action.settings.capabilities.volumes.empty()) return ok_status();
  auto preopens = volumes_->preopens(action.owner_id, action.settings.capabilities.volumes);
  if (!preopens) return preopens.error();
  for (auto& p : *preopens) {
    options.wasi.preopens.push_back(wasi::Preopen{std::move(p.host_path), std::move(p.guest_path),
                                                  p.read_only, std::move(p.quota)});
  }
  return ok_status();
}

void Platform::record_call(const Action& action, std::string_view request_id,
                           InvokeResult& result) {
  result.outcome =
      result.call.trapped() ? std::string(runtime::trap_kind_name(result.call.trap)) : "ok";
  const std::string error_kind = result.call.trapped() ? result.outcome : "";
  metrics_for(action)->record_request(result.call.duration, error_kind);

  const std::string rid(request_id);
  if (!result.call.stderr_data.empty()) {
    (void)log_->append_stderr(action.id, rid, result.outcome, result.call.stderr_data);
  }
  if (result.call.trapped()) {
    std::string message(runtime::trap_kind_description(result.call.trap));
    if (!result.call.message.empty()) message += ": " + result.call.message;
    (void)log_->append(LogEntry{
        0, action.id, 0, rid,
        result.call.trap == runtime::TrapKind::kTimeout ? LogLevel::kWarn : LogLevel::kError,
        result.outcome, message});
  }
}

Expected<InvokeResult> Platform::invoke(const Action& action, runtime::CallOptions options,
                                        std::string_view request_id,
                                        capabilities::ActionCaller* calls,
                                        capabilities::RoomDirectory* rooms) {
  auto module = runnable_module(action);
  if (!module) return module.error();
  options.entry = action.settings.entry;
  if (action.settings.capabilities.rooms) {
    // A room handler's page needs its own room endpoint (/rooms/<owner>/<action>/...).
    options.wasi.env.emplace_back("WA_OWNER", action.owner_name);
    options.wasi.env.emplace_back("WA_ACTION", action.name);
    options.wasi.env.emplace_back("WA_ROOMS_PATH",
                                  "/rooms/" + action.owner_name + "/" + action.name);
  }
  apply_settings(action, options);
  CallBindings bindings;
  bind_capabilities(action, bindings, options, request_id, calls, rooms);
  if (auto st = add_volume_preopens(action, options); !st) return st.error();

  InvokeResult result;
  result.call = runtime_->call(**module, options);
  result.module_sha256 = action.current->module_sha256;
  result.version_number = action.current->number;
  result.room_events = std::move(bindings.actions.rooms.emitted);
  record_call(action, request_id, result);
  return result;
}

Expected<InvokeResult> Platform::invoke_room_event(const Action& action,
                                                   const RoomInvocation& invocation) {
  if (!action.settings.capabilities.rooms) {
    return err(error_kind::kForbidden, "action '" + action.name + "' is not granted rooms");
  }
  if (!invocation.event) return err(error_kind::kInvalidArgument, "no room event");
  const capabilities::RoomEvent& event = *invocation.event;
  auto module = runnable_module(action);
  if (!module) return module.error();
  const ActionVersion& version = *action.current;
  const std::string entry(capabilities::room_event_export(event.kind));

  InvokeResult result;
  result.module_sha256 = version.module_sha256;
  result.version_number = version.number;
  const auto& exports = (*module)->info().function_exports;
  if (std::find(exports.begin(), exports.end(), entry) == exports.end()) {
    result.ran = false;
    result.outcome = "ok";
    return result;
  }

  LiveRoom* live = invocation.live;
  if (live && live->alive() && live->module_sha256 != version.module_sha256) live->reset();
  const bool fresh = !live || !live->alive();
  if (live && fresh) live->reset();

  CallBindings one_shot;
  CallBindings* bindings = &one_shot;
  runtime::CallOptions options;
  if (fresh) {
    if (live) {
      live->bindings = std::make_unique<CallBindings>();
      bindings = live->bindings.get();
    }
    options.entry = entry;
    options.initializer = "_initialize";
    options.wasi.args = {action.name};
    auto& env = options.wasi.env;
    env.emplace_back("WA_EVENT", std::string(capabilities::room_event_name(event.kind)));
    env.emplace_back("WA_ROOM", event.room);
    env.emplace_back("WA_CONNECTION_ID", event.connection);
    env.emplace_back("WA_ACTION", event.action);
    if (event.kind == capabilities::RoomEventKind::kMessage)
      env.emplace_back("WA_MESSAGE_TYPE", event.binary ? "binary" : "text");
    for (const auto& var : invocation.env) env.push_back(var);
    options.wasi.stdin_data = event.payload;
    options.wasi.stderr_config.trap_on_limit = false;
    apply_settings(action, options);
    bind_capabilities(action, *bindings, options, invocation.request_id, nullptr,
                      invocation.directory);
    if (auto st = add_volume_preopens(action, options); !st) return st.error();
  } else {
    // The live instance's states: this event's parts, the rest as they were.
    bindings = live->bindings.get();
    bindings->request_id = invocation.request_id;
    bindings->actions.rooms.directory = invocation.directory;
    // Per event: the outbound budget and handles, and this thread's client (libcurl
    // handles belong to one thread; the instance may have been made on another).
    bindings->http.requests = 0;
    bindings->http.responses.clear();
    if (bindings->http.client) bindings->http.client = &thread_outbound_client(config_.outbound);
  }
  capabilities::RoomCallState& rooms = bindings->actions.rooms;
  rooms.event = &event;
  rooms.current_room = event.room;
  rooms.emitted.clear();
  rooms.emitted_bytes = 0;
  rooms.refused = false;
  rooms.refuse_reason.clear();

  if (!live) {
    result.call = runtime_->call(**module, options);
  } else if (fresh) {
    live->instance = runtime_->instantiate(**module, options, result.call);
    live->module_sha256 = version.module_sha256;
    live->version_number = version.number;
    result.persistent = true;
  } else {
    const auto timeout = std::min(action.settings.timeout, config_.limits.max_timeout);
    result.call = live->instance->call(entry, timeout);
    result.persistent = true;
  }
  result.room_events = std::move(rooms.emitted);
  rooms.emitted.clear();
  if (rooms.refused) result.room_refusal = std::move(rooms.refuse_reason);
  rooms.event = nullptr;  // `event` is the caller's: not kept past this call
  if (live && !live->alive()) live->reset();
  record_call(action, invocation.request_id, result);
  return result;
}

void Platform::record_chained_call(const Action& callee, std::string_view request_id,
                                   std::string_view outcome, std::string message) {
  metrics_for(callee)->record_chained_call();
  // One per chained call: batched, so a chain costs no extra commit per hop.
  log_->append_batched(LogEntry{0, callee.id, 0, std::string(request_id), LogLevel::kInfo,
                                std::string(outcome), std::move(message)});
}

void Platform::record_error(const Action& action, std::string_view request_id,
                            std::string_view kind, std::string_view message,
                            bool counts_as_request) {
  metrics_for(action)->record_error(std::string(kind), counts_as_request);
  (void)log_->append(LogEntry{0, action.id, 0, std::string(request_id), LogLevel::kError,
                              std::string(kind), std::string(message)});
}

Expected<ActionMetricsSnapshot> Platform::stats(int64_t owner_id, std::string_view name) {
  auto action = actions_->get(owner_id, name);
  if (!action) return action.error();
  return metrics_for(*action)->snapshot();
}

Expected<std::vector<LogEntry>> Platform::logs(int64_t owner_id, std::string_view name,
                                               std::optional<int64_t> since_ms, size_t limit) {
  auto action = actions_->get(owner_id, name);
  if (!action) return action.error();
  return log_->recent(action->id, since_ms, limit);
}

std::string Platform::prometheus_text() const { return metrics_.prometheus_text(cache_->stats()); }

Status Platform::health() {
  auto answered = db_->query("SELECT 1");
  if (!answered) return answered.error();
  return ok_status();
}

void Platform::run_maintenance(TimePoint now) {
  if (size_t dropped = cache_->drop_idle(now); dropped > 0) {
    spdlog::info("module cache: dropped {} idle modules", dropped);
  }
  if (auto pruned = log_->prune(now); !pruned) {
    spdlog::warn("log pruning failed: {}", pruned.error().message);
  }
}

void Platform::maintenance_loop() {
  using std::chrono::steady_clock;
  const bool maintain = config_.maintenance_interval.count() > 0;
  const bool sweep = config_.gc_interval.count() > 0;
  auto next_maintenance = steady_clock::now() + config_.maintenance_interval;
  auto next_sweep = steady_clock::now() + config_.gc_interval;
  std::unique_lock lock(maintenance_mutex_);
  while (!stopping_) {
    const auto wake = !maintain ? next_sweep
                      : !sweep  ? next_maintenance
                                : std::min(next_maintenance, next_sweep);
    maintenance_wake_.wait_until(lock, wake, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const auto now = steady_clock::now();
    // Nothing may escape this thread: a throw here would terminate the server.
    try {
      if (maintain && now >= next_maintenance) {
        run_maintenance();
        next_maintenance = now + config_.maintenance_interval;
      }
      if (sweep && now >= next_sweep) {
        collect_garbage();
        next_sweep = now + config_.gc_interval;
      }
    } catch (const std::exception& e) {
      spdlog::error("maintenance: {}", e.what());
      next_maintenance = next_sweep = now + std::chrono::seconds(1);
    }
    lock.lock();
  }
}

Status Platform::delete_volume(int64_t owner_id, std::string_view name) {
  // A granted volume stays: its actions would fail on every request without it.
  auto actions = actions_->list(owner_id);
  if (!actions) return actions.error();
  std::string users;
  for (const Action& action : *actions) {
    for (const auto& grant : action.settings.capabilities.volumes) {
      if (grant.volume != name) continue;
      users += (users.empty() ? "" : ", ") + action.name;
      break;
    }
  }
  if (!users.empty()) {
    return err(error_kind::kConflict, "volume '" + std::string(name) +
                                          "' is granted to actions: " + users +
                                          " (remove it from their settings.capabilities first)");
  }
  return volumes_->remove(owner_id, name);
}

}  // namespace wa::platform
