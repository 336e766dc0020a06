// The AssemblyScript SDK and the microblog example, driven through the real
// `wasm-actions run` binary with a real SQLite key-value store (`--kv`, `--kv-db`) and a
// host directory as the read-only volume (`--volume`). The guests are
// sdk/assemblyscript/tests/guests/*.ts and examples/microblog, compiled with asc.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using wa::testing::Outcome;
using wa::testing::quote;  // values hold spaces, & and ;

fs::path scratch() { return wa::testing::scratch_dir("wa_sdkas_test_", /*wipe=*/true); }

// A fresh directory per test (each test gets its own store file).
fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path d = scratch() / (std::string(info->test_suite_name()) + "." + info->name());
  fs::create_directories(d);
  return d;
}

// `command` through the shell with `input` as stdin; captures both streams.
Outcome run_shell(const std::string& command, const std::string& input) {
  return wa::testing::run_shell(command, input, scratch());
}

std::string guest(const std::string& name) { return wa::testing::guest_module(WA_GUESTS, name); }

// `wasm-actions run` with `flags` before the module and `args` after it.
Outcome run_guest(const std::string& flags, const std::string& module, const std::string& args,
                  const std::string& input = "") {
  return run_shell(wa::testing::cli_run(WA_CLI_PATH, WA_TEST_ARTIFACT_CACHE) + " " + flags + " " +
                       guest(module) + " " + args,
                   input);
}

// `name=value` lines of a scenario's output.
std::map<std::string, std::string> lines(const std::string& out) {
  std::map<std::string, std::string> values;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

std::string kv_flags(const fs::path& db, const std::string& grant = "default") {
  return "--kv-db " + db.string() + " --kv " + grant;
}

// ---- imports: names and signatures as the contract declares them ----

// import name ("wasm_actions.kv_get") → its signature ("(i32, i32) -> i32").
std::map<std::string, std::string> imports_of(const std::string& module) {
  Outcome o = run_shell(std::string(WA_WASM_OBJDUMP) + " -x " + guest(module), "");
  EXPECT_EQ(o.status, 0) << o.err;
  std::map<std::string, std::string> types, imports;
  std::regex type_line(R"(- type\[(\d+)\] (\(.*\) -> .*))");
  std::regex import_line(R"(- func\[\d+\] sig=(\d+) .*<- (\S+))");
  std::istringstream in(o.out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, type_line))
      types[m[1]] = m[2];
    else if (std::regex_search(line, m, import_line))
      imports[m[2]] = types[m[1]];
  }
  return imports;
}

std::string sig(int i32_params, bool i64_at_4 = false) {
  std::string s = "(";
  for (int i = 0; i < i32_params; ++i) {
    if (i) s += ", ";
    s += (i64_at_4 && i == 3) ? "i64" : "i32";
  }
  return s + ") -> i32";
}

TEST(SdkImports, KvOnlyGuestImportsNoRoomFunction) {
  auto imports = imports_of("sdkas_kv");
  for (const auto& [name, signature] : imports) {
    EXPECT_FALSE(name.starts_with("wasm_actions.room_") || name.starts_with("wasm_actions.event_"))
        << name;
  }
  const std::map<std::string, std::string> expected = {
      {"wasm_actions.kv_open", sig(3)},
      {"wasm_actions.kv_get", sig(6)},
      {"wasm_actions.kv_set", sig(5)},
      {"wasm_actions.kv_delete", sig(3)},
      {"wasm_actions.kv_exists", sig(4)},
      {"wasm_actions.kv_keys", sig(8)},
      {"wasm_actions.kv_increment", sig(5, /*i64_at_4=*/true)},
      {"wasm_actions.kv_compare_and_swap", sig(9)},
  };
  for (const auto& [name, signature] : expected) {
    ASSERT_TRUE(imports.contains(name)) << name;
    EXPECT_EQ(imports[name], signature) << name;
  }
}

TEST(SdkImports, RoomsGuestDeclaresTheContractSignatures) {
  auto imports = imports_of("sdkas_rooms");
  const std::map<std::string, std::string> expected = {
      {"wasm_actions.room_broadcast", sig(4)},   {"wasm_actions.room_send", sig(4)},
      {"wasm_actions.room_connections", sig(3)}, {"wasm_actions.room_select", sig(2)},
      {"wasm_actions.event_get", sig(3)},        {"wasm_actions.event_payload", sig(3)},
  };
  for (const auto& [name, signature] : expected) {
    ASSERT_TRUE(imports.contains(name)) << name;
    EXPECT_EQ(imports[name], signature) << name;
  }
  for (const auto& [name, signature] : imports) {
    EXPECT_FALSE(name.starts_with("wasm_actions.kv_")) << name;
  }
}

