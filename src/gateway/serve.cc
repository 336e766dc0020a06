#include "gateway/serve.h"

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <thread>

#include "gateway/dashboard_handler.h"
#include "gateway/gateway.h"
#include "gateway/http_server.h"
#include "gateway/origins.h"
#include "gateway/worker_pool.h"
#include "rooms/room_hub.h"
#include "rooms/room_runner.h"
#include "runtime/watchdog.h"
#include "support/files.h"

namespace wa::gateway {

namespace net = boost::asio;

platform::PlatformConfig platform_config(const ServerConfig& config) {
  platform::PlatformConfig out;
  out.data_dir = config.data_dir;
  out.artifact_cache_dir = config.artifact_dir;
  using Tiers = runtime::EngineConfig::Tiers;
  out.compile_tiers = config.compile_tiers == "fast"        ? Tiers::kFastOnly
                      : config.compile_tiers == "optimized" ? Tiers::kOptimizedOnly
                                                            : Tiers::kTiered;
  out.max_concurrent_compiles = std::max(1u, config.compile_jobs);
  out.fast_compile_timeout = std::chrono::seconds(config.compile_timeout_fast_seconds);
  out.optimized_compile_timeout = std::chrono::seconds(config.compile_timeout_optimized_seconds);
  out.auth.password_strength = config.fast_password_hashing
                                   ? platform::PasswordStrength::kMinimal
                                   : platform::PasswordStrength::kInteractive;
  out.auth.login_address_limits.max_failures = std::max(1u, config.login_failures_per_address);
  out.auth.register_limits.max_failures = std::max(1u, config.registrations_per_address);
  out.auth.max_concurrent_hashes = std::max(1u, config.max_concurrent_hashes);
  if (auto mode = platform::parse_registration_mode(config.registration)) {
    out.auth.initial_registration_mode = *mode;
  }
  out.limits.default_timeout = std::chrono::milliseconds(config.default_timeout_ms);
  out.limits.max_timeout = std::chrono::milliseconds(config.max_timeout_ms);
  out.limits.default_memory_limit_bytes = uint64_t{config.default_memory_mb} << 20;
  out.limits.max_memory_limit_bytes = uint64_t{config.max_memory_mb} << 20;
  out.cache.max_modules = std::max(1u, config.cache_modules);
  out.cache.max_bytes = uint64_t{config.cache_mb} << 20;
  out.cache.idle_ttl = std::chrono::seconds(config.cache_idle_seconds);
  out.quota.max_actions = config.quota_actions;
  out.quota.max_module_bytes = uint64_t{config.quota_mb} << 20;
  out.kv.max_key_bytes = config.kv_max_key_bytes;
  out.kv.max_value_bytes = config.kv_max_value_bytes;
  out.outbound.max_response_bytes = uint64_t{std::max(1u, config.outbound_max_response_mb)} << 20;
  out.outbound.connect_timeout = std::chrono::milliseconds(config.outbound_connect_timeout_ms);
  out.outbound.max_redirects = config.outbound_max_redirects;
  out.kv.store_quota_bytes = config.kv_store_quota_bytes != 0
                                 ? config.kv_store_quota_bytes
                                 : uint64_t{config.kv_store_quota_mb} << 20;
  out.kv.max_stores_per_owner = config.kv_max_stores;
  out.kv_synchronous_full = config.kv_synchronous_full;
  out.gc_interval = std::chrono::seconds(config.gc_interval_seconds);
  out.volumes.default_quota_bytes = uint64_t{std::max(1u, config.volume_quota_mb)} << 20;
  out.volumes.max_quota_bytes =
      uint64_t{std::max(config.volume_quota_mb, config.volume_max_quota_mb)} << 20;
  out.volumes.max_volumes_per_owner = config.max_volumes;
  out.volumes.max_read_bytes = config.max_upload_bytes;
  return out;
}

rooms::RoomHubLimits room_hub_limits(const ServerConfig& config) {
  rooms::RoomHubLimits limits;
  limits.max_message_bytes = uint64_t{std::max(1u, config.room_max_message_kb)} << 10;
  limits.messages_per_second = config.room_messages_per_second;
  limits.message_burst = std::max(1u, config.room_messages_per_second * 2);
  limits.max_connections_per_room = std::max(1u, config.room_max_connections);
  limits.idle_timeout = std::chrono::seconds(std::max(1u, config.room_idle_timeout_seconds));
  // Pinged well before the idle timeout, so only a client that stopped answering (or
  // reading) reaches it.
  limits.ping_interval =
      std::min(limits.ping_interval, std::max(std::chrono::seconds(1), limits.idle_timeout / 2));
  limits.max_parallel_rooms = std::max(1u, config.workers);
  return limits;
}

namespace {

// Persistent room instances past their idle time are dropped this often.
constexpr std::chrono::seconds kRoomIdleSweep{5};

Status check_config(const ServerConfig& config) {
  if (!platform::parse_registration_mode(config.registration)) {
    return make_error("config", "registration must be open, invite or closed, not \"" +
                                    config.registration + "\"");
  }
  if (config.compile_tiers != "tiered" && config.compile_tiers != "fast" &&
      config.compile_tiers != "optimized") {
    return make_error("config", "compile-tiers must be tiered, fast or optimized, not \"" +
                                    config.compile_tiers + "\"");
  }
  if (config.default_timeout_ms > config.max_timeout_ms) {
    return make_error("config", "default-timeout-ms exceeds max-timeout-ms");
  }
  // Otherwise every deploy without settings would be refused with a confusing message.
  if (config.default_timeout_ms == 0 || config.default_memory_mb == 0) {
    return make_error("config", "default-timeout-ms and default-memory-mb must be at least 1");
  }
  if (config.default_memory_mb > config.max_memory_mb) {
    return make_error("config", "default-memory-mb exceeds max-memory-mb");
  }
  if (config.compile_timeout_fast_seconds == 0 || config.compile_timeout_optimized_seconds == 0) {
    return make_error("config",
                      "compile-timeout-fast-seconds and "
                      "compile-timeout-optimized-seconds must be at least 1");
  }
  if (config.workers == 0 || config.io_threads == 0 || config.api_workers == 0) {
    return make_error("config", "workers, io-threads and api-workers must be at least 1");
  }
  if (config.max_connections == 0 || config.max_connections_per_address == 0) {
    return make_error("config",
                      "max-connections and max-connections-per-address must be at "
                      "least 1");
  }
  if (config.max_unsent_bytes_per_connection > config.max_unsent_bytes) {
    return make_error("config", "max-unsent-bytes-per-connection exceeds max-unsent-bytes");
  }
  for (const auto& [url, name] : {std::pair{config.dashboard_url, "dashboard-url"},
                                  std::pair{config.actions_url, "actions-url"}}) {
    if (url.empty()) continue;
    if (auto origin = origin_of_url(url, name); !origin) return origin.error();
  }
  for (const auto& origin : config.room_origins) {
    if (origin == "*") continue;
    if (auto parsed = origin_of_url(origin, "room-origins"); !parsed) return parsed.error();
  }
  if (config.dashboard_listen == "none" && config.dashboard_url.empty()) {
    return make_error("config",
                      "dashboard-listen none needs dashboard-url (the dashboard's own "
                      "hostname, routed to the main listener)");
  }
  if (!config.dashboard_url.empty() && !config.actions_url.empty() &&
      origin_of_url(config.dashboard_url, "").value() ==
          origin_of_url(config.actions_url, "").value()) {
    return make_error("config",
                      "dashboard-url and actions-url must be different origins (an "
                      "action page on the dashboard's origin could act as its users)");
  }
  return ok_status();
}

// Where the dashboard listens: --dashboard-listen, else the main host on the main port
// + 1 (port 0 stays 0: any free port).
Expected<std::string> dashboard_listen_address(const ServerConfig& config) {
  if (!config.dashboard_listen.empty()) return config.dashboard_listen;
  auto colon = config.listen.rfind(':');
  if (colon == std::string::npos) return config.listen;  // start() names the problem
  unsigned long port = 0;
  try {
    port = std::stoul(config.listen.substr(colon + 1));
  } catch (...) {
    return config.listen;
  }
  if (port >= 65535) {
    return make_error("config", "the main port is 65535: set --dashboard-listen explicitly");
  }
  return config.listen.substr(0, colon + 1) + std::to_string(port == 0 ? 0 : port + 1);
}

std::string host_port(const net::ip::tcp::endpoint& endpoint) {
  std::string host = endpoint.address().to_string();
  if (endpoint.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

// Line 1: the main listener (scripts and bench/ read it); line 2: the dashboard's.
void write_port_file(const ServerConfig& config, const net::ip::tcp::endpoint& endpoint,
                     const std::optional<net::ip::tcp::endpoint>& dashboard) {
  if (config.port_file.empty()) return;
  std::string text = endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + "\n";
  if (dashboard) text += host_port(*dashboard) + "\n";
  auto written = write_file_atomically(
      config.port_file, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  if (!written) spdlog::warn("cannot write the port file: {}", written.error().message);
}

// Every connection is a descriptor: lift the soft limit to the hard one (often 1024 →
// 1M), so the connection caps, not the kernel, decide when clients are refused.
void raise_fd_limit(const ServerConfig& config) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < config.max_connections) {
    spdlog::warn(
        "the open-file limit ({}) is below max-connections ({}): connections past it "
        "wait in the listen backlog",
        limit.rlim_cur, config.max_connections);
  }
}

// Response buffers run to megabytes and are built on one thread and freed on another.
// With glibc's default, the mmap threshold rises to the largest block freed, after which
// such buffers come from per-thread arenas that keep the memory: RSS then grows past
// what the send budget allows. A fixed threshold keeps large blocks in their own
// mappings, returned to the system when freed.
void keep_large_buffers_out_of_arenas() {
  constexpr int kMmapThreshold = 1 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
}

// Runs the I/O loop until it is stopped. A handler that throws is logged and the loop
// goes on: no exception ends an I/O thread (and with it the process).
void run_io(net::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("I/O thread: unexpected exception: {}", e.what());
    } catch (...) {
      spdlog::error("I/O thread: unexpected exception");
    }
  }
}

}  // namespace

