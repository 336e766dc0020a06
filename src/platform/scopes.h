// Scopes: what a credential may do. A session carries all of its owner's scopes; an API
// token names its own (never more than its owner has); a stream ticket only opens one stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/expected.h"

namespace wa::platform {

using Scopes = uint32_t;

namespace scope {
inline constexpr Scopes kRead = 1u << 0;    // list, show, logs, stats
inline constexpr Scopes kDeploy = 1u << 1;  // create, update, delete, rollback, settings, volumes
inline constexpr Scopes kKv = 1u << 2;      // store browse/edit
inline constexpr Scopes kEvents = 1u << 3;  // the event API
inline constexpr Scopes kAdmin = 1u << 4;   // registration, invites, users, full /metrics
inline constexpr Scopes kAll = kRead | kDeploy | kKv | kEvents | kAdmin;
// What an API token gets when its creator names none: what every token could do before
// scopes existed, so stored tokens and the CLI keep working.
inline constexpr Scopes kTokenDefault = kRead | kDeploy;
}  // namespace scope

// "read", "deploy", "kv", "events", "admin" (in that order), space-separated.
std::string scopes_to_text(Scopes scopes);
std::vector<std::string> scopes_to_list(Scopes scopes);
// Space- or comma-separated names; unknown names are invalid_argument naming them.
Expected<Scopes> parse_scopes(std::string_view text);
Expected<Scopes> parse_scopes(const std::vector<std::string>& names);

}  // namespace wa::platform
