// `wasm-actions serve`: starts the platform's HTTP server.
#pragma once

#include <CLI/CLI.hpp>

namespace wa::cli {

// Settings come from --config FILE (TOML), then WASM_ACTIONS_* environment variables,
// then flags; each later source wins. Every default is shown by `serve --help`.
void add_serve_command(CLI::App& app);

}  // namespace wa::cli
