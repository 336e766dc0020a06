#include "gateway/static_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace wa::gateway {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("wa-static-" + std::to_string(std::random_device{}()));
    fs::create_directories(base_ / "root" / "assets");
    write(base_ / "root" / "index.html", "<html>app</html>");
    write(base_ / "root" / "assets" / "app.js", "console.log(1)");
    write(base_ / "secret.txt", "do not serve");
    fs::create_symlink(base_ / "secret.txt", base_ / "root" / "link.txt");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  fs::path base_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypes) {
  StaticFiles files(base_ / "root");
  auto js = files.file("/assets/app.js", false);
  ASSERT_TRUE(js);
  EXPECT_EQ(js->body(), "console.log(1)");
  EXPECT_EQ((*js)[http::field::content_type], "text/javascript; charset=utf-8");
  auto root = files.file("/", false);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->body(), "<html>app</html>");
  ASSERT_TRUE(files.index(false));
  EXPECT_FALSE(files.file("/missing.js", false));
}

TEST_F(StaticFilesTest, RefusesToLeaveTheRoot) {
  StaticFiles files(base_ / "root");
  EXPECT_FALSE(files.file("/../secret.txt", false));
  EXPECT_FALSE(files.file("/assets/../../secret.txt", false));
  EXPECT_FALSE(files.file("/%2e%2e/secret.txt", false));
  EXPECT_FALSE(files.file("/link.txt", false)) << "symlink pointing outside the root";
}

TEST_F(StaticFilesTest, DisabledWithoutRoot) {
  StaticFiles files("");
  EXPECT_FALSE(files.enabled());
  EXPECT_FALSE(files.file("/", false));
}

TEST(MimeTypes, KnownAndUnknown) {
  EXPECT_EQ(mime_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.wasm"), "application/wasm");
  EXPECT_EQ(mime_type_for("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace wa::gateway
