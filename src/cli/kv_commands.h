// `wasm-actions kv ...`: browse and edit the caller's key-value stores over the REST API
// (stores, create, drop, list, get, set, delete). Registered by add_client_commands, which
// owns the --server/--token handling and passes its API caller in.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "gateway/http_client.h"
#include "support/expected.h"

namespace wa::cli {

// Sends one request to /api/v1<target> with the caller's credentials.
using ApiCaller = std::function<Expected<gateway::ClientResponse>(
    std::string method, std::string target, std::string body, std::string content_type)>;

// Adds `kv` and its subcommands to `app`; returns the `kv` command (options added to it
// also apply after its subcommands).
CLI::App* add_kv_commands(CLI::App& app, ApiCaller api);

}  // namespace wa::cli
