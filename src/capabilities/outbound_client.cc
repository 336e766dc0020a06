#include "capabilities/outbound_client.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <mutex>
#include <optional>

#include "capabilities/address_policy.h"
#include "capabilities/header_lines.h"

namespace wa::capabilities {
namespace {

using Clock = std::chrono::steady_clock;
using boost::algorithm::iequals;
using boost::algorithm::to_lower_copy;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n'))
    text.remove_suffix(1);
  return text;
}

// Guest text quoted in an error message (which may reach a log): bounded, no control bytes.
std::string printable(std::string_view text, size_t max = 64) {
  std::string out(text.substr(0, max));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  if (text.size() > max) out += "...";
  return out;
}

Error failure(const char* kind, std::string message) {
  return make_error(kind, std::move(message));
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Owns a CURLU and the strings curl_url_get hands out.
struct UrlHandle {
  CURLU* url = curl_url();
  ~UrlHandle() { curl_url_cleanup(url); }
  std::optional<std::string> get(CURLUPart part, unsigned flags = 0) const {
    char* text = nullptr;
    if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return std::nullopt;
    std::string out(text);
    curl_free(text);
    return out;
  }
};

std::string origin_of(const UrlParts& parts) {
  std::string host =
      parts.host.find(':') != std::string::npos ? "[" + parts.host + "]" : parts.host;
  return parts.scheme + "://" + host + ":" + std::to_string(parts.port);
}

// Request headers curl computes itself: the guest's copy could frame a second request
// (smuggling) or disagree with the body actually sent.
bool is_computed_header(std::string_view name) {
  for (std::string_view reserved :
       {"host", "content-length", "transfer-encoding", "connection", "expect"})
    if (iequals(name, reserved)) return true;
  return false;
}

// Headers that carry the caller's credentials: not sent on to another origin by a redirect.
bool is_credential_header(std::string_view name) {
  for (std::string_view secret : {"authorization", "cookie", "proxy-authorization"})
    if (iequals(name, secret)) return true;
  return false;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

Expected<UrlParts> parse_http_url(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return make_error(outbound_error::kInvalidUrl, "\"" + printable(url, 200) + "\" " + why);
  };
  if (url.empty()) return bad("is empty (an absolute http or https URL is needed)");
  if (url.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  global_init();
  UrlHandle handle;
  if (handle.url == nullptr) return bad("could not be parsed (out of memory)");
  std::string text(url);
  if (CURLUcode rc = curl_url_set(handle.url, CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK)
    return bad(std::string("is not an absolute URL (") + curl_url_strerror(rc) + ")");
  UrlParts parts;
  auto scheme = handle.get(CURLUPART_SCHEME);
  if (!scheme) return bad("has no scheme");
  parts.scheme = to_lower_copy(*scheme);
  if (parts.scheme != "http" && parts.scheme != "https")
    return bad("has scheme \"" + parts.scheme + "\"; only http and https are supported");
  auto host = handle.get(CURLUPART_HOST);
  if (!host || host->empty()) return bad("has no host");
  std::string h = to_lower_copy(*host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  // "http://./" parses, but names no host (the allowlist compares names without the dot).
  if (h.empty() || h == ".") return bad("has no host");
  parts.host = std::move(h);
  auto port = handle.get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!port) return bad("has no port");
  long number = 0;
  try {
    number = std::stol(*port);
  } catch (...) {
    return bad("has a bad port");
  }
  if (number < 1 || number > 65535) return bad("has a port outside 1-65535");
  parts.port = static_cast<uint16_t>(number);
  parts.path_and_query = handle.get(CURLUPART_PATH).value_or("/");
  if (parts.path_and_query.empty()) parts.path_and_query = "/";
  if (auto query = handle.get(CURLUPART_QUERY)) parts.path_and_query += "?" + *query;
  return parts;
}

struct OutboundClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

namespace {

// What one hop's callbacks see and leave behind. Lives on the stack of fetch().
struct Transfer {
  const HostAllowlist* allowlist = nullptr;
  std::string host;  // the URL's host, for messages
  const std::function<bool()>* interrupted = nullptr;
  uint64_t max_bytes = 0;

  unsigned status = 0;
  HttpHeaders headers;
  uint64_t header_bytes = 0;
  std::string body;

  std::optional<std::string> refused;  // why a connection was not opened
  bool too_large = false;
  bool was_interrupted = false;

  // Called for every address a connection is about to use (after DNS), and again for a
  // connection reused from the cache. `numeric` is the address as text ("127.0.0.1").
  bool address_allowed(const std::string& numeric, uint16_t port) {
    auto restricted = restricted_address_class(numeric);
    if (!restricted) return true;
    if (allowlist->names_address_literally(numeric, port)) return true;
    if (!refused)
      refused = "host " + host + " resolves to " + numeric + " (" + *restricted +
                "), which the allowlist does not name; only an entry with that IP address "
                "(e.g. \"http://" +
                (numeric.find(':') != std::string::npos ? "[" + numeric + "]" : numeric) + ":" +
                std::to_string(port) + "\") reaches it";
    return false;
  }
};

curl_socket_t open_socket(void* data, curlsocktype purpose, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(data);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (address->family != AF_INET && address->family != AF_INET6) {
    if (!transfer->refused) transfer->refused = "host " + transfer->host + " is not an IP address";
    return CURL_SOCKET_BAD;
  }
  if (!transfer->address_allowed(numeric_host(&address->addr), socket_port(&address->addr)))
    return CURL_SOCKET_BAD;
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Also runs for a connection reused from the cache, which open_socket never saw under this
// request's allowlist (the previous request may have had a wider one).
// Also runs for a connection reused from the cache, which open_socket never saw under this
// request's allowlist (the previous request may have had a wider one).
int before_request(void* data, char* ip, char* /*local_ip*/, int port, int /*local_port*/) {
  auto* transfer = static_cast<Transfer*>(data);
  return transfer->address_allowed(ip, static_cast<uint16_t>(port)) ? CURL_PREREQFUNC_OK
                                                                    : CURL_PREREQFUNC_ABORT;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (transfer->body.size() + n > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  transfer->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  transfer->header_bytes += n;
  if (transfer->header_bytes > transfer->max_bytes) {
    transfer->too_large = true;
    return 0;
  }
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line: an interim (1xx) block before it is dropped.
    transfer->headers.clear();
    return n;
  }
  if (trim(line).empty()) return n;
  if (line.front() == ' ' || line.front() == '\t') {
    // obs-fold: a continuation of the previous value.
    if (!transfer->headers.empty()) {
      auto& value = transfer->headers.back().second;
      value += ' ';
      value += trim(line);
    }
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
  // The guest gets the headers as "name:value" lines: a header that is not a token name
  // with a plain value (a bare CR, a NUL) is dropped rather than passed on garbled.
  if (!is_http_token(name) || !is_http_field_value(value)) return n;
  transfer->headers.emplace_back(to_lower_copy(std::string(name)), std::string(value));
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  if (transfer->interrupted && *transfer->interrupted && (*transfer->interrupted)()) {
    transfer->was_interrupted = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) return false;
    list = next;
    return true;
  }
};

}  // namespace

OutboundClient::OutboundClient(OutboundLimits limits)
    : limits_(limits), handle_(std::make_unique<Handle>()) {
  global_init();
}

OutboundClient::~OutboundClient() = default;

Expected<OutboundResponse> OutboundClient::fetch(const OutboundRequest& request,
                                                 const HostAllowlist& allowlist,
                                                 Clock::time_point deadline,
                                                 const std::function<bool()>& interrupted) {
  if (!is_http_token(request.method))
    return failure(outbound_error::kInvalidMethod,
                   "\"" + printable(request.method) + "\" is not an HTTP method");
  for (const auto& [name, value] : request.headers) {
    if (!is_http_token(name))
      return failure(outbound_error::kInvalidEncoding,
                     "request header name \"" + printable(name) + "\" is not an HTTP token");
    if (!is_http_field_value(value))
      return failure(outbound_error::kInvalidEncoding,
                     "request header " + name + " has a control character in its value");
  }
  if (!handle_->curl) handle_->curl = curl_easy_init();
  if (!handle_->curl) return failure(outbound_error::kRequestFailed, "libcurl: out of memory");
  CURL* curl = handle_->curl;

  std::string url = request.url;
  std::string method = request.method;
  std::string_view body = request.body;
  HttpHeaders headers = request.headers;
  // HEAD never carries a body: curl would then wait for a response body that never comes.
  bool send_body = method != "HEAD" &&
                   (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH");
  std::optional<std::string> previous_origin;

  for (unsigned hop = 0;; ++hop) {
    auto parts = parse_http_url(url);
    if (!parts) {
      if (hop == 0) return parts.error();
      return failure(outbound_error::kInvalidUrl,
                     "redirect to an unusable URL: " + parts.error().message);
    }
    if (!allowlist.allows_url(parts->scheme, parts->host, parts->port)) {
      std::string origin = origin_of(*parts);
      std::string message = (hop == 0 ? "" : "redirect: ") + origin +
                            " is not in the action's allowed_outbound_hosts";
      if (allowlist.empty()) message += " (the action has none)";
      return failure(outbound_error::kDestinationNotAllowed, message);
    }
    std::string origin = origin_of(*parts);
    if (previous_origin && *previous_origin != origin)
      std::erase_if(headers, [](const auto& h) { return is_credential_header(h.first); });
    previous_origin = origin;

    if (interrupted && interrupted())
      return failure(outbound_error::kTimeout,
                     "the request was interrupted (the guest was halted)");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return failure(outbound_error::kTimeout, "the guest's deadline passed before the request");

    Transfer transfer;
    transfer.allowlist = &allowlist;
    transfer.host = parts->host;
    transfer.interrupted = &interrupted;
    transfer.max_bytes = limits_.max_response_bytes;

    HeaderList list;
    bool has_content_type = false;
    bool ok = true;
    for (const auto& [name, value] : headers) {
      if (is_computed_header(name)) continue;
      if (iequals(name, "content-type")) has_content_type = true;
      // "Name;" is curl's way to send a header with an empty value ("Name:" would delete it).
      ok = ok && list.add(value.empty() ? name + ";" : name + ": " + value);
    }
    ok = ok && list.add("Expect:");  // no 100-continue round trip
    // curl would add "Content-Type: application/x-www-form-urlencoded" to a body otherwise.
    if (send_body && !has_content_type) ok = ok && list.add("Content-Type:");
    if (!ok) return failure(outbound_error::kRequestFailed, "libcurl: out of memory");

    char error_buffer[CURL_ERROR_SIZE] = "";
    curl_easy_reset(curl);  // keeps the connection and DNS caches
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, left.count())));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(
                         1, std::min<int64_t>(limits_.connect_timeout.count(), left.count()))));
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_PREREQFUNCTION, before_request);
    curl_easy_setopt(curl, CURLOPT_PREREQDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(limits_.max_response_bytes));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list.list);
    if (method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (send_body) {
      static const char kEmpty[] = "";
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? kEmpty : body.data());
      if (method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
      if (method != "GET") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }

    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    char* location = nullptr;
    curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &location);
    std::string next = location ? location : "";
    // The slist, the error buffer and Transfer die with this iteration: no option may keep
    // pointing at them (reset keeps the connection cache).
    curl_easy_reset(curl);

