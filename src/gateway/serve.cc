#include "gateway/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <thread>

#include "gateway/gateway.h"
#include "gateway/http_server.h"
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
  out.fast_compile_timeout = std::chrono::seconds(config.compile_timeout_fast_seconds);
  out.optimized_compile_timeout = std::chrono::seconds(config.compile_timeout_optimized_seconds);
  out.auth.password_strength = config.fast_password_hashing
                                   ? platform::PasswordStrength::kMinimal
                                   : platform::PasswordStrength::kInteractive;
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
  if (config.compile_timeout_fast_seconds == 0 || config.compile_timeout_optimized_seconds == 0) {
    return make_error("config",
                      "compile-timeout-fast-seconds and "
                      "compile-timeout-optimized-seconds must be at least 1");
  }
  if (config.workers == 0 || config.io_threads == 0 || config.api_workers == 0) {
    return make_error("config", "workers, io-threads and api-workers must be at least 1");
  }
  return ok_status();
}

void write_port_file(const ServerConfig& config, const net::ip::tcp::endpoint& endpoint) {
  if (config.port_file.empty()) return;
  std::string text = endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + "\n";
  auto written = write_file_atomically(
      config.port_file, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  if (!written) spdlog::warn("cannot write the port file: {}", written.error().message);
}

}  // namespace

Status serve(const ServerConfig& config) {
  if (auto ok = check_config(config); !ok) return ok;
  auto platform = platform::Platform::open(platform_config(config));
  if (!platform) return platform.error();

  WorkerPool guest_pool("wa-guest", config.workers, config.queue);
  WorkerPool api_pool("wa-api", config.api_workers, 256);
  Gateway gateway(**platform, config, guest_pool, api_pool);

  net::io_context io(static_cast<int>(config.io_threads));
  HttpServer server(io, gateway);
  auto endpoint = server.start(config.listen);
  if (!endpoint) return endpoint.error();
  write_port_file(config, *endpoint);
  spdlog::info("listening on http://{}:{} (data {}, {} guest workers, queue {})",
               endpoint->address().to_string(), endpoint->port(), config.data_dir.string(),
               config.workers, config.queue);

  // Graceful shutdown: stop accepting, wait for requests in flight (bounded), then stop.
  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer drain_timer(io);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> wait_for_drain = [&] {
    if (server.in_flight() == 0 || std::chrono::steady_clock::now() >= *deadline) {
      if (server.in_flight() != 0) {
        spdlog::warn("shutdown: {} requests still running after the grace period",
                     server.in_flight());
      }
      io.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([&](boost::system::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down ({} requests in flight)", signal, server.in_flight());
    *deadline = std::chrono::steady_clock::now() +
                std::chrono::seconds(config.shutdown_grace_seconds);
    server.begin_shutdown();
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
