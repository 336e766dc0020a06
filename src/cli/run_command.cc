#include "cli/run_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include "capabilities/experimental_http_module.h"
#include "capabilities/wasm_actions_module.h"
#include "platform/kv/sqlite_kv_backend.h"
#include "runtime/engine.h"
#include "support/files.h"

namespace wa::cli {

namespace {

struct RunOptions {
  std::vector<std::string> env;
  std::vector<std::string> dirs;
  std::vector<std::string> volumes;  // HOST:GUEST[:ro|:rw]
  std::vector<std::string> kv;       // STORE[:ro|:rw]
  std::string kv_db = "wasm-actions-kv.db";
  std::vector<std::string> allowed_hosts;  // allowed_outbound_hosts patterns
  std::string timeout = "5s";
  std::string memory = "128MiB";
  std::string invoke = "_start";
  std::string tier = "optimized";
  std::string cache_dir;
  std::string file;
  std::vector<std::string> args;  // after FILE, passed to the guest
};

// "5s", "250ms", "2m", or a bare number of seconds.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"((\d+(?:\.\d+)?)\s*(ms|s|m)?)"))) return {};
  double value = std::stod(m[1]);
  std::string unit = m[2].matched ? m[2].str() : "s";
  double ms = unit == "ms" ? value : unit == "s" ? value * 1000 : value * 60000;
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

// "128MiB", "64M", "1GiB", "65536" (bytes).
std::optional<uint64_t> parse_size(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"((\d+)\s*(B|KiB|K|MiB|M|GiB|G)?)"))) return {};
  uint64_t value = std::stoull(m[1]);
  std::string unit = m[2].matched ? m[2].str() : "B";
  int shift = unit[0] == 'K' ? 10 : unit[0] == 'M' ? 20 : unit[0] == 'G' ? 30 : 0;
  return value << shift;
}

[[noreturn]] void fail(const std::string& message, int code = 2) {
  std::cerr << "wasm-actions run: " << message << "\n";
  std::exit(code);
}

runtime::CallOptions call_options(const RunOptions& opts) {
  runtime::CallOptions call;
  call.entry = opts.invoke;
  auto timeout = parse_duration(opts.timeout);
  if (!timeout) fail("--timeout: expected a duration like 5s or 250ms, got '" + opts.timeout + "'");
  call.timeout = *timeout;
  auto memory = parse_size(opts.memory);
  if (!memory) fail("--memory: expected a size like 128MiB, got '" + opts.memory + "'");
  call.memory_limit_bytes = *memory;

  auto& wasi = call.wasi;
  wasi.args.push_back(std::filesystem::path(opts.file).filename().string());
  wasi.args.insert(wasi.args.end(), opts.args.begin(), opts.args.end());
  for (const auto& kv : opts.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) fail("--env: expected K=V, got '" + kv + "'");
    wasi.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const auto& dir : opts.dirs) {
    auto sep = dir.find("::");
    wasi::Preopen preopen;
    preopen.host_path = dir.substr(0, sep);
    preopen.guest_path = sep == std::string::npos ? dir : dir.substr(sep + 2);
    wasi.preopens.push_back(preopen);
  }
  for (const auto& volume : opts.volumes) {
    // HOST:GUEST, optionally :ro or :rw (the default) at the end.
    std::string spec = volume;
    bool read_only = false;
    if (spec.ends_with(":ro") || spec.ends_with(":rw")) {
      read_only = spec.ends_with(":ro");
      spec.resize(spec.size() - 3);
    }
    auto sep = spec.rfind(':');
    if (sep == std::string::npos || sep == 0 || sep + 1 == spec.size() || spec[sep + 1] != '/')
      fail("--volume: expected HOST_DIR:/GUEST_PATH[:ro|:rw], got '" + volume + "'");
    wasi::Preopen preopen;
    preopen.host_path = spec.substr(0, sep);
    preopen.guest_path = spec.substr(sep + 1);
    preopen.read_only = read_only;
    wasi.preopens.push_back(preopen);
  }
  // The guest's stdio is ours: streamed, not buffered.
  wasi.stdin_host_fd = STDIN_FILENO;
  wasi.stdout_config.host_fd = STDOUT_FILENO;
  wasi.stderr_config.host_fd = STDERR_FILENO;
  return call;
}