Status serve(const ServerConfig& given) {
  if (auto ok = check_config(given); !ok) return ok;
  // A copy that also holds the bound ports, filled in before any request is handled.
  ServerConfig config = given;
  auto platform = platform::Platform::open(platform_config(config));
  if (!platform) return platform.error();

  WorkerPool guest_pool("wa-guest", config.workers, config.queue);
  WorkerPool api_pool("wa-api", config.api_workers, 256);
  rooms::RoomRunnerConfig runner_config;
  runner_config.persistent_idle =
      std::chrono::seconds(std::max(1u, config.room_persistent_idle_seconds));
  rooms::RoomRunner runner(**platform, runner_config);
  // Each room's events run as jobs on the guest workers, like HTTP calls.
  rooms::RoomHub hub(
      runner, [&guest_pool](std::function<void()> job) { return guest_pool.try_submit(job); },
      room_hub_limits(config));
  Gateway gateway(**platform, config, guest_pool, api_pool, &runner, &hub);

  DashboardHandler dashboard(config, gateway);
  const bool own_listener = config.dashboard_listen != "none";
  ActionsOriginHandler actions(**platform, config, gateway,
                               config.dashboard_url.empty() ? nullptr : &dashboard);

  raise_fd_limit(config);
  keep_large_buffers_out_of_arenas();
  net::io_context io(static_cast<int>(config.io_threads));
  HttpServerLimits limits;
  limits.max_connections = config.max_connections;
  limits.max_connections_per_address = config.max_connections_per_address;
  limits.send.max_total_bytes = config.max_unsent_bytes;
  limits.send.max_connection_bytes = config.max_unsent_bytes_per_connection;
  HttpServer server(io, actions, limits);
  HttpServer dashboard_server(io, dashboard, limits);
  auto endpoint = server.start(config.listen);
  if (!endpoint) return endpoint.error();
  config.bound_port = endpoint->port();
  std::optional<net::ip::tcp::endpoint> dashboard_endpoint;
  if (own_listener) {
    auto address = dashboard_listen_address(config);
    if (!address) return address.error();
    auto bound = dashboard_server.start(*address);
    if (!bound) {
      return make_error(bound.error().kind, bound.error().message +
                                                " (the dashboard's listener; choose another "
                                                "with --dashboard-listen)");
    }
    dashboard_endpoint = *bound;
    config.bound_dashboard_port = bound->port();
  }
  write_port_file(config, *endpoint, dashboard_endpoint);
  spdlog::info("listening on http://{}:{} (data {}, {} guest workers, queue {})",
               endpoint->address().to_string(), endpoint->port(), config.data_dir.string(),
               config.workers, config.queue);
  if (dashboard_endpoint) {
    spdlog::info("dashboard on http://{}/", host_port(*dashboard_endpoint));
  } else {
    spdlog::info("dashboard at {}/ (via the main listener)", config.dashboard_url);
  }

  // Graceful shutdown: stop accepting and wait for requests in flight. After the grace
  // period, queued calls are answered 503 and running guests are halted (answered 503
  // too); the I/O threads run on until those answers are written (bounded).
  net::steady_timer room_timer(io);
  std::function<void()> drop_idle_rooms = [&] {
    room_timer.expires_after(kRoomIdleSweep);
    room_timer.async_wait([&](boost::system::error_code ec) {
      if (ec || server.shutting_down()) return;
      // Freeing instances unmaps memory: not on an I/O thread.
      api_pool.try_submit([&runner] { runner.drop_idle(); });
      drop_idle_rooms();
    });
  };
  drop_idle_rooms();

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer drain_timer(io);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  bool halted = false;
  std::function<void()> wait_for_drain = [&] {
    auto now = std::chrono::steady_clock::now();
    const size_t unanswered = server.in_flight() + dashboard_server.in_flight();
    if (unanswered == 0) return io.stop();
    if (now >= *deadline) {
      if (halted) {
        spdlog::warn("shutdown: {} requests still unanswered; stopping", unanswered);
        return io.stop();
      }
      halted = true;
      gateway.begin_halt();
      size_t cancelled = guest_pool.cancel_queued() + api_pool.cancel_queued();
      int running = runtime::Watchdog::instance().halt_running_calls();
      spdlog::warn(
          "shutdown: grace period over; {} queued calls answered 503, {} running "
          "guests halted",
          cancelled, running);
      // Time to write those answers (and for guests in a host call to notice the halt).
      *deadline = now + std::chrono::seconds(5);
    } else if (halted) {
      // A call that began while we halted the others would run to its own limit.
      runtime::Watchdog::instance().halt_running_calls();
    }
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([&](boost::system::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down ({} requests in flight)", signal,
                 server.in_flight() + dashboard_server.in_flight());
    *deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(config.shutdown_grace_seconds);
    server.begin_shutdown();
    dashboard_server.begin_shutdown();
    room_timer.cancel();
    hub.close_all();  // each connection leaves its room (onLeave runs) as it closes
    wait_for_drain();
  });

  std::vector<std::thread> io_threads;
  for (unsigned i = 1; i < config.io_threads; ++i) {
    io_threads.emplace_back([&io] { run_io(io); });
  }
  run_io(io);
  for (auto& thread : io_threads) thread.join();
  // Anything still queued (a late arrival) is refused; running guests were halted.
  gateway.begin_halt();
  guest_pool.cancel_queued();
  api_pool.cancel_queued();
  runtime::Watchdog::instance().halt_running_calls();
  guest_pool.stop();
  api_pool.stop();
  // The sessions the hub still holds belong to `io`: released while it exists.
  hub.detach_all();
  spdlog::info("stopped");
  return ok_status();
}

}  // namespace wa::gateway