    if (rc != CURLE_OK) {
      std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
      if (transfer.refused)
        return failure(outbound_error::kDestinationNotAllowed, *transfer.refused);
      if (transfer.was_interrupted || rc == CURLE_ABORTED_BY_CALLBACK)
        return failure(outbound_error::kTimeout,
                       "the request was interrupted (the guest was halted)");
      if (rc == CURLE_OPERATION_TIMEDOUT)
        return failure(
            outbound_error::kTimeout,
            "no complete answer from " + origin + " before the guest's deadline (" + detail + ")");
      if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        return failure(outbound_error::kTooLarge,
                       "the response from " + origin + " is larger than " +
                           std::to_string(limits_.max_response_bytes) + " bytes");
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        return failure(outbound_error::kInvalidUrl, "\"" + printable(url, 200) + "\": " + detail);
      const char* what = "request";
      switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
          what = "DNS";
          break;
        case CURLE_COULDNT_CONNECT:
          what = "connect";
          break;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_USE_SSL_FAILED:
          what = "TLS";
          break;
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
          what = "protocol";
          break;
        default:
          break;
      }
      return failure(outbound_error::kRequestFailed,
                     std::string(what) + " error for " + origin + ": " + detail);
    }

    if (is_redirect(status) && !next.empty()) {
      if (hop >= limits_.max_redirects)
        return failure(outbound_error::kRequestFailed, "more than " +
                                                           std::to_string(limits_.max_redirects) +
                                                           " redirects (last from " + origin + ")");
      if (status == 303 || ((status == 301 || status == 302) && method == "POST")) {
        // As browsers do: the follow-up is a GET without the body (HEAD stays HEAD).
        if (method != "HEAD") method = "GET";
        body = {};
        send_body = false;
        std::erase_if(headers, [](const auto& h) {
          return iequals(h.first, "content-type") || iequals(h.first, "content-encoding") ||
                 iequals(h.first, "content-language") || iequals(h.first, "content-location");
        });
      }
      url = std::move(next);
      continue;
    }

    OutboundResponse response;
    response.status = static_cast<unsigned>(status);
    response.headers = std::move(transfer.headers);
    response.body = std::move(transfer.body);
    response.url = std::move(url);
    return response;
  }
}

}  // namespace wa::capabilities
