#include "capabilities/header_lines.h"

#include <gtest/gtest.h>

#include <vector>

namespace wa::capabilities {
namespace {

TEST(HeaderLines, ParsesNameValueLines) {
  auto headers = parse_header_lines("Content-Type:text/plain\nX-A: spaced \r\nX-B:a:b:c\n");
  ASSERT_TRUE(headers) << headers.error().message;
  HttpHeaders want{{"Content-Type", "text/plain"}, {"X-A", " spaced "}, {"X-B", "a:b:c"}};
  EXPECT_EQ(*headers, want);
}

TEST(HeaderLines, EmptyTextIsNoHeadersAndEmptyValueIsKept) {
  auto none = parse_header_lines("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto empty_value = parse_header_lines("X-Empty:");
  ASSERT_TRUE(empty_value);
  ASSERT_EQ(empty_value->size(), 1u);
  EXPECT_EQ((*empty_value)[0].second, "");
  auto tab = parse_header_lines("X-Tab:a\tb");
  ASSERT_TRUE(tab);
  EXPECT_EQ((*tab)[0].second, "a\tb");
}

TEST(HeaderLines, RejectsMalformedLines) {
  for (std::string_view bad : std::vector<std::string_view>{
           "no colon", ":empty-name", "bad name:x", "x:\x01", "x:a\rb",
           std::string_view("x:a\0b", 5), "a:b\n\nc:d", "x\x7f:y", "x:\x7f", "(x):y"}) {
    auto result = parse_header_lines(bad);
    ASSERT_FALSE(result) << "accepted: " << bad;
    EXPECT_EQ(result.error().kind, "invalid_argument");
  }
}

TEST(HeaderLines, FormatRoundTrips) {
  HttpHeaders headers{{"a", "1"}, {"set-cookie", "x=1"}, {"set-cookie", "y=2"}, {"e", ""}};
  std::string text = format_header_lines(headers);
  EXPECT_EQ(text, "a:1\nset-cookie:x=1\nset-cookie:y=2\ne:\n");
  auto back = parse_header_lines(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, headers);
  EXPECT_EQ(format_header_lines({}), "");
}

}  // namespace
}  // namespace wa::capabilities
