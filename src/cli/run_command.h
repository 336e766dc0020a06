// `wasm-actions run`: runs a command module like `wasmtime run`.
#pragma once

#include <CLI/CLI.hpp>

namespace wa::cli {

void add_run_command(CLI::App& app);

}  // namespace wa::cli
