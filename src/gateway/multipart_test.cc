#include <gtest/gtest.h>

#include "gateway/multipart.h"

namespace wa::gateway {
namespace {

TEST(Multipart, BoundaryFromContentType) {
  auto b = multipart_boundary("multipart/form-data; boundary=abc123");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, "abc123");
  auto quoted = multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(*quoted, "a b;c");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
}

TEST(Multipart, RoundTripsBinaryData) {
  std::string binary("\0asm\x01\0\0\0\r\n--notboundary\r\n", 27);
  std::vector<MultipartPart> parts = {
      {"name", "", "", "hello"},
      {"route", "", "", "/hello"},
      {"module", "hello \"x\".wasm", "application/wasm", binary},
      {"settings", "", "application/json", "{\"timeout_ms\": 100}"},
  };
  std::string boundary = random_multipart_boundary();
  auto parsed = parse_multipart(encode_multipart(parts, boundary), boundary);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].name, "name");
  EXPECT_EQ((*parsed)[0].data, "hello");
  EXPECT_EQ((*parsed)[2].filename, "hello \"x\".wasm");
  EXPECT_EQ((*parsed)[2].content_type, "application/wasm");
  EXPECT_EQ((*parsed)[2].data, binary);
  ASSERT_NE(find_part(*parsed, "settings"), nullptr);
  EXPECT_EQ(find_part(*parsed, "settings")->data, "{\"timeout_ms\": 100}");
  EXPECT_EQ(find_part(*parsed, "missing"), nullptr);
}

TEST(Multipart, AcceptsPreambleLfLinesAndEmptyParts) {
  std::string body =
      "preamble text\n"
      "--XYZ\n"
      "content-disposition: form-data; name=a\n"
      "\n"
      "first\n"
      "--XYZ  \n"
      "Content-Disposition: form-data; name=\"empty\"\n"
      "\n"
      "\n"
      "--XYZ--\n"
      "epilogue";
  auto parsed = parse_multipart(body, "XYZ");
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].data, "first");
  EXPECT_EQ((*parsed)[1].name, "empty");
  EXPECT_EQ((*parsed)[1].data, "");
}

TEST(Multipart, RejectsMalformedBodies) {
  auto expect_error = [](std::string body, std::string fragment) {
    auto parsed = parse_multipart(body, "B");
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().kind, "bad_request");
    EXPECT_NE(parsed.error().message.find(fragment), std::string::npos)
        << parsed.error().message;
  };
  expect_error("no boundary here", "no boundary");
  expect_error("--B\r\nContent-Disposition: form-data; name=a\r\n", "not terminated");
  expect_error("--B\r\nContent-Disposition: form-data; name=a\r\n\r\ndata without end",
               "closing boundary");
  expect_error("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--", "Content-Disposition");
  expect_error("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--", "no name");
  expect_error("--B\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--B--", "form-data");
  expect_error("--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--B--", "unterminated");
  expect_error("--B", "ends after a boundary");
}

TEST(Multipart, LimitsThePartCount) {
  std::vector<MultipartPart> parts(5, MultipartPart{"p", "", "", "x"});
  auto body = encode_multipart(parts, "B");
  EXPECT_TRUE(parse_multipart(body, "B", 5));
  auto too_many = parse_multipart(body, "B", 4);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 4"), std::string::npos);
}

}  // namespace
}  // namespace wa::gateway
