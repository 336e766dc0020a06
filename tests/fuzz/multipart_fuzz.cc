// Fuzzes the multipart/form-data parser (gateway/multipart), which reads every upload
// before authentication has looked at anything but the header.
// The first byte picks a mode:
//   even: the input is "Content-Type value\n" + body, parsed as the server does;
//   odd:  the input describes parts that are encoded and parsed back, which must give
//         the same parts (what the CLI sends is what the server reads).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/multipart.h"

namespace {

using wa::gateway::MultipartPart;

constexpr size_t kMaxParts = 8;
constexpr std::string_view kBoundary = "fuzz-boundary-7Qx";

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "multipart invariant violated: %s\n", what);
  std::abort();
}

void parse_as_server(std::string_view input) {
  auto eol = input.find('\n');
  std::string_view content_type = input.substr(0, eol);
  std::string_view body =
      eol == std::string_view::npos ? std::string_view{} : input.substr(eol + 1);
  auto boundary = wa::gateway::multipart_boundary(content_type);
  if (!boundary) return;
  if (boundary->empty() || boundary->size() > 70) fail("boundary outside 1..70 characters");
  auto parts = wa::gateway::parse_multipart(body, *boundary, kMaxParts);
  if (!parts) {
    if (parts.error().message.empty()) fail("error without a message");
    return;
  }
  if (parts->size() > kMaxParts) fail("more parts than max_parts");
  size_t total = 0;
  for (const auto& part : *parts) {
    if (part.name.empty()) fail("a part without a name");
    total += part.data.size();
  }
  if (total > body.size()) fail("more data than body");
  (void)wa::gateway::find_part(*parts, "module");
}

// Header text the encoder can carry: no line breaks (it drops them) and, for the
// Content-Type, no surrounding blanks (the parser trims them).
std::string header_text(FuzzedDataProvider& in, bool trim) {
  std::string s = in.ConsumeRandomLengthString(40);
  std::string out;
  for (char c : s) {
    if (c != '\r' && c != '\n') out += c;
  }
  if (trim) {
    while (!out.empty() && (out.front() == ' ' || out.front() == '\t')) out.erase(0, 1);
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  }
  return out;
}

void round_trip(FuzzedDataProvider& in) {
  std::vector<MultipartPart> parts(in.ConsumeIntegralInRange<size_t>(0, kMaxParts));
  for (auto& part : parts) {
    part.name = header_text(in, false);
    if (part.name.empty()) part.name = "x";
    part.filename = header_text(in, false);
    part.content_type = header_text(in, true);
    part.data = in.ConsumeRandomLengthString(512);
    for (const std::string* field : {&part.name, &part.filename, &part.content_type, &part.data}) {
      if (field->find(kBoundary) != std::string::npos) return;  // the encoder's precondition
    }
  }
  std::string body = wa::gateway::encode_multipart(parts, kBoundary);
  auto parsed = wa::gateway::parse_multipart(body, kBoundary, kMaxParts);
  if (!parsed) {
    std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
    fail("an encoded body does not parse");
  }
  if (parsed->size() != parts.size()) fail("part count changed in the round trip");
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& a = parts[i];
    const auto& b = (*parsed)[i];
    if (a.name != b.name || a.filename != b.filename || a.content_type != b.content_type ||
        a.data != b.data) {
      fail("a part changed in the round trip");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    parse_as_server(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  } else {
    FuzzedDataProvider in(data + 1, size - 1);
    round_trip(in);
  }
  return 0;
}
