// CapabilityGrants: what an action may use beyond WASI, `settings.capabilities` in the
// contract's JSON (host-abi.md):
//   {"key_value_stores": [{"store": "default", "access": "read-write"}],
//    "volumes": [{"volume": "site", "path": "/site", "access": "read-only"}],
//    "allowed_outbound_hosts": ["https://api.example.com"], "actions": ["render"],
//    "rooms": true}
// Everything absent means not granted.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/expected.h"

namespace wa::capabilities {

enum class Access { kReadOnly, kReadWrite };
std::string_view access_name(Access access);  // "read-only" | "read-write"

struct KvGrant {
  std::string store;
  Access access = Access::kReadOnly;
  bool operator==(const KvGrant&) const = default;
};

struct VolumeGrant {
  std::string volume;
  std::string path;  // where the guest sees it: absolute, normalised, not "/"-escaping
  Access access = Access::kReadOnly;
  bool operator==(const VolumeGrant&) const = default;
};

struct CapabilityGrants {
  std::vector<KvGrant> key_value_stores;
  std::vector<VolumeGrant> volumes;
  std::vector<std::string> allowed_outbound_hosts;  // Spin's grammar
  std::vector<std::string> actions;                 // callee action names, or "*"
  bool rooms = false;

  bool operator==(const CapabilityGrants&) const = default;
  const KvGrant* find_store(std::string_view store) const;
};

// The contract's JSON (keys with nothing granted are omitted).
nlohmann::json grants_to_json(const CapabilityGrants& grants);

// Parses and checks the form of every entry (not whether stores or volumes exist: the
// platform checks that). invalid_argument with a message naming the entry: unknown key,
// wrong type, bad store/volume/action name, bad access value, a store or guest path
// granted twice, a guest path that is not absolute or not normalised ("..", "//"), a
// bad host pattern.
Expected<CapabilityGrants> grants_from_json(const nlohmann::json& json);

// Checks one `allowed_outbound_hosts` entry: `scheme://host[:port]` with scheme http,
// https or `*`, host a name, `*`, `*.suffix` or an IP literal (IPv6 in brackets), port a
// number, `*` or absent. Returns a message on error.
Status validate_host_pattern(std::string_view pattern);

// Store, volume and action names: like action names, 1-64 of [A-Za-z0-9_.-], starting
// with a letter or digit.
bool is_resource_name(std::string_view name);

}  // namespace wa::capabilities
