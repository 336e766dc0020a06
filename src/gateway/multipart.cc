#include "gateway/multipart.h"

#include <algorithm>
#include <cctype>
#include <random>

namespace wa::gateway {

namespace {

Error bad(std::string message) { return make_error("bad_request", std::move(message)); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Parses `; key=value; key="quoted \" value"` parameters after a header's main value.
// Keys are lower-cased; returns false on an unterminated quoted string.
bool parse_parameters(std::string_view text,
                      std::vector<std::pair<std::string, std::string>>& out) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ';' || text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) break;
    size_t key_start = i;
    while (i < text.size() && text[i] != '=' && text[i] != ';') ++i;
    std::string key = lower(trim(text.substr(key_start, i - key_start)));
    std::string value;
    if (i < text.size() && text[i] == '=') {
      ++i;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          char c = text[i++];
          if (c == '\\' && i < text.size()) {
            value += text[i++];
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value += c;
          }
        }
        if (!closed) return false;
      } else {
        size_t value_start = i;
        while (i < text.size() && text[i] != ';') ++i;
        value = std::string(trim(text.substr(value_start, i - value_start)));
      }
    }
    if (!key.empty()) out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

std::string parameter(const std::vector<std::pair<std::string, std::string>>& params,
                      std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return {};
}

// Parses the header block of one part (lines separated by CRLF or LF).
Status parse_part_headers(std::string_view block, MultipartPart& part, size_t index) {
  bool has_disposition = false;
  while (!block.empty()) {
    auto lf = block.find('\n');
    std::string_view line = trim(block.substr(0, lf));
    block = lf == std::string_view::npos ? std::string_view{} : block.substr(lf + 1);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return bad("part " + std::to_string(index + 1) + " has a malformed header line");
    }
    std::string name = lower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      auto semicolon = value.find(';');
      if (lower(trim(value.substr(0, semicolon))) != "form-data") {
        return bad("part " + std::to_string(index + 1) + " is not form-data");
      }
      std::vector<std::pair<std::string, std::string>> params;
      if (semicolon != std::string_view::npos &&
          !parse_parameters(value.substr(semicolon), params)) {
        return bad("part " + std::to_string(index + 1) +
                   " has an unterminated quoted string in Content-Disposition");
      }
      part.name = parameter(params, "name");
      part.filename = parameter(params, "filename");
      has_disposition = true;
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (!has_disposition) {
    return bad("part " + std::to_string(index + 1) + " has no Content-Disposition header");
  }
  if (part.name.empty()) return bad("part " + std::to_string(index + 1) + " has no name");
  return ok_status();
}

}  // namespace

Expected<std::string> multipart_boundary(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  if (lower(trim(content_type.substr(0, semicolon))) != "multipart/form-data") {
    return bad("expected Content-Type multipart/form-data");
  }
  std::vector<std::pair<std::string, std::string>> params;
  if (semicolon == std::string_view::npos ||
      !parse_parameters(content_type.substr(semicolon), params)) {
    return bad("multipart/form-data without a boundary parameter");
  }
  std::string boundary = parameter(params, "boundary");
  // RFC 2046: 1 to 70 characters.
  if (boundary.empty() || boundary.size() > 70) {
    return bad("multipart boundary must be 1 to 70 characters");
  }
  return boundary;
}

Expected<std::vector<MultipartPart>> parse_multipart(std::string_view body,
                                                     std::string_view boundary,
                                                     size_t max_parts) {
  if (boundary.empty()) return bad("empty multipart boundary");
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter may start the body or follow a preamble line.
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    pos = body.find("\n" + delimiter);
    if (pos == std::string_view::npos) return bad("multipart body has no boundary line");
    pos += 1 + delimiter.size();
  }
  std::vector<MultipartPart> parts;
  while (true) {
    // After a delimiter: "--" ends the body, otherwise the rest of the line is
    // (ignored) whitespace before the part's headers.
    if (body.substr(pos, 2) == "--") return parts;
    auto line_end = body.find('\n', pos);
    if (line_end == std::string_view::npos) return bad("multipart body ends after a boundary");
    pos = line_end + 1;
    if (parts.size() == max_parts) {
      return bad("more than " + std::to_string(max_parts) + " multipart parts");
    }
    // Headers end at the first empty line (CRLF CRLF, or LF LF).
    size_t headers_end;
    size_t data_start;
    if (body.substr(pos, 2) == "\r\n") {
      headers_end = pos;
      data_start = pos + 2;
    } else if (body.substr(pos, 1) == "\n") {
      headers_end = pos;
      data_start = pos + 1;
    } else {
      size_t crlf = body.find("\r\n\r\n", pos);
      size_t lf = body.find("\n\n", pos);
      if (crlf == std::string_view::npos && lf == std::string_view::npos) {
        return bad("part " + std::to_string(parts.size() + 1) + " headers are not terminated");
      }
      if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
        headers_end = crlf;
        data_start = crlf + 4;
      } else {
        headers_end = lf;
        data_start = lf + 2;
      }
    }
    MultipartPart part;
    if (auto status = parse_part_headers(body.substr(pos, headers_end - pos), part, parts.size());
        !status) {
      return status.error();
    }
    // The data ends at the line break before the next delimiter.
    size_t next = body.find("\n" + delimiter, data_start);
    if (next == std::string_view::npos) {
      return bad("part \"" + part.name + "\" is not followed by a closing boundary");
    }
    size_t data_end = next;
    if (data_end > data_start && body[data_end - 1] == '\r') --data_end;
    part.data = std::string(body.substr(data_start, data_end - data_start));
    parts.push_back(std::move(part));
    pos = next + 1 + delimiter.size();
  }
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const auto& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

namespace {

std::string quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n') continue;  // cannot appear in a header
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string encode_multipart(const std::vector<MultipartPart>& parts, std::string_view boundary) {
  std::string out;
  for (const auto& part : parts) {
    out += "--";
    out += boundary;
    out += "\r\nContent-Disposition: form-data; name=" + quote(part.name);
    if (!part.filename.empty()) out += "; filename=" + quote(part.filename);
    out += "\r\n";
    if (!part.content_type.empty()) out += "Content-Type: " + part.content_type + "\r\n";
    out += "\r\n";
    out += part.data;
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

std::string random_multipart_boundary() {
  static constexpr std::string_view kAlphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string boundary = "wasm-actions-";
  for (int i = 0; i < 32; ++i) boundary += kAlphabet[pick(rng)];
  return boundary;
}

}  // namespace wa::gateway
