#include "wasi/host_hooks.h"

#include <cstdio>
#include <cstdlib>

namespace wa::wasi {
namespace {

// Defaults for code that runs WASI functions without the engine (unit tests, tools):
// nothing to bracket, never interrupted, and exits that cannot be unwound abort loudly.
void default_enter() {}
void default_leave() {}
bool default_interrupted() { return false; }

__attribute__((noreturn)) void default_exit(uint32_t code) {
  std::fprintf(stderr, "wasi: proc_exit(%u) called without an engine hook installed\n", code);
  std::abort();
}

__attribute__((noreturn)) void default_output_limit() {
  std::fprintf(stderr, "wasi: output limit exceeded without an engine hook installed\n");
  std::abort();
}

__attribute__((noreturn)) void default_host_error(const char* message) {
  std::fprintf(stderr, "wasi: host function failed without an engine hook installed: %s\n",
               message);
  std::abort();
}

HostHooks with_defaults(HostHooks hooks) {
  if (hooks.enter == nullptr) hooks.enter = default_enter;
  if (hooks.leave == nullptr) hooks.leave = default_leave;
  if (hooks.interrupted == nullptr) hooks.interrupted = default_interrupted;
  if (hooks.exit == nullptr) hooks.exit = default_exit;
  if (hooks.output_limit == nullptr) hooks.output_limit = default_output_limit;
  if (hooks.host_error == nullptr) hooks.host_error = default_host_error;
  return hooks;
}

HostHooks g_hooks = with_defaults({});

}  // namespace

void install_host_hooks(const HostHooks& hooks) { g_hooks = with_defaults(hooks); }

const HostHooks& host_hooks() { return g_hooks; }

}  // namespace wa::wasi