// fetch / callAction: the reference's `wasi_experimental_http` signatures, and nothing of
// `wasm_actions` (the guest uses no store).
TEST(SdkImports, HttpGuestImportsTheReferenceSignatures) {
  auto imports = imports_of("sdkas_http");
  const std::map<std::string, std::string> expected = {
      {"wasi_experimental_http.req", sig(10)},
      {"wasi_experimental_http.close", sig(1)},
      {"wasi_experimental_http.header_get", sig(6)},
      {"wasi_experimental_http.headers_get_all", sig(4)},
      {"wasi_experimental_http.body_read", sig(4)},
  };
  for (const auto& [name, signature] : expected) {
    ASSERT_TRUE(imports.contains(name)) << name;
    EXPECT_EQ(imports[name], signature) << name;
  }
  for (const auto& [name, signature] : imports) {
    EXPECT_FALSE(name.starts_with("wasm_actions.")) << name;
  }
  // And the KV guest imports nothing of it.
  for (const auto& [name, signature] : imports_of("sdkas_kv")) {
    EXPECT_FALSE(name.starts_with("wasi_experimental_http.")) << name;
  }
}

// The room functions link like every `wasm_actions` import: a rooms guest run as a plain
// command (no rooms grant, no event) runs to the end, and its room calls answer
// access_denied instead of doing anything.
TEST(SdkImports, RoomsGuestLinksAndRunsWithoutTheGrant) {
  Outcome o = run_guest("", "sdkas_rooms", "");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "access_denied") << o.err;
  EXPECT_EQ(o.err.find("unsupported"), std::string::npos) << o.err;
}

// ---- CGI helpers ----

std::pair<std::map<std::string, std::string>, std::string> split_cgi(const std::string& out) {
  std::map<std::string, std::string> headers;
  size_t end = out.find("\r\n\r\n");
  std::string head = out.substr(0, end);
  std::string body = end == std::string::npos ? "" : out.substr(end + 4);
  std::istringstream in(head);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    headers[line.substr(0, colon)] = value;
  }
  return {headers, body};
}

