// Volumes end to end: the real server and CLI over real HTTP. Owners are isolated (404),
// files round-trip, bad paths are 400, quotas 403, scopes hold, the CLI uploads a
// directory; and guests granted a volume read it, write it (read-write only), cannot
// escape it, and hit its quota with dquot.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "gateway/http_client.h"
#include "server_process.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class VolumeApi : public ServerTest {
 protected:
  VolumeApi() : ServerTest("wa-volume-it") {}

  void start_server(std::vector<std::string> args = {}) {
    args.push_back("--fast-password-hashing");
    start(args);
    client_ = std::make_unique<gateway::HttpClient>(client_for(*server_));
    ann_ = register_user(*client_, "ann");
    bob_ = register_user(*client_, "bob");
  }
  gateway::ClientResponse call(const std::string& method, const std::string& target,
                               const std::string& token, const std::string& body = {}) {
    return send_request(*client_, method, "/api/v1" + target, token, body);
  }
  // Runs `wasm-actions ARGS --server URL --token TOKEN`; returns its exit code, with its
  // stdout in `out`.
  int cli(const std::string& args, const std::string& token, std::string& out) {
    const fs::path out_file = data_ / "cli.out";
    const std::string command = quoted(server_binary()) + " " + args + " --server " +
                                quoted(server_->url()) + " --token " + quoted(token) + " > " +
                                quoted(out_file.string()) + " 2>" +
                                quoted((data_ / "cli.err").string());
    int status = std::system(command.c_str());
    out = slurp(out_file);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::unique_ptr<gateway::HttpClient> client_;
  std::string ann_, bob_;
};

TEST_F(VolumeApi, OwnersAreIsolated) {
  start_server();
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "site"}}.dump()).status, 201u);
  ASSERT_EQ(call("PUT", "/volumes/site/files/index.html", ann_, "<h1>ann</h1>").status, 201u);
  // Bob sees nothing of it, whatever he tries.
  EXPECT_EQ(call("GET", "/volumes/site/files", bob_).status, 404u);
  EXPECT_EQ(call("GET", "/volumes/site/files/index.html", bob_).status, 404u);
  EXPECT_EQ(call("PUT", "/volumes/site/files/index.html", bob_, "bob").status, 404u);
  EXPECT_EQ(call("DELETE", "/volumes/site/files/index.html", bob_).status, 404u);
  EXPECT_EQ(call("DELETE", "/volumes/site", bob_).status, 404u);
  EXPECT_EQ(body_json(call("GET", "/volumes", bob_))["volumes"], json::array());
  // His own "site" is another volume.
  ASSERT_EQ(call("POST", "/volumes", bob_, json{{"name", "site"}}.dump()).status, 201u);
  EXPECT_EQ(call("GET", "/volumes/site/files/index.html", bob_).status, 404u);
  EXPECT_EQ(call("GET", "/volumes/site/files/index.html", ann_).body, "<h1>ann</h1>");
  EXPECT_EQ(call("GET", "/volumes", "").status, 401u);
}

