// LiveInstance: a guest instance that outlives one call (persistent room instances).
//
//   auto live = engine.instantiate(module, options);  // instantiates, runs `_initialize`
//   CallResult r = live->call("onMessage", 100ms);    // memory kept between calls
//
// Each call runs under its own deadline and registers the instance's memories with the
// fault handler like a fresh call. After a trap, a timeout or an exit, usable() is false:
// the instance's state is whatever the guest left mid-way (its shadow stack pointer, a
// half-made update), so the owner discards it and the next call gets a fresh one.
// Not thread-safe: one call at a time (any thread), and not from inside another call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/artifact.h"
#include "runtime/call.h"
#include "runtime/guest_call.h"
#include "runtime/module.h"
#include "wasi/context.h"

namespace wa::runtime {

class LiveInstance {
 public:
  // Instantiates the module's current tier with `options` (WASI config, memory cap,
  // imports) and runs options.initializer if exported, then options.entry unless it is
  // empty, under options.timeout. `result` says how that went; nullptr when it did not
  // leave a usable instance. The states bound in options.imports must outlive the
  // instance (it keeps pointers to them), and may be changed between calls.
  static std::unique_ptr<LiveInstance> create(Module& module, const CallOptions& options,
                                              CallResult& result);
  ~LiveInstance();
  LiveInstance(const LiveInstance&) = delete;
  LiveInstance& operator=(const LiveInstance&) = delete;

  // Runs the export `entry` (() -> ()) under `timeout`; stdout and stderr are this call's.
  CallResult call(std::string_view entry, std::chrono::milliseconds timeout);

  bool usable() const { return usable_; }
  bool has_export(std::string_view name) const { return artifact_->entry(name) != nullptr; }
  // Memory 0's current size.
  uint64_t memory_bytes() const;
  uint64_t calls() const { return calls_; }
  wasi::Context& context() { return *context_; }

 private:
  LiveInstance() = default;
  CallResult run(const CallOptions& options);

  std::shared_ptr<Artifact> artifact_;  // the tier it was made on, kept loaded
  std::unique_ptr<wasi::Context> context_;
  void* buffer_ = nullptr;
  LiveInstanceState state_;
  uint64_t memory_limit_bytes_ = 0;
  uint64_t calls_ = 0;
  bool usable_ = false;
};

}  // namespace wa::runtime
