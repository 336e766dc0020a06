#include "capabilities/catalog.h"

namespace wa::capabilities {

const std::vector<CapabilityInfo>& capability_catalog() {
  static const std::vector<CapabilityInfo> catalog = {
      {"key_value_stores", "wasm_actions", true,
       "Your named key-value stores (kv_open, kv_get, kv_set, kv_delete, kv_exists, kv_keys, "
       "kv_increment, kv_compare_and_swap), each granted read-only or read-write. A returned "
       "kv_set is committed."},
      {"volumes", "wasi_snapshot_preview1", true,
       "Your named volumes mapped into the guest's file system at a path (WASI preopens), "
       "read-only or read-write; no escape through '..', absolute paths or symlinks."},
      {"allowed_outbound_hosts", "wasi_experimental_http", true,
       "Outbound HTTP and HTTPS (req, header_get, headers_get_all, body_read, close) to the "
       "listed hosts (scheme://host[:port], * wildcards). Loopback, private and link-local "
       "addresses only when an entry names the address itself; redirects only to listed "
       "hosts; the request counts against the action's time limit."},
      {"actions", "wasi_experimental_http", true,
       "Calls to your other actions through http://<action>.actions.internal/<path>: in "
       "process, under the caller's remaining time, at most 8 deep, no cycles."},
      {"rooms", "wasm_actions", true,
       "Real-time rooms over WebSockets at /rooms/<owner>/<action>/<room>: the module's "
       "onJoin / onMessage / onLeave run per event (room_broadcast, room_send, "
       "room_connections, room_select, event_get, event_payload); stdout replies to the "
       "event's connection, a failing onJoin refuses it. Also room_select from HTTP "
       "requests."},
  };
  return catalog;
}

}  // namespace wa::capabilities