TEST_F(VolumeApi, UploadListDownloadDelete) {
  start_server();
  auto created = call("POST", "/volumes", ann_, json{{"name", "site"}}.dump());
  ASSERT_EQ(created.status, 201u);
  json volume = body_json(created);
  EXPECT_EQ(volume["name"], "site");
  EXPECT_EQ(volume["quota_bytes"], 256ull << 20);
  EXPECT_EQ(volume["bytes"], 0);
  EXPECT_GT(volume["created_at"].get<int64_t>(), 0);
  EXPECT_EQ(call("POST", "/volumes", ann_, json{{"name", "site"}}.dump()).status, 409u);
  EXPECT_EQ(call("POST", "/volumes", ann_, json{{"name", "../x"}}.dump()).status, 400u);

  EXPECT_EQ(call("PUT", "/volumes/site/files/index.html", ann_, "<h1>v1</h1>").status, 201u);
  EXPECT_EQ(call("PUT", "/volumes/site/files/index.html", ann_, "<h1>v2</h1>").status, 204u);
  EXPECT_EQ(call("PUT", "/volumes/site/files/css/site.css", ann_, "body{}").status, 201u);
  EXPECT_EQ(call("PUT", "/volumes/site/files/a%2Fb.txt", ann_, "slash").status, 201u);
  auto page = call("GET", "/volumes/site/files/index.html", ann_);
  ASSERT_EQ(page.status, 200u);
  EXPECT_EQ(page.body, "<h1>v2</h1>");
  EXPECT_EQ(page.header("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_EQ(page.header("Content-Security-Policy"), "sandbox");
  EXPECT_EQ(call("GET", "/volumes/site/files/a/b.txt", ann_).body, "slash");

  json files = body_json(call("GET", "/volumes/site/files", ann_))["files"];
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0]["path"], "a/b.txt");
  EXPECT_EQ(files[1]["path"], "css/site.css");
  EXPECT_EQ(files[2]["path"], "index.html");
  EXPECT_EQ(files[2]["size"], 11);
  json css = body_json(call("GET", "/volumes/site/files?prefix=css%2F", ann_))["files"];
  ASSERT_EQ(css.size(), 1u);
  json list = body_json(call("GET", "/volumes", ann_))["volumes"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["files"], 3);
  EXPECT_EQ(list[0]["bytes"], 11 + 6 + 5);

  EXPECT_EQ(call("DELETE", "/volumes/site/files/index.html", ann_).status, 204u);
  EXPECT_EQ(call("GET", "/volumes/site/files/index.html", ann_).status, 404u);
  EXPECT_EQ(call("DELETE", "/volumes/site/files/index.html", ann_).status, 404u);
  EXPECT_EQ(call("DELETE", "/volumes/site", ann_).status, 204u);
  EXPECT_EQ(call("GET", "/volumes/site/files", ann_).status, 404u);
  EXPECT_EQ(call("DELETE", "/volumes/site", ann_).status, 404u);
}

TEST_F(VolumeApi, BadPathsAre400) {
  start_server();
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "site"}}.dump()).status, 201u);
  for (const std::string path :
       {"..", "..%2Fescape", "a/%2E%2E/b", "a%00b", "a%5Cb", "%2Fetc%2Fpasswd", "."}) {
    auto put = call("PUT", "/volumes/site/files/" + path, ann_, "x");
    EXPECT_EQ(put.status, 400u) << path << ": " << put.body;
    EXPECT_EQ(call("GET", "/volumes/site/files/" + path, ann_).status, 400u) << path;
  }
  EXPECT_EQ(call("PUT", "/volumes/site/files/", ann_, "x").status, 400u);  // empty path
  EXPECT_EQ(call("PUT", "/volumes/site/files/" + std::string(256, 'x'), ann_, "x").status, 400u);
  std::string long_path;
  while (long_path.size() < 1030) long_path += "abcdefgh/";
  EXPECT_EQ(call("PUT", "/volumes/site/files/" + long_path + "f", ann_, "x").status, 400u);
  EXPECT_TRUE(body_json(call("GET", "/volumes/site/files", ann_))["files"].empty());
}

TEST_F(VolumeApi, QuotasAndLimits) {
  start_server({"--volume-quota-mb", "1", "--volume-max-quota-mb", "2", "--max-volumes", "2"});
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "small"}}.dump()).status, 201u);
  const std::string chunk(600 * 1024, 'x');
  EXPECT_EQ(call("PUT", "/volumes/small/files/a", ann_, chunk).status, 201u);
  auto over = call("PUT", "/volumes/small/files/b", ann_, chunk);
  EXPECT_EQ(over.status, 403u);
  EXPECT_EQ(body_json(over)["error"], "quota_exceeded");
  EXPECT_EQ(call("GET", "/volumes/small/files/b", ann_).status, 404u);
  // Deleting frees the room.
  EXPECT_EQ(call("DELETE", "/volumes/small/files/a", ann_).status, 204u);
  EXPECT_EQ(call("PUT", "/volumes/small/files/b", ann_, chunk).status, 201u);

  EXPECT_EQ(call("POST", "/volumes", ann_, json{{"name", "big"}, {"quota_mb", 3}}.dump()).status,
            400u);
  auto two = call("POST", "/volumes", ann_, json{{"name", "two"}, {"quota_mb", 2}}.dump());
  ASSERT_EQ(two.status, 201u);
  EXPECT_EQ(body_json(two)["quota_bytes"], 2 << 20);
  auto third = call("POST", "/volumes", ann_, json{{"name", "third"}}.dump());
  EXPECT_EQ(third.status, 403u);
  EXPECT_EQ(body_json(third)["error"], "quota_exceeded");
}

