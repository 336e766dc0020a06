#include "cli/kv_commands.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/client_connection.h"
#include "support/base64.h"

namespace wa::cli {

using nlohmann::json;

namespace {

std::string decode_base64(const std::string& text) {
  auto decoded = base64_decode(text);
  if (!decoded) fail("the server sent bad base64");
  return std::move(*decoded);
}

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct KvArgs {
  std::string store;
  std::string key;
  std::string value;
  std::string file;
  std::string prefix;
  bool json = false;
};

}  // namespace

CLI::App* add_kv_commands(CLI::App& app, ApiCaller api) {
  auto* kv = app.add_subcommand("kv", "Browse and edit your key-value stores");
  kv->require_subcommand(1);
  kv->fallthrough();  // --server/--token may follow the subcommand
  auto a = std::make_shared<KvArgs>();

  auto* stores = kv->add_subcommand("stores", "List your stores");
  stores->add_flag("--json", a->json, "Print JSON");
  stores->callback([api, a] {
    json answer = expect_json(api("GET", "/kv", "", ""), {200});
    if (a->json) {
      std::cout << answer.dump(2) << "\n";
      return;
    }
    for (const auto& s : answer["stores"]) {
      std::cout << s["name"].get<std::string>() << "\t" << s["keys"].get<uint64_t>() << " keys\t"
                << s["bytes"].get<uint64_t>() << "/" << s["quota_bytes"].get<uint64_t>()
                << " bytes\n";
    }
  });

  auto* create = kv->add_subcommand("create", "Create a store");
  create->add_option("store", a->store, "Store name")->required();
  create->callback([api, a] {
    expect_body(api("POST", "/kv", json{{"name", a->store}}.dump(), "application/json"), {201});
    std::cout << "created " << a->store << "\n";
  });

  auto* drop = kv->add_subcommand("drop", "Delete a store and every key in it");
  drop->add_option("store", a->store, "Store name")->required();
  drop->callback([api, a] {
    expect_body(api("DELETE", "/kv/" + url_segment(a->store), "", ""), {204});
    std::cout << "dropped " << a->store << "\n";
  });

  auto* list =
      kv->add_subcommand("list", "List a store's keys (all pages; binary keys as base64:...)");
  list->add_option("store", a->store, "Store name")->required();
  list->add_option("--prefix", a->prefix, "Only keys starting with this");
  list->add_flag("--json", a->json, "Print JSON");
  list->callback([api, a] {
    json all = json::array();
    std::string after;
    for (;;) {
      std::string target = "/kv/" + url_segment(a->store) + "/keys?limit=1000";
      if (!a->prefix.empty()) target += "&prefix=" + url_segment(a->prefix);
      if (!after.empty()) target += "&after=" + url_segment(after);
      json page = expect_json(api("GET", target, "", ""), {200});
      for (auto& item : page["keys"]) {
        if (!a->json) {
          const auto key = item["key"].get<std::string>();
          std::cout << (item["key_encoding"] == "base64" ? "base64:" + key : key) << "\n";
        }
        all.push_back(item);
      }
      if (page["next"].is_null()) break;
      const auto next = page["next"].get<std::string>();
      after = page.value("next_encoding", "utf8") == "base64" ? decode_base64(next) : next;
    }
    if (a->json) std::cout << json{{"keys", all}}.dump(2) << "\n";
  });

  auto* get = kv->add_subcommand("get", "Print a value (raw bytes) to stdout");
  get->add_option("store", a->store, "Store name")->required();
  get->add_option("key", a->key, "Key")->required();
  get->callback([api, a] {
    auto body = expect_body(
        api("GET", "/kv/" + url_segment(a->store) + "/values/" + url_segment(a->key), "", ""),
        {200});
    std::cout.write(body.data(), static_cast<std::streamsize>(body.size()));
    std::cout.flush();
  });

  auto* set =
      kv->add_subcommand("set", "Set a value (from the argument, or --file PATH, - = stdin)");
  set->add_option("store", a->store, "Store name")->required();
  set->add_option("key", a->key, "Key")->required();
  auto* value_opt = set->add_option("value", a->value, "Value");
  auto* file_opt = set->add_option("--file", a->file, "Read the value from this file (- = stdin)");
  value_opt->excludes(file_opt);
  set->callback([api, a, value_opt, file_opt] {
    std::string value;
    if (file_opt->count() > 0) {
      if (a->file == "-") {
        value = read_all(std::cin);
      } else {
        std::ifstream in(a->file, std::ios::binary);
        if (!in) fail("cannot read " + a->file);
        value = read_all(in);
      }
    } else if (value_opt->count() > 0) {
      value = a->value;
    } else {
      fail("give a VALUE or --file PATH");
    }
    expect_body(api("PUT", "/kv/" + url_segment(a->store) + "/values/" + url_segment(a->key),
                    std::move(value), "application/octet-stream"),
                {204});
  });

  auto* del = kv->add_subcommand("delete", "Delete a key");
  del->add_option("store", a->store, "Store name")->required();
  del->add_option("key", a->key, "Key")->required();
  del->callback([api, a] {
    expect_body(
        api("DELETE", "/kv/" + url_segment(a->store) + "/values/" + url_segment(a->key), "", ""),
        {204});
  });
  return kv;
}

}  // namespace wa::cli