int run(const RunOptions& opts) {
  auto bytes = read_file_bytes(opts.file);
  if (!bytes) fail(bytes.error().message);

  runtime::EngineConfig config;
  if (!opts.cache_dir.empty()) config.cache_dir = opts.cache_dir;
  config.tiers = opts.tier == "fast" ? runtime::EngineConfig::Tiers::kFastOnly
                                     : runtime::EngineConfig::Tiers::kOptimizedOnly;
  runtime::CallOptions call = call_options(opts);

  // Key-value stores from a local SQLite file, as one local developer's stores.
  capabilities::register_wasm_actions_module();
  capabilities::register_experimental_http_module();
  std::vector<capabilities::KvGrant> kv_grants;
  for (const auto& spec : opts.kv) {
    capabilities::KvGrant grant{spec, capabilities::Access::kReadWrite};
    if (spec.ends_with(":ro") || spec.ends_with(":rw")) {
      grant.access = spec.ends_with(":ro") ? capabilities::Access::kReadOnly
                                           : capabilities::Access::kReadWrite;
      grant.store = spec.substr(0, spec.size() - 3);
    }
    kv_grants.push_back(grant);
  }
  std::unique_ptr<platform::SqliteKvBackend> kv;
  capabilities::WasmActionsState actions_state;
  if (!kv_grants.empty()) {
    auto opened = platform::SqliteKvBackend::open({.file = opts.kv_db});
    if (!opened) fail("--kv-db " + opts.kv_db + ": " + opened.error().message);
    kv = std::move(opened.value());
    constexpr int64_t kLocalOwner = 1;
    for (const auto& grant : kv_grants) {
      // Stores named in --kv exist locally: create them on first use.
      if (!kv->find_store(kLocalOwner, grant.store)) {
        auto created = kv->create_store(kLocalOwner, grant.store);
        if (!created) fail("--kv " + grant.store + ": " + created.error().message);
      }
    }
    actions_state.kv = kv.get();
    actions_state.owner_id = kLocalOwner;
    actions_state.kv_grants = &kv_grants;
    call.imports.bind(actions_state);
  }
  // Outbound HTTP to the hosts given (no chaining: there are no other actions here).
  capabilities::ExperimentalHttpState http_state;
  std::unique_ptr<capabilities::OutboundClient> outbound;
  if (!opts.allowed_hosts.empty()) {
    for (const auto& pattern : opts.allowed_hosts) {
      if (auto valid = capabilities::validate_host_pattern(pattern); !valid)
        fail("--allow-host " + pattern + ": " + valid.error().message);
    }
    outbound = std::make_unique<capabilities::OutboundClient>();
    http_state.allowed_hosts = &opts.allowed_hosts;
    http_state.client = outbound.get();
    http_state.log_refusal = [](const std::string& why) {
      std::cerr << "wasm-actions run: " << why << "\n";
    };
    call.imports.bind(http_state);
  }
  runtime::Engine engine(config);
  auto module = engine.load(*bytes);
  if (!module) fail(opts.file + ": " + module.error().message);
  if (!module.value()->wait_until_runnable()) fail(opts.file + ": " + module.value()->error(), 1);

  runtime::CallResult result = engine.call(*module.value(), call);
  if (result.trapped()) {
    std::cerr << "wasm-actions run: trap (" << runtime::trap_kind_name(result.trap)
              << "): " << result.message << "\n";
    return 128 + 6;  // like a process killed by SIGABRT, as wasmtime reports traps
  }
  return result.exit_code;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a WebAssembly command module (WASI preview1)");
  // One value per occurrence: a vector option would otherwise swallow FILE and the
  // guest's arguments that follow it.
  cmd->add_option("--env", opts->env, "Environment variable K=V for the guest (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--dir", opts->dirs,
                  "Preopen a host directory, HOST[::GUEST] (repeatable; GUEST defaults to HOST)")
      ->allow_extra_args(false);
  cmd->add_option("--volume", opts->volumes,
                  "Map a host directory, HOST_DIR:/GUEST_PATH[:ro|:rw] (repeatable; default rw)")
      ->allow_extra_args(false);
  cmd->add_option("--kv", opts->kv,
                  "Grant a key-value store, STORE[:ro|:rw] (repeatable; default rw; created "
                  "in --kv-db if missing)")
      ->allow_extra_args(false);
  cmd->add_option("--allow-host", opts->allowed_hosts,
                  "Allow outbound HTTP (wasi_experimental_http) to scheme://host[:port], "
                  "* wildcards as in allowed_outbound_hosts (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--kv-db", opts->kv_db, "The SQLite file holding the stores for --kv")
      ->capture_default_str();
  cmd->add_option("--timeout", opts->timeout, "Time limit (e.g. 5s, 250ms)")->capture_default_str();
  cmd->add_option("--memory", opts->memory, "Linear memory cap (e.g. 128MiB)")
      ->capture_default_str();
  cmd->add_option("--invoke", opts->invoke, "Exported function to call")->capture_default_str();
  cmd->add_option("--tier", opts->tier, "Compiler tier: fast (clang -O0) or optimized (gcc -O2)")
      ->check(CLI::IsMember({"fast", "optimized"}))
      ->capture_default_str();
  cmd->add_option("--cache-dir", opts->cache_dir,
                  "Compiled artifact cache (default $XDG_CACHE_HOME/wasm-actions/artifacts)");
  cmd->add_option("file", opts->file, "Module (.wasm)")->required();
  // Everything after FILE belongs to the guest, flags included.
  cmd->prefix_command();
  cmd->footer("Arguments after FILE are passed to the guest.");
  cmd->callback([opts, cmd] {
    opts->args = cmd->remaining();
    std::exit(run(*opts));
  });
}

}  // namespace wa::cli
