#include "cli/volume_commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace wa::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A volume file path as URL path segments (each component encoded, '/' kept between).
std::string remote_target(const std::string& volume, const std::string& path) {
  std::string target = "/volumes/" + url_segment(volume) + "/files";
  std::string_view rest = path;
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    target += "/" + url_segment(std::string(rest.substr(0, slash)));
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  }
  return target;
}

std::string read_local(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void upload(const Connection& conn, const std::string& volume, const fs::path& local,
            const std::string& remote) {
  auto response = api(conn, "PUT", remote_target(volume, remote), read_local(local),
                      "application/octet-stream");
  expect_body(response, {201, 204});
  std::cerr << (response->status == 201 ? "created " : "replaced ") << remote << "\n";
}

void put(const Connection& conn, const std::string& volume, const std::string& local,
         const std::string& remote) {
  std::error_code ec;
  if (fs::is_directory(local, ec)) {
    // Uploads every regular file beneath it (links are not followed), keeping the layout.
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(local, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && !it->is_symlink()) files.push_back(it->path());
    }
    if (ec) fail("cannot read " + local + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      std::string relative = fs::relative(file, local).generic_string();
      upload(conn, volume, file, remote.empty() ? relative : remote + "/" + relative);
    }
    std::cerr << files.size() << " files uploaded\n";
    return;
  }
  if (!fs::is_regular_file(local, ec)) fail(local + " is not a file or directory");
  upload(conn, volume, local, remote.empty() ? fs::path(local).filename().string() : remote);
}

}  // namespace

void add_volume_commands(CLI::App& app, std::shared_ptr<Connection> conn) {
  auto* volume = app.add_subcommand("volume", "Manage volumes (directories actions can map)");
  volume->require_subcommand(1);

  struct Options {
    bool json = false;
    std::string name, local, remote, prefix;
    uint64_t quota_mb = 0;
  };
  auto o = std::make_shared<Options>();
  auto sub = [&](const char* name, const char* help) {
    auto* cmd = volume->add_subcommand(name, help);
    cmd->fallthrough();  // --server / --token given after the subcommand
    return cmd;
  };

  auto* list = sub("list", "List your volumes");
  list->add_flag("--json", o->json, "Print the server's JSON");
  list->callback([conn, o] {
    json body = expect_json(api(*conn, "GET", "/volumes"), {200});
    if (o->json) return print_json(body);
    for (const auto& v : body["volumes"]) {
      std::cout << v["name"].get<std::string>() << "\t" << v["bytes"].get<uint64_t>() << "/"
                << v["quota_bytes"].get<uint64_t>() << " bytes\t" << v["files"].get<uint64_t>()
                << " files\n";
    }
  });

  auto* create = sub("create", "Create a volume");
  create->add_option("NAME", o->name, "Volume name")->required();
  create->add_option("--quota-mb", o->quota_mb, "Quota (default: the server's)");
  create->callback([conn, o] {
    json request = {{"name", o->name}};
    if (o->quota_mb > 0) request["quota_mb"] = o->quota_mb;
    json body =
        expect_json(api(*conn, "POST", "/volumes", request.dump(), "application/json"), {201});
    std::cout << "created volume " << body["name"].get<std::string>() << " ("
              << (body["quota_bytes"].get<uint64_t>() >> 20) << " MiB)\n";
  });

  auto* remove = sub("delete", "Delete a volume and all its files");
  remove->add_option("NAME", o->name, "Volume name")->required();
  remove->callback([conn, o] {
    expect_body(api(*conn, "DELETE", "/volumes/" + url_segment(o->name)), {204});
    std::cout << "deleted volume " << o->name << "\n";
  });

  auto* ls = sub("ls", "List a volume's files");
  ls->add_option("NAME", o->name, "Volume name")->required();
  ls->add_option("--prefix", o->prefix, "Only paths starting with this");
  ls->add_flag("--json", o->json, "Print the server's JSON");
  ls->callback([conn, o] {
    std::string target = "/volumes/" + url_segment(o->name) + "/files";
    if (!o->prefix.empty()) target += "?prefix=" + url_segment(o->prefix);
    json body = expect_json(api(*conn, "GET", target), {200});
    if (o->json) return print_json(body);
    for (const auto& f : body["files"]) {
      const bool link = f.value("type", "file") == "symlink";
      std::cout << f["size"].get<uint64_t>() << "\t" << f["path"].get<std::string>()
                << (link ? " (symlink)" : "") << "\n";
    }
  });

  auto* put_cmd = sub("put", "Upload a file, or a directory recursively");
  put_cmd->add_option("NAME", o->name, "Volume name")->required();
  put_cmd->add_option("LOCAL", o->local, "Local file or directory")->required();
  put_cmd->add_option("REMOTE", o->remote,
                      "Path in the volume (default: the file's name; for a directory, the "
                      "directory its files go under, default the top)");
  put_cmd->callback([conn, o] { put(*conn, o->name, o->local, o->remote); });

  auto* get = sub("get", "Download a file (to stdout unless LOCAL is given)");
  get->add_option("NAME", o->name, "Volume name")->required();
  get->add_option("REMOTE", o->remote, "Path in the volume")->required();
  get->add_option("LOCAL", o->local, "Local file to write");
  get->callback([conn, o] {
    auto response = api(*conn, "GET", remote_target(o->name, o->remote));
    expect_body(response, {200});
    if (o->local.empty()) {
      std::cout.write(response->body.data(), static_cast<std::streamsize>(response->body.size()));
      std::cout.flush();
      return;
    }
    std::ofstream out(o->local, std::ios::binary);
    out.write(response->body.data(), static_cast<std::streamsize>(response->body.size()));
    if (!out) fail("cannot write " + o->local);
  });

  auto* rm = sub("rm", "Delete a file from a volume");
  rm->add_option("NAME", o->name, "Volume name")->required();
  rm->add_option("REMOTE", o->remote, "Path in the volume")->required();
  rm->callback([conn, o] {
    expect_body(api(*conn, "DELETE", remote_target(o->name, o->remote)), {204});
    std::cerr << "deleted " << o->remote << "\n";
  });
}

}  // namespace wa::cli