TEST_F(VolumeApi, ScopesHold) {
  start_server();
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "site"}}.dump()).status, 201u);
  ASSERT_EQ(call("PUT", "/volumes/site/files/f", ann_, "data").status, 201u);
  auto minted = call("POST", "/tokens", ann_, json{{"name", "ro"}, {"scopes", {"read"}}}.dump());
  ASSERT_EQ(minted.status, 201u);
  const std::string reader = body_json(minted)["token"];
  EXPECT_EQ(call("GET", "/volumes", reader).status, 200u);
  EXPECT_EQ(call("GET", "/volumes/site/files/f", reader).body, "data");
  EXPECT_EQ(call("PUT", "/volumes/site/files/f", reader, "x").status, 403u);
  EXPECT_EQ(call("DELETE", "/volumes/site/files/f", reader).status, 403u);
  EXPECT_EQ(call("POST", "/volumes", reader, json{{"name", "x"}}.dump()).status, 403u);
  EXPECT_EQ(call("DELETE", "/volumes/site", reader).status, 403u);
}

TEST_F(VolumeApi, CliRoundTripWithADirectory) {
  start_server();
  const fs::path local = data_ / "local-site";
  fs::create_directories(local / "css" / "deep");
  std::ofstream(local / "index.html") << "<h1>cli</h1>";
  std::ofstream(local / "css" / "site.css") << "body{}";
  std::ofstream(local / "css" / "deep" / "x.txt") << "deep";
  std::string out;
  ASSERT_EQ(cli("volume create site --quota-mb 8", ann_, out), 0) << slurp(data_ / "cli.err");
  ASSERT_EQ(cli("volume put site " + quoted(local.string()), ann_, out), 0)
      << slurp(data_ / "cli.err");
  ASSERT_EQ(cli("volume put site " + quoted((local / "index.html").string()) + " other/page.html",
                ann_, out),
            0);
  ASSERT_EQ(cli("volume ls site", ann_, out), 0);
  EXPECT_NE(out.find("css/deep/x.txt"), std::string::npos) << out;
  EXPECT_NE(out.find("index.html"), std::string::npos) << out;
  EXPECT_NE(out.find("other/page.html"), std::string::npos) << out;
  ASSERT_EQ(cli("volume get site css/deep/x.txt", ann_, out), 0);
  EXPECT_EQ(out, "deep");
  ASSERT_EQ(cli("volume get site index.html " + quoted((data_ / "got.html").string()), ann_, out),
            0);
  EXPECT_EQ(slurp(data_ / "got.html"), "<h1>cli</h1>");
  ASSERT_EQ(cli("volume list --json", ann_, out), 0);
  json listed = json::parse(out, nullptr, false);
  ASSERT_TRUE(listed.is_object()) << out;
  EXPECT_EQ(listed["volumes"][0]["files"], 4);
  EXPECT_EQ(listed["volumes"][0]["quota_bytes"], 8 << 20);
  ASSERT_EQ(cli("volume rm site index.html", ann_, out), 0);
  EXPECT_NE(cli("volume get site index.html", ann_, out), 0);
  EXPECT_NE(cli("volume get site css/site.css", bob_, out), 0);
  ASSERT_EQ(cli("volume delete site", ann_, out), 0);
  EXPECT_NE(cli("volume ls site", ann_, out), 0);
}

// Guests: the probe runs a script of file operations from the request body.
class VolumeGuests : public VolumeApi {
 protected:
  void deploy_probe(const std::string& name, const json& volumes) {
    deploy_or_fail(*client_, ann_, name, "/" + name, read_guest("volume_probe"),
                   json{{"capabilities", {{"volumes", volumes}}}});
    wait_until_ready_or_fail(*client_, ann_, name);
  }
  std::string run(const std::string& name, const std::string& script) {
    auto response = send_request(*client_, "POST", "/" + name, "", script);
    EXPECT_EQ(response.status, 200u) << response.body;
    return response.body;
  }
};

