#include "runtime/module_limits.h"

#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/feature.h>

#include <optional>
#include <string>

namespace wa::runtime {

namespace {

using wabt::Index;
using wabt::Result;

// Counts as the reader streams by; stops the read at the first limit exceeded.
class LimitChecker : public wabt::BinaryReaderNop {
 public:
  explicit LimitChecker(const ModuleLimits& limits) : limits_(limits) {}

  const std::optional<std::string>& violation() const { return violation_; }

  // Parse errors are the full validation's to report (the reader prints unhandled ones).
  bool OnError(const wabt::Error&) override { return true; }

  Result OnTypeCount(Index count) override { return check(count, limits_.max_types, "types"); }

  Result OnFuncType(Index index, Index param_count, wabt::Type*, Index result_count,
                    wabt::Type*) override {
    if (param_count > limits_.max_params)
      return exceeded("parameters in type " + std::to_string(index), limits_.max_params);
    if (result_count > limits_.max_results)
      return exceeded("results in type " + std::to_string(index), limits_.max_results);
    return Result::Ok;
  }

  Result OnImportCount(Index count) override {
    return check(count, limits_.max_imports, "imports");
  }
  Result OnImportFunc(Index, std::string_view, std::string_view, Index, Index) override {
    return check(++functions_, limits_.max_functions, "functions");
  }
  Result OnImportTable(Index, std::string_view, std::string_view, Index, wabt::Type,
                       const wabt::Limits* limits) override {
    return add_table(limits);
  }
  Result OnImportMemory(Index, std::string_view, std::string_view, Index,
                        const wabt::Limits*) override {
    return check(++memories_, limits_.max_memories, "memories");
  }
  Result OnImportGlobal(Index, std::string_view, std::string_view, Index, wabt::Type,
                        bool) override {
    return check(++globals_, limits_.max_globals, "globals");
  }

  Result OnFunctionCount(Index count) override {
    return check(functions_ + uint64_t{count}, limits_.max_functions, "functions");
  }
  Result OnTable(Index, wabt::Type, const wabt::Limits* limits) override {
    return add_table(limits);
  }
  Result OnMemoryCount(Index count) override {
    return check(memories_ + uint64_t{count}, limits_.max_memories, "memories");
  }
  Result OnGlobalCount(Index count) override {
    return check(globals_ + uint64_t{count}, limits_.max_globals, "globals");
  }
  Result OnExportCount(Index count) override {
    return check(count, limits_.max_exports, "exports");
  }
  Result OnElemSegmentCount(Index count) override {
    return check(count, limits_.max_element_segments, "element segments");
  }
  Result OnDataSegmentCount(Index count) override {
    return check(count, limits_.max_data_segments, "data segments");
  }

  Result BeginFunctionBody(Index index, wabt::Offset size) override {
    function_ = index;
    depth_ = 0;
    locals_ = 0;
    if (size > limits_.max_function_body_bytes)
      return exceeded("bytes in the body of function " + std::to_string(index),
                      limits_.max_function_body_bytes);
    return Result::Ok;
  }
  Result OnLocalDecl(Index, Index count, wabt::Type) override {
    locals_ += count;
    return check(locals_, limits_.max_locals_per_function, "locals", kInFunction);
  }

  Result OnOpcode(wabt::Opcode) override {
    return check(++instructions_, limits_.max_instructions, "instructions");
  }
  Result OnBlockExpr(wabt::Type) override { return open_block(); }
  Result OnLoopExpr(wabt::Type) override { return open_block(); }
  Result OnIfExpr(wabt::Type) override { return open_block(); }
  Result OnTryExpr(wabt::Type) override { return open_block(); }
  Result OnEndExpr() override {
    if (depth_ > 0) --depth_;  // the function's own `end` closes nothing we counted
    return Result::Ok;
  }
  Result OnDelegateExpr(Index) override { return OnEndExpr(); }  // ends its `try`
  Result OnBrTableExpr(Index num_targets, Index*, Index) override {
    return check(num_targets, limits_.max_br_table_targets, "br_table targets", kInFunction);
  }

 private:
  Result open_block() {
    return check(++depth_, limits_.max_nesting_depth, "nested blocks", kInFunction);
  }

  Result add_table(const wabt::Limits* limits) {
    if (Result r = check(++tables_, limits_.max_tables, "tables"); wabt::Failed(r)) return r;
    table_elements_ += limits ? limits->initial : 0;
    return check(table_elements_, limits_.max_table_elements, "initial table elements");
  }

  // Runs per instruction: builds the message only when it fails.
  static constexpr bool kInFunction = true;
  Result check(uint64_t value, uint64_t limit, const char* what, bool in_function = false) {
    if (value <= limit) return Result::Ok;
    return exceeded(in_function ? std::string(what) + " in function " + std::to_string(function_)
                                : std::string(what),
                    limit);
  }

  // Every check fails as soon as value > limit, so "more than" is always exact.
  Result exceeded(const std::string& what, uint64_t limit) {
    if (!violation_)
      violation_ = "the module exceeds a limit: more than " + std::to_string(limit) + " " + what;
    return Result::Error;
  }

  const ModuleLimits& limits_;
  std::optional<std::string> violation_;
  uint64_t functions_ = 0, memories_ = 0, globals_ = 0, tables_ = 0, table_elements_ = 0;
  uint64_t instructions_ = 0, locals_ = 0;
  uint32_t depth_ = 0;
  Index function_ = 0;
};

}  // namespace

Status check_module_limits(std::span<const uint8_t> wasm, const ModuleLimits& limits) {
  wabt::Features features;
  features.EnableAll();  // read as far as any validation attempt could
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  LimitChecker checker(limits);
  (void)wabt::ReadBinary(wasm.data(), wasm.size(), &checker, options);
  if (checker.violation()) return make_error("invalid_module", *checker.violation());
  return ok_status();
}

}  // namespace wa::runtime
