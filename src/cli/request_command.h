// `wasm-actions request ID`: one request's log lines and those of the calls it chained to
// other actions (GET /api/v1/requests/ID), as a tree indented by call depth.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_connection.h"

namespace wa::cli {

void add_request_command(CLI::App& app, std::shared_ptr<Connection> conn);

// The text the command prints for an answer of GET /requests/ID: each call's id and
// action, then its lines (UTC time, level, outcome, message), its chained calls below it
// indented two more spaces, in call order (ID.2 before ID.10).
std::string format_request_tree(const nlohmann::json& answer);

}  // namespace wa::cli