TEST_F(VolumeGuests, ReadOnlyAndReadWriteGrants) {
  start_server({"--volume-quota-mb", "1"});
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "site"}}.dump()).status, 201u);
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "data"}}.dump()).status, 201u);
  ASSERT_EQ(call("PUT", "/volumes/site/files/index.html", ann_, "hello-from-rest").status, 201u);
  // A grant must name an existing volume.
  auto unknown = deploy(
      *client_, ann_, "bad", "/bad", read_guest("volume_probe"),
      json{{"capabilities",
            {{"volumes", {{{"volume", "nope"}, {"path", "/x"}, {"access", "read-only"}}}}}}});
  EXPECT_EQ(unknown.status, 400u) << unknown.body;
  EXPECT_NE(unknown.body.find("nope"), std::string::npos);

  deploy_probe("probe", {{{"volume", "site"}, {"path", "/site"}, {"access", "read-only"}},
                         {{"volume", "data"}, {"path", "/data"}, {"access", "read-write"}}});
  const std::string out = run("probe",
                              "read /site/index.html\n"
                              "write /site/index.html pwned\n"
                              "write /site/new.txt x\n"
                              "mkdir /site/dir\n"
                              "unlink /site/index.html\n"
                              "write /data/note.txt from-guest\n"
                              "read /data/note.txt\n");
  std::istringstream lines(out);
  std::string line;
  std::vector<std::string> got;
  while (std::getline(lines, line)) got.push_back(line);
  ASSERT_EQ(got.size(), 7u) << out;
  EXPECT_EQ(got[0], "0 hello-from-rest");
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(got[i][0], 'E') << got[i];
  EXPECT_EQ(got[5], "0 10");
  EXPECT_EQ(got[6], "0 from-guest");
  EXPECT_EQ(call("GET", "/volumes/site/files/index.html", ann_).body, "hello-from-rest");
  json files = body_json(call("GET", "/volumes/data/files", ann_))["files"];
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]["path"], "note.txt");
  EXPECT_EQ(call("GET", "/volumes/data/files/note.txt", ann_).body, "from-guest");

  // A granted volume cannot be deleted; the message names the action.
  auto refused = call("DELETE", "/volumes/site", ann_);
  EXPECT_EQ(refused.status, 409u);
  EXPECT_NE(refused.body.find("probe"), std::string::npos) << refused.body;
}

TEST_F(VolumeGuests, EscapesFailAndQuotaIsDquot) {
  start_server({"--volume-quota-mb", "1"});
  ASSERT_EQ(call("POST", "/volumes", ann_, json{{"name", "data"}}.dump()).status, 201u);
  deploy_probe("probe", {{{"volume", "data"}, {"path", "/data"}, {"access", "read-write"}}});
  const std::string out = run("probe",
                              "read /data/../../../../etc/passwd\n"
                              "read /etc/passwd\n"
                              "symlink /etc/passwd /data/abs\n"
                              "symlink ../../../../../../etc/passwd /data/rel\n"
                              "read /data/rel\n"
                              "symlink ../../../../../../etc /data/etcdir\n"
                              "read /data/etcdir/passwd\n"
                              "fill /data/big 600000\n"
                              "fill /data/big 600000\n"
                              "fill /data/other 400000\n");
  std::istringstream lines(out);
  std::string line;
  std::vector<std::string> got;
  while (std::getline(lines, line)) got.push_back(line);
  ASSERT_EQ(got.size(), 10u) << out;
  EXPECT_EQ(got[0][0], 'E') << got[0];
  EXPECT_EQ(got[1][0], 'E') << got[1];
  EXPECT_EQ(got[2][0], 'E') << got[2];  // absolute targets are refused outright
  // A relative link may be made, but never leads out.
  EXPECT_EQ(got[4][0], 'E') << got[4];
  EXPECT_EQ(got[6][0], 'E') << got[6];
  EXPECT_EQ(got[7], "0 600000");
  EXPECT_EQ(got[8], "E19");  // dquot: 1.2 MB would pass the 1 MiB quota
  EXPECT_EQ(got[9], "0 400000");
  // The REST API never follows what the guest left there either.
  for (const char* link : {"rel", "etcdir/passwd", "etcdir"}) {
    auto response = call("GET", std::string("/volumes/data/files/") + link, ann_);
    EXPECT_TRUE(response.status == 404u || response.status == 400u) << link;
    EXPECT_EQ(response.body.find("root:"), std::string::npos);
  }
  json files = body_json(call("GET", "/volumes/data/files", ann_))["files"];
  std::vector<std::string> paths;
  for (const auto& f : files)
    paths.push_back(f["path"].get<std::string>() + ":" + f["type"].get<std::string>());
  EXPECT_EQ(paths,
            (std::vector<std::string>{"big:file", "etcdir:symlink", "other:file", "rel:symlink"}));
  // The quota the guest hit is the one uploads see.
  auto upload = call("PUT", "/volumes/data/files/more", ann_, std::string(100000, 'u'));
  EXPECT_EQ(upload.status, 403u);
}

}  // namespace
}  // namespace wa::testing
