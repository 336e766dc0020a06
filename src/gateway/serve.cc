#include "gateway/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <thread>

#include "gateway/dashboard_handler.h"
#include "gateway/gateway.h"
#include "gateway/http_server.h"
#include "gateway/origins.h"
#include "gateway/worker_pool.h"
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
  return out;
}

namespace {

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
  if (config.workers == 0 || config.io_threads == 0 || config.api_workers == 0) {
    return make_error("config", "workers, io-threads and api-workers must be at least 1");
  }
  for (const auto& [url, name] : {std::pair{config.dashboard_url, "dashboard-url"},
                                  std::pair{config.actions_url, "actions-url"}}) {
    if (url.empty()) continue;
    if (auto origin = origin_of_url(url, name); !origin) return origin.error();
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

}  // namespace

Status serve(const ServerConfig& given) {
  if (auto ok = check_config(given); !ok) return ok;
  // A copy that also holds the bound ports, filled in before any request is handled.
  ServerConfig config = given;
  auto platform = platform::Platform::open(platform_config(config));
  if (!platform) return platform.error();

  WorkerPool guest_pool("wa-guest", config.workers, config.queue);
  WorkerPool api_pool("wa-api", config.api_workers, 256);
  Gateway gateway(**platform, config, guest_pool, api_pool);

  DashboardHandler dashboard(config, gateway);
  const bool own_listener = config.dashboard_listen != "none";
  ActionsOriginHandler actions(**platform, config, gateway,
                               config.dashboard_url.empty() ? nullptr : &dashboard);

  net::io_context io(static_cast<int>(config.io_threads));
  HttpServer server(io, actions);
  HttpServer dashboard_server(io, dashboard);
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

  // Graceful shutdown: stop accepting, wait for requests in flight (bounded), then stop.
  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer drain_timer(io);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> wait_for_drain = [&] {
    const size_t running = server.in_flight() + dashboard_server.in_flight();
    if (running == 0 || std::chrono::steady_clock::now() >= *deadline) {
      if (running != 0) {
        spdlog::warn("shutdown: {} requests still running after the grace period", running);
      }
      io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([&](boost::system::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down ({} requests in flight)", signal,
                 server.in_flight() + dashboard_server.in_flight());
    *deadline = std::chrono::steady_clock::now() +
                std::chrono::seconds(config.shutdown_grace_seconds);
    server.begin_shutdown();
    dashboard_server.begin_shutdown();
    wait_for_drain();
  });

  std::vector<std::thread> io_threads;
  for (unsigned i = 1; i < config.io_threads; ++i) io_threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : io_threads) thread.join();
  // Guests still running past the grace period finish (each is bounded by its timeout).
  guest_pool.stop();
  api_pool.stop();
  spdlog::info("stopped");
  return ok_status();
}

}  // namespace wa::gateway