TEST(SdkCgi, RequestAndResponseHelpers) {
  Outcome o = run_guest(
      "--env REQUEST_METHOD=POST --env PATH_INFO=/posts --env " +
          quote("QUERY_STRING=q=a%20b+c&x") +
          " --env HTTP_USER_AGENT=tester --env CONTENT_TYPE=application/x-www-form-urlencoded",
      "sdkas_cgi", "cgi", "name=Al+ice&text=%3Cb%3E%20%E2%82%AC");
  ASSERT_EQ(o.status, 0) << o.err;
  auto [headers, body] = split_cgi(o.out);
  EXPECT_EQ(headers["Status"], "201 Created");
  EXPECT_EQ(headers["Content-Type"], "application/json");
  // A CR/LF in a header value must not start a header of its own.
  EXPECT_EQ(headers.count("Set-Cookie"), 0u);
  EXPECT_EQ(headers["X-Injected"], "a  Set-Cookie: evil");
  json j = json::parse(body);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["path"], "/posts");
  EXPECT_EQ(j["q"], "a b c");
  EXPECT_TRUE(j["missing"].is_null());
  EXPECT_EQ(j["agent"], "tester");
  EXPECT_EQ(j["type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(j["form_name"], "Al ice");
  EXPECT_EQ(j["form_text"], "<b> \xE2\x82\xAC");
  EXPECT_EQ(j["html"], "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(j["decoded"], "\xE2\x82\xAC %zz");
  EXPECT_EQ(body.find('<'), std::string::npos) << "jsonQuote escapes < for HTML safety";
}

TEST(SdkCgi, JsonBodiesParseAndBadOnesAreRefused) {
  Outcome o = run_guest("", "sdkas_cgi", "json", R"({"name": "x\u00e9\ud83d\ude00", "n": 3.5})");
  ASSERT_EQ(o.status, 0) << o.err;
  json j = json::parse(split_cgi(o.out).second);
  EXPECT_EQ(j["name"], "x\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(j["n"], 3.5);
  const std::vector<std::string> bad_bodies = {
      "{", "{\"a\":}", "[1,]", "01", "\"\x01\"", "{} x", std::string(5000, '[')};
  for (const std::string& bad : bad_bodies) {
    Outcome b = run_guest("", "sdkas_cgi", "json", bad);
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_NE(b.out.find("Status: 400"), std::string::npos) << bad << " → " << b.out;
  }
}

// ---- KV wrappers over the real store ----

TEST(SdkKv, EveryWrapper) {
  fs::path db = test_dir() / "kv.db";
  Outcome o = run_guest(kv_flags(db), "sdkas_kv", "wrappers");
  ASSERT_EQ(o.status, 0) << o.err << o.out;
  auto v = lines(o.out);
  EXPECT_EQ(v["set"], "ok");
  EXPECT_EQ(v["get"], "h\xC3\xA9llo");
  EXPECT_EQ(v["absent"], "null not_found");
  EXPECT_EQ(v["exists"], "true,false");
  EXPECT_EQ(v["bytes"], "3:255");
  EXPECT_EQ(v["incr"], "5,-2");
  EXPECT_EQ(v["incr_big"], "9007199254740993");
  EXPECT_EQ(v["incr_text"], "invalid_argument");
  EXPECT_EQ(v["cas_absent"], "true,false");
  EXPECT_EQ(v["cas_value"], "true,false,c");
  EXPECT_EQ(v["cas_missing"], "false ok");
  EXPECT_EQ(v["delete"], "ok,ok,false");
  EXPECT_EQ(v["empty_key"], "invalid_argument");
  EXPECT_EQ(v["raw_keys"], "1:3:false true ok");
  EXPECT_EQ(v["open_other"], "null access_denied");
}

TEST(SdkKv, KeyPagingWithASmallPageAndBufferGrowth) {
  fs::path db = test_dir() / "kv.db";
  Outcome o = run_guest(kv_flags(db), "sdkas_kv", "paging");
  ASSERT_EQ(o.status, 0) << o.err << o.out;
  auto v = lines(o.out);
  EXPECT_EQ(v["pages"], "17 keys=50 ordered=true");
  EXPECT_EQ(v["first_page"], "page:000,page:001,page:002");
  EXPECT_EQ(v["after_last"], "0");
  EXPECT_EQ(v["all"], "50");
  EXPECT_EQ(v["grown"], "1:600 ok");
}

TEST(SdkKv, ValuesGrowTheBufferAndOversizedOnesAreTooLarge) {
  fs::path db = test_dir() / "kv.db";
  Outcome o = run_guest(kv_flags(db), "sdkas_kv", "big");
  ASSERT_EQ(o.status, 0) << o.err << o.out;
  auto v = lines(o.out);
  EXPECT_EQ(v["set"], "ok");
  EXPECT_EQ(v["roundtrip"], "true ok");
  EXPECT_EQ(v["too_large"], "too_large");
}

TEST(SdkKv, ReadOnlyGrantReadsButRefusesEveryWrite) {
  fs::path db = test_dir() / "kv.db";
  Outcome seeded = run_guest(kv_flags(db, "default:rw"), "sdkas_kv", "seed");
  ASSERT_EQ(seeded.status, 0) << seeded.err;
  EXPECT_EQ(lines(seeded.out)["seed"], "ok");
  Outcome o = run_guest(kv_flags(db, "default:ro"), "sdkas_kv", "readonly");
  ASSERT_EQ(o.status, 0) << o.err << o.out;
  auto v = lines(o.out);
  EXPECT_EQ(v["read"], "planted");
  EXPECT_EQ(v["set"], "access_denied");
  EXPECT_EQ(v["delete"], "access_denied");
  EXPECT_EQ(v["increment"], "access_denied");
  EXPECT_EQ(v["cas"], "access_denied");
  EXPECT_EQ(v["keys"], "seed");
}

TEST(SdkKv, NoGrantMeansOpenIsAccessDenied) {
  fs::path db = test_dir() / "kv.db";
  Outcome o = run_guest("--kv-db " + db.string(), "sdkas_kv", "wrappers");
  EXPECT_EQ(o.status, 3) << o.err << o.out;
  EXPECT_EQ(lines(o.out)["open"], "access_denied");
}

// ---- the microblog example ----

struct Reply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

class Microblog : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_dir();
    db_ = dir_ / "kv.db";
    site_ = dir_ / "site";
    fs::create_directories(site_);
    fs::copy_file(fs::path(WA_MICROBLOG_SITE) / "index.html", site_ / "index.html");
  }

  // One request as the server would run it: CGI environment, body on stdin.
  Reply request(const std::string& method, const std::string& path, const std::string& query = "",
                const std::string& body = "", const std::string& content_type = "application/json",
                const std::string& grant = "default:rw") {
    std::string flags = kv_flags(db_, grant) + " --volume " + site_.string() + ":/site:ro" +
                        " --env REQUEST_METHOD=" + method + " --env " + quote("PATH_INFO=" + path) +
                        " --env SCRIPT_NAME=/blog --env " + quote("QUERY_STRING=" + query) +
                        " --env CONTENT_TYPE=" + content_type +
                        " --env CONTENT_LENGTH=" + std::to_string(body.size());
    Outcome o = run_guest(flags, "microblog", "", body);
    EXPECT_EQ(o.status, 0) << o.err;
    auto [headers, text] = split_cgi(o.out);
    Reply r;
    r.status = static_cast<unsigned>(std::atoi(headers["Status"].c_str()));
    r.headers = headers;
    r.body = text;
    return r;
  }

  Reply post(const std::string& name, const std::string& text,
             const std::string& grant = "default:rw") {
    return request("POST", "/posts", "", json{{"name", name}, {"text", text}}.dump(),
                   "application/json", grant);
  }

  fs::path dir_, db_, site_;
};

TEST_F(Microblog, PostsListNewestFirstAndPage) {
  for (int i = 1; i <= 12; ++i) {
    Reply r = post("user" + std::to_string(i), "post number " + std::to_string(i));
    ASSERT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(json::parse(r.body)["post"]["id"], i);
    EXPECT_EQ(r.headers["Location"], "/blog/posts/" + std::to_string(i));
  }
  std::vector<int> ids;
  std::string after;
  int pages = 0;
  while (true) {
    Reply r = request("GET", "/posts", "limit=5" + (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(r.status, 200u) << r.body;
    json page = json::parse(r.body);
    for (const auto& p : page["posts"]) ids.push_back(p["id"]);
    ++pages;
    if (page["next"].is_null()) break;
    after = page["next"];
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<int>{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}));

  Reply one = request("GET", "/posts/7");
  ASSERT_EQ(one.status, 200u) << one.body;
  EXPECT_EQ(json::parse(one.body)["post"]["text"], "post number 7");
  EXPECT_EQ(request("GET", "/posts/99").status, 404u);
  EXPECT_EQ(request("GET", "/posts/07").status, 404u);
  EXPECT_EQ(request("GET", "/posts", "after=xyz").status, 400u);
  EXPECT_EQ(request("GET", "/posts", "limit=0").status, 400u);
}

TEST_F(Microblog, FormPostsAndValidation) {
  Reply form = request("POST", "/posts", "", "name=Ann&text=hello+there%21",
                       "application/x-www-form-urlencoded");
  ASSERT_EQ(form.status, 201u) << form.body;
  EXPECT_EQ(json::parse(form.body)["post"]["text"], "hello there!");
  EXPECT_EQ(post("", "text").status, 400u);
  EXPECT_EQ(post("   ", "text").status, 400u);
  EXPECT_EQ(post(std::string(41, 'n'), "text").status, 400u);
  EXPECT_EQ(post("bob", std::string(501, 't')).status, 400u);
  EXPECT_EQ(post("bob", "").status, 400u);
  EXPECT_EQ(post("a\nb", "text").status, 400u);
  EXPECT_EQ(request("POST", "/posts", "", "{not json").status, 400u);
  EXPECT_EQ(request("POST", "/posts", "", std::string(20000, 'x')).status, 413u);
  EXPECT_EQ(request("DELETE", "/posts").status, 405u);
  EXPECT_EQ(request("GET", "/nowhere").status, 404u);
  // 40 characters of 4-byte UTF-8 are within the limit (characters, not bytes).
  std::string emoji;
  for (int i = 0; i < 40; ++i) emoji += "\xF0\x9F\x98\x80";
  EXPECT_EQ(post(emoji, "ok").status, 201u);
}

TEST_F(Microblog, HomePageComesFromTheVolumeWithPostsEscaped) {
  ASSERT_EQ(post("<script>alert(1)</script>", "a & b <i>x</i>").status, 201u);
  Reply page = request("GET", "/");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(page.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<h1>Micro-blog</h1>"), std::string::npos);
  EXPECT_NE(page.body.find("data-base=\"/blog\""), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("a &amp; b &lt;i&gt;x&lt;/i&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);

  // The page is the volume's file: change it on the host and the action serves the change.
  std::ofstream(site_ / "index.html") << "<p>replaced</p><!--POSTS-->";
  Reply changed = request("GET", "/");
  EXPECT_NE(changed.body.find("<p>replaced</p>"), std::string::npos) << changed.body;
  fs::remove(site_ / "index.html");
  EXPECT_EQ(request("GET", "/").status, 500u);
}

TEST_F(Microblog, ReaderGrantedReadOnlyRefusesPostsButLists) {
  ASSERT_EQ(post("writer", "first").status, 201u);
  Reply refused = post("reader", "sneaky", "default:ro");
  EXPECT_EQ(refused.status, 403u) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["error"]["kind"], "access_denied");
  Reply list = request("GET", "/posts", "", "", "application/json", "default:ro");
  ASSERT_EQ(list.status, 200u) << list.body;
  json posts = json::parse(list.body)["posts"];
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0]["name"], "writer");
}

}  // namespace
