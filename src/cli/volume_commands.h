// `wasm-actions volume ...`: a developer's volumes and their files over the REST API
// (list, create, delete, ls, put, get, rm).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/client_connection.h"

namespace wa::cli {

void add_volume_commands(CLI::App& app, std::shared_ptr<Connection> conn);

}  // namespace wa::cli
