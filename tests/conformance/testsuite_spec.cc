#include "testsuite_spec.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace wa::conformance {
namespace {

using nlohmann::json;

void read_run(const json& run, TestSpec& spec) {
  if (run.contains("args")) spec.args = run.at("args").get<std::vector<std::string>>();
  if (run.contains("env")) {
    for (const auto& [key, value] : run.at("env").items()) {
      spec.env.emplace_back(key, value.get<std::string>());
    }
  }
  if (run.contains("root")) spec.root = run.at("root").get<std::string>();
}

Status read_operations(const json& operations, TestSpec& spec) {
  for (const json& op : operations) {
    const std::string type = op.at("type").get<std::string>();
    if (type == "run") {
      read_run(op, spec);
    } else if (type == "wait") {
      if (op.contains("exit_code")) spec.exit_code = op.at("exit_code").get<int>();
    } else if (type == "read") {
      const std::string id = op.at("id").get<std::string>();
      const std::string payload = op.at("payload").get<std::string>();
      if (id == "stdout") {
        spec.expected_stdout = payload;
      } else if (id == "stderr") {
        spec.expected_stderr = payload;
      } else {
        return make_error("spec", "read operation on unknown stream '" + id + "'");
      }
    } else {
      return make_error("spec", "unsupported operation '" + type + "'");
    }
  }
  return ok_status();
}

}  // namespace

Expected<TestSpec> load_spec(const std::filesystem::path& wasm_path) {
  TestSpec spec;
  std::filesystem::path json_path = wasm_path;
  json_path.replace_extension(".json");
  std::ifstream in(json_path);
  if (!in) return spec;  // no spec file: all defaults
  std::stringstream text;
  text << in.rdbuf();
  try {
    const json doc = json::parse(text.str());
    if (doc.contains("operations")) {
      Status status = read_operations(doc.at("operations"), spec);
      if (!status.ok()) return status.error();
      return spec;
    }
    read_run(doc, spec);
    if (doc.contains("exit_code")) spec.exit_code = doc.at("exit_code").get<int>();
    if (doc.contains("stdout")) spec.expected_stdout = doc.at("stdout").get<std::string>();
    if (doc.contains("stderr")) spec.expected_stderr = doc.at("stderr").get<std::string>();
  } catch (const json::exception& e) {
    return make_error("spec", json_path.string() + ": " + e.what());
  }
  return spec;
}

std::vector<std::filesystem::path> find_test_modules(const std::filesystem::path& suite_dir) {
  std::vector<std::filesystem::path> modules;
  for (const char* language : {"assemblyscript", "c", "rust"}) {
    const auto dir = suite_dir / "tests" / language / "testsuite" / "wasm32-wasip1";
    std::error_code ec;
    for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
      if (item.path().extension() == ".wasm") modules.push_back(item.path());
    }
  }
  std::sort(modules.begin(), modules.end());
  return modules;
}

}  // namespace wa::conformance
