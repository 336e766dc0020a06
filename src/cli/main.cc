// wasm-actions: one binary for running modules, serving actions and managing them.
#include <CLI/CLI.hpp>

#include "cli/client_commands.h"
#include "cli/run_command.h"
#include "cli/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"WASM Actions: WebAssembly serverless platform"};
  app.require_subcommand(1);
  wa::cli::add_run_command(app);
  wa::cli::add_serve_command(app);
  wa::cli::add_client_commands(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
