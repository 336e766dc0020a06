#include "cli/request_command.h"

#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

namespace wa::cli {
namespace {

using nlohmann::json;

// The field as a string, "" when absent or not a string (the answer is not trusted to be
// well formed: a bad field must not end the command with an exception).
std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t integer_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string parent_of(const std::string& id) {
  const size_t dot = id.rfind('.');
  return dot == std::string::npos ? std::string() : id.substr(0, dot);
}

// Chained calls sort by their numbers (".2" before ".10"), anything else bytewise.
bool call_order(const std::string& a, const std::string& b) {
  const std::string_view last_a = std::string_view(a).substr(a.rfind('.') + 1);
  const std::string_view last_b = std::string_view(b).substr(b.rfind('.') + 1);
  auto numeric = [](std::string_view s) {
    return !s.empty() && s.size() < 19 && s.find_first_not_of("0123456789") == s.npos;
  };
  if (numeric(last_a) && numeric(last_b) && last_a.size() != last_b.size()) {
    return last_a.size() < last_b.size();
  }
  return a < b;
}

// The gateway logs, on each callee, 'called by "NAME" (request PARENT): ...': a caller
// that logged nothing itself is still named by its callees.
std::string caller_named_in(const std::string& message, const std::string& parent) {
  const std::string prefix = "called by \"";
  if (message.rfind(prefix, 0) != 0) return {};
  const size_t end = message.find('"', prefix.size());
  if (end == std::string::npos) return {};
  const std::string rest = "\" (request " + parent + ")";
  if (message.compare(end, rest.size(), rest) != 0) return {};
  return message.substr(prefix.size(), end - prefix.size());
}

std::string utc_time(int64_t ms) {
  if (ms < 0) ms = 0;  // not from this server; shown as the epoch rather than garbled
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(ms % 1000));
  return out;
}

std::string padded(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

}  // namespace

std::string format_request_tree(const json& answer) {
  const std::string root = answer.is_object() ? text_of(answer, "request_id") : std::string();
  const json empty = json::array();
  const json& entries =
      answer.is_object() && answer.contains("entries") && answer["entries"].is_array()
          ? answer["entries"]
          : empty;
  // Lines per call, and every call between the root and a call that logged (a call that
  // left no line of its own still shows where its children hang).
  std::map<std::string, std::vector<const json*>> lines;
  std::map<std::string, std::set<std::string, decltype(&call_order)>> children;
  auto child_set = [&](const std::string& id) -> auto& {
    return children.try_emplace(id, &call_order).first->second;
  };
  for (const auto& entry : entries) {
    if (!entry.is_object()) continue;
    std::string id = text_of(entry, "request_id");
    lines[id].push_back(&entry);
    while (id != root && id.size() > root.size()) {
      const std::string parent = parent_of(id);
      if (parent.empty()) break;
      child_set(parent).insert(id);
      id = parent;
    }
  }
  std::ostringstream out;
  if (entries.empty()) {
    out << "no log lines for request " << root
        << " (a call that logs nothing leaves none; lines are kept for a limited time)\n";
    return out.str();
  }
  // Depth first from the root; iterative, so a deep or hostile chain cannot overflow.
  std::vector<std::pair<std::string, size_t>> stack{{root, 0}};
  std::set<std::string> shown;
  while (!stack.empty()) {
    auto [id, depth] = stack.back();
    stack.pop_back();
    if (!shown.insert(id).second) continue;
    const std::string indent(depth * 2, ' ');
    std::set<std::string> actions;
    for (const json* line : lines[id]) actions.insert(text_of(*line, "action"));
    auto found = children.find(id);
    if (actions.empty() && found != children.end()) {
      for (const auto& child : found->second) {
        for (const json* line : lines[child]) {
          std::string caller = caller_named_in(text_of(*line, "message"), id);
          if (!caller.empty()) actions.insert(caller);
        }
        if (!actions.empty()) break;
      }
    }
    out << indent << id;
    for (const auto& action : actions) out << "  " << action;
    if (lines[id].empty()) out << "  (no lines)";
    out << "\n";
    for (const json* line : lines[id]) {
      std::string outcome = text_of(*line, "outcome");
      out << indent << "  " << utc_time(integer_of(*line, "time")) << "  "
          << padded(text_of(*line, "level"), 5) << "  "
          << padded(outcome.empty() ? "-" : outcome, 8) << "  " << text_of(*line, "message")
          << "\n";
    }
    if (found == children.end()) continue;
    for (auto it = found->second.rbegin(); it != found->second.rend(); ++it) {
      stack.emplace_back(*it, depth + 1);
    }
  }
  // Lines whose id is not under the root (the server sends none; shown rather than lost).
  for (const auto& [id, list] : lines) {
    if (shown.count(id)) continue;
    for (const json* line : list) {
      out << id << "  " << text_of(*line, "action") << "  " << utc_time(integer_of(*line, "time"))
          << "  " << text_of(*line, "level") << "  " << text_of(*line, "message") << "\n";
    }
  }
  return out.str();
}

void add_request_command(CLI::App& app, std::shared_ptr<Connection> conn) {
  struct Options {
    std::string id;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "request", "Print a request's log lines and those of the actions it called, as a tree");
  cmd->add_option("id", o->id, "Request id (the X-Request-Id header, or [id] in `logs`)")
      ->required();
  cmd->add_flag("--json", o->json, "Print the server's JSON");
  cmd->callback([conn, o] {
    json answer = expect_json(api(*conn, "GET", "/requests/" + url_segment(o->id)), {200});
    if (o->json) return print_json(answer);
    std::cout << format_request_tree(answer) << std::flush;
  });
}

}  // namespace wa::cli
