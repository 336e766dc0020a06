#include "runtime/compiler.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/files.h"
#include "support/sha256.h"
#include "support/subprocess.h"

namespace wa::runtime {

namespace fs = std::filesystem;

namespace {

// The wasm2c module prefix: symbols are Z_guest_*, hidden in the shared object.
constexpr const char* kModuleName = "guest";

// Flags shared by both tiers. The bounds-check mode must match our wasm-rt build.
const std::vector<std::string> kCommonFlags = {
    "-shared", "-fPIC", "-fvisibility=hidden", "-w", "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1",
    "-fno-stack-protector"};

// Identifies an installed tool by its resolved file, size and modification time: an
// upgrade changes one of them, and reading them costs no subprocess (a `--version`
// per tool would add ~20 ms to every `wasm-actions run`).
std::string tool_identity(const std::string& name) {
  const char* path_env = std::getenv("PATH");
  std::string paths = path_env ? path_env : "/usr/bin:/bin";
  for (size_t start = 0; start <= paths.size();) {
    size_t end = paths.find(':', start);
    if (end == std::string::npos) end = paths.size();
    fs::path candidate = fs::path(paths.substr(start, end - start)) / name;
    std::error_code ec;
    fs::path real = fs::canonical(candidate, ec);
    if (!ec && fs::is_regular_file(real, ec)) {
      auto size = fs::file_size(real, ec);
      auto mtime = fs::last_write_time(real, ec).time_since_epoch().count();
      return real.string() + ":" + std::to_string(size) + ":" + std::to_string(mtime);
    }
    start = end + 1;
  }
  return name + ":missing";
}

std::string c_string_literal(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::vector<std::string> tier_compiler_command(Tier tier) {
  // Measured (engine notes): clang -O0 builds fastest; gcc -O2 runs fastest.
  std::vector<std::string> cmd = tier == Tier::kFast ? std::vector<std::string>{"clang", "-O0"}
                                                     : std::vector<std::string>{"gcc", "-O2"};
  cmd.insert(cmd.end(), kCommonFlags.begin(), kCommonFlags.end());
  return cmd;
}

std::string_view tier_name(Tier tier) { return tier == Tier::kFast ? "fast" : "optimized"; }

Compiler::Compiler(CompilerSettings settings) : settings_(std::move(settings)) {
  toolchain_identity_ =
      tool_identity("wasm2c") + "|" + tool_identity("clang") + "|" + tool_identity("gcc");
}

fs::path Compiler::artifact_path(const std::string& module_sha256, Tier tier) const {
  std::string key_material = module_sha256 + "|" + toolchain_identity_ + "|abi" +
                             std::to_string(kRuntimeAbiVersion);
  for (const auto& arg : tier_compiler_command(tier)) key_material += "|" + arg;
  std::string key = sha256_hex(std::string_view(key_material)).substr(0, 32);
  return settings_.cache_dir / module_sha256.substr(0, 2) /
         (module_sha256 + "." + std::string(tier_name(tier)) + "." + key + ".so");
}

Status Compiler::run_tool(const std::vector<std::string>& argv, const fs::path& dir,
                          const char* what, int nice) const {
  SubprocessLimits limits;
  limits.cpu_time = settings_.cpu_limit;
  limits.address_space_bytes = settings_.memory_limit_bytes;
  limits.nice = nice;
  auto result = run_subprocess(argv, dir, limits);
  if (!result) return result.error();
  if (result->term_signal != 0)
    return make_error("compile_failed", std::string(what) + " was killed by signal " +
                                            std::to_string(result->term_signal) +
                                            " (CPU or memory limit?): " + result->output);
  if (result->exit_code != 0)
    return make_error("compile_failed", std::string(what) + " failed: " + result->output);
  return ok_status();
}

Expected<fs::path> Compiler::build(std::span<const uint8_t> wasm, const std::string& sha256,
                                   Tier tier) const {
  fs::path target = artifact_path(sha256, tier);
  if (fs::exists(target)) return target;

  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  fs::path work = settings_.cache_dir / "tmp" /
                  (sha256.substr(0, 16) + "." + std::string(tier_name(tier)) + "." +
                   std::to_string(getpid()) + "." + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  if (ec) return make_error("io", "cannot create " + work.string() + ": " + ec.message());
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { std::error_code e; fs::remove_all(dir, e); }
  } cleanup{work};

  if (auto s = write_file_atomically(work / "module.wasm", wasm); !s) return s.error();
  const int nice = tier == Tier::kOptimized ? 10 : 0;  // background builds yield
  if (auto s = run_tool({"wasm2c", "module.wasm", "-n", kModuleName, "-o", "guest.c"}, work,
                        "wasm2c", nice);
      !s)
    return s.error();

  auto header = read_file_bytes(work / "guest.h");
  if (!header) return header.error();
  auto shim = generate_shim(std::string(header->begin(), header->end()), "guest.h");
  if (!shim) return shim.error();
  std::ofstream(work / "shim.c") << *shim;

  auto cc = tier_compiler_command(tier);
  cc.insert(cc.end(), {"guest.c", "shim.c", "-o", "artifact.so"});
  if (auto s = run_tool(cc, work, "the C compiler", nice); !s) return s.error();
  if (auto s = publish_file_atomically(work / "artifact.so", target); !s) return s.error();
  return target;
}

Expected<std::string> generate_shim(const std::string& header, const std::string& header_name) {
  const std::string mod = kModuleName;
  // The instantiate declaration tells how many import instances it takes.
  std::regex instantiate_re("void Z_" + mod + "_instantiate\\(Z_" + mod +
                            "_instance_t\\*((?:, struct Z_\\w+_instance_t\\*)*)\\);");
  std::smatch m;
  if (!std::regex_search(header, m, instantiate_re))
    return make_error("compile_failed", "unexpected wasm2c header: no instantiate function");
  size_t import_instances = 0;
  for (char c : m[1].str()) import_instances += c == ',';

  std::ostringstream out;
  out << "/* Generated by wasm-actions: a fixed interface over wasm2c's names. */\n"
      << "#include \"" << header_name << "\"\n"
      << "#define WA_EXPORT __attribute__((visibility(\"default\")))\n"
      << "typedef void (*wa_entry_fn)(void*);\n"
      << "typedef struct { const char* name; wa_entry_fn fn; } wa_export_t;\n";
  // Entry points: exports of type [] -> [], declared after an "export:" comment.
  std::regex export_re("/\\* export: '((?:[^'\\\\]|\\\\.)*)' \\*/\\nvoid (Z_" + mod +
                       "Z_\\w+)\\(Z_" + mod + "_instance_t\\*\\);");
  out << "WA_EXPORT const wa_export_t wa_exports[] = {\n";
  for (auto it = std::sregex_iterator(header.begin(), header.end(), export_re);
       it != std::sregex_iterator(); ++it) {
    out << "  {" << c_string_literal((*it)[1].str()) << ", (wa_entry_fn)" << (*it)[2].str()
        << "},\n";
  }
  out << "  {0, 0}};\n"
      << "WA_EXPORT const unsigned long wa_instance_size = sizeof(Z_" << mod << "_instance_t);\n"
      << "WA_EXPORT const int wa_abi_version = " << kRuntimeAbiVersion << ";\n"
      << "WA_EXPORT void wa_init_module(void) { Z_" << mod << "_init_module(); }\n"
      << "WA_EXPORT void wa_instantiate(void* instance, void* host) {\n"
      << "  Z_" << mod << "_instantiate((Z_" << mod << "_instance_t*)instance";
  for (size_t i = 0; i < import_instances; ++i) out << ", host";
  out << ");\n}\n"
      << "WA_EXPORT void wa_free(void* instance) { Z_" << mod << "_free((Z_" << mod
      << "_instance_t*)instance); }\n";
  return out.str();
}

}  // namespace wa::runtime
