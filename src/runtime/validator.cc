#include "runtime/validator.h"

#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/cast.h>
#include <wabt/error-formatter.h>
#include <wabt/feature.h>
#include <wabt/ir.h>
#include <wabt/validator.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "runtime/host_imports.h"
#include "runtime/module_limits.h"
#include "support/sha256.h"

namespace wa::runtime {

namespace {

struct Proposal {
  const char* name;
  void (wabt::Features::*enable)();
  // The proposal only lifts a validation rule (a second memory, shared memories), so a
  // module using it reads without it and fails validation instead.
  bool lifts_validation_rule = false;
};

// Proposals wasm2c 1.0.32 cannot compile (or crashes on). If a module only reads
// with one of these enabled, we name it in the rejection.
constexpr std::array<Proposal, 9> kUnsupported = {{
    {"SIMD (128-bit vectors)", &wabt::Features::enable_simd},
    {"threads (shared memory and atomics)", &wabt::Features::enable_threads, true},
    {"tail calls", &wabt::Features::enable_tail_call},
    {"memory64", &wabt::Features::enable_memory64},
    {"multiple memories", &wabt::Features::enable_multi_memory, true},
    {"exception handling", &wabt::Features::enable_exceptions},
    {"relaxed SIMD", &wabt::Features::enable_relaxed_simd},
    {"typed function references", &wabt::Features::enable_function_references},
    {"extended constant expressions", &wabt::Features::enable_extended_const},
}};

wabt::Features supported_features() {
  wabt::Features features;  // wabt defaults: mvp + the post-mvp set wasm2c handles
  features.disable_simd();  // on by default in wabt, but wasm2c aborts on it
  return features;
}

bool reads_and_validates(std::span<const uint8_t> wasm, const wabt::Features& features,
                         wabt::Module* module, wabt::Errors* errors) {
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  if (wabt::Failed(
          wabt::ReadBinaryIr("module.wasm", wasm.data(), wasm.size(), options, errors, module)))
    return false;
  wabt::ValidateOptions validate_options(features);
  return wabt::Succeeded(wabt::ValidateModule(module, errors, validate_options));
}

std::string first_error(const wabt::Errors& errors) {
  std::string text = wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary);
  if (auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text.empty() ? "the module does not validate" : text;
}

bool reads(std::span<const uint8_t> wasm, const wabt::Features& features) {
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  wabt::Module module;
  wabt::Errors errors;
  return wabt::Succeeded(
      wabt::ReadBinaryIr("module.wasm", wasm.data(), wasm.size(), options, &errors, &module));
}

// A module that fails to read with the supported features but reads with a proposal
// enabled uses that proposal: named without validating. wabt 1.0.32's validator asserts
// (aborting the process) on some malformed modules using proposals it half supports
// (call_ref with typed function references, found by fuzz_validator), so it validates
// with a proposal enabled only for the ones that merely lift a validation rule, and only
// for modules that read with the supported features.
std::optional<std::string> unsupported_proposal(std::span<const uint8_t> wasm) {
  const bool reads_as_supported = reads(wasm, supported_features());
  for (const auto& proposal : kUnsupported) {
    wabt::Features features = supported_features();
    (features.*proposal.enable)();
    if (!reads_as_supported) {
      if (reads(wasm, features)) return proposal.name;
    } else if (proposal.lifts_validation_rule) {
      wabt::Module module;
      wabt::Errors errors;
      if (reads_and_validates(wasm, features, &module, &errors)) return proposal.name;
    }
  }
  return std::nullopt;
}

std::string describe_wabt_type(const wabt::FuncSignature& sig) {
  std::vector<std::string> params, results;
  for (const wabt::Type& t : sig.param_types) params.push_back(t.GetName());
  for (const wabt::Type& t : sig.result_types) results.push_back(t.GetName());
  auto views = [](const std::vector<std::string>& names) {
    return std::vector<std::string_view>(names.begin(), names.end());
  };
  return describe_type(views(params), views(results));
}

std::optional<WasmType> to_wasm_type(wabt::Type type) {
  switch (type) {
    case wabt::Type::I32:
      return WasmType::kI32;
    case wabt::Type::I64:
      return WasmType::kI64;
    case wabt::Type::F32:
      return WasmType::kF32;
    case wabt::Type::F64:
      return WasmType::kF64;
    default:
      return std::nullopt;
  }
}

bool same_type(const wabt::FuncSignature& sig, const HostFunctionType& host) {
  auto same = [](const wabt::TypeVector& types, const std::vector<WasmType>& expected) {
    if (types.size() != expected.size()) return false;
    for (size_t i = 0; i < types.size(); ++i)
      if (to_wasm_type(types[i]) != expected[i]) return false;
    return true;
  };
  return same(sig.param_types, host.params) && same(sig.result_types, host.results);
}

Status check_imports(const wabt::Module& module) {
  for (const wabt::Import* import : module.imports) {
    std::string what = "'" + import->module_name + "." + import->field_name + "'";
    if (import->kind() != wabt::ExternalKind::Func)
      return make_error("unsupported_import",
                        "the module imports " + std::string(wabt::GetKindName(import->kind())) +
                            " " + what +
                            "; only host functions can be imported (define memories, "
                            "tables and globals inside the module)");
    const HostFunction* host = find_host_function(import->module_name, import->field_name);
    if (!host)
      return make_error("unsupported_import",
                        "the module imports function " + what +
                            ", which this platform does not provide (available: " +
                            host_import_module_names() + ")");
    // C symbols carry no types: a mismatch would link and run with garbage arguments.
    const auto* func = wabt::cast<wabt::FuncImport>(import);
    const wabt::FuncSignature& sig = func->func.decl.sig;
    if (!same_type(sig, host->type))
      return make_error("unsupported_import", "the module imports function " + what +
                                                  " with type " + describe_wabt_type(sig) +
                                                  ", but the host provides it as " +
                                                  describe_type(host->type));
  }
  return ok_status();
}

ModuleInfo describe(const wabt::Module& module, std::span<const uint8_t> wasm) {
  ModuleInfo info;
  info.sha256 = sha256_hex(wasm);
  info.size_bytes = wasm.size();
  info.has_start_function = !module.starts.empty();
  for (const wabt::Import* import : module.imports)
    info.imports.push_back(import->module_name + "." + import->field_name);
  for (const wabt::Export* exp : module.exports) {
    if (exp->kind != wabt::ExternalKind::Func) continue;
    const wabt::Func* func = module.GetFunc(exp->var);
    if (func && func->GetNumParams() == 0 && func->GetNumResults() == 0)
      info.function_exports.push_back(exp->name);
  }
  return info;
}

}  // namespace

Expected<ModuleInfo> validate_module(std::span<const uint8_t> wasm) {
  static constexpr uint8_t kMagic[4] = {0x00, 'a', 's', 'm'};
  if (wasm.size() < 8 || std::memcmp(wasm.data(), kMagic, 4) != 0)
    return make_error("not_wasm",
                      "not a WebAssembly module (a .wasm file starts with the bytes \\0asm)");
  if (wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0 || wasm[7] != 0)
    return make_error("not_wasm",
                      "unsupported WebAssembly binary version (only version 1 is supported; "
                      "components are not)");
  // Before any IR exists: the IR of a module past these limits is what crashes.
  if (auto status = check_module_limits(wasm); !status) return status.error();
  wabt::Module module;
  wabt::Errors errors;
  if (!reads_and_validates(wasm, supported_features(), &module, &errors)) {
    if (auto proposal = unsupported_proposal(wasm))
      return make_error("unsupported_feature",
                        "the module uses " + *proposal +
                            ", which this platform does not support; rebuild it without");
    return make_error("invalid_module", "invalid module: " + first_error(errors));
  }
  if (auto status = check_imports(module); !status) return status.error();
  return describe(module, wasm);
}

}  // namespace wa::runtime
