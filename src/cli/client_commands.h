// The client commands of `wasm-actions` (register, login, deploy, list, show, delete,
// logs, invoke, rollback): they talk to a server's REST API.
#pragma once

#include <CLI/CLI.hpp>

namespace wa::cli {

// Server from --server or WASM_ACTIONS_SERVER (default http://127.0.0.1:8080); token from
// --token, WASM_ACTIONS_TOKEN, or the file `login` writes
// ($XDG_CONFIG_HOME or ~/.config)/wasm-actions/token (mode 0600).
void add_client_commands(CLI::App& app);

}  // namespace wa::cli
