#include <boost/algorithm/string/predicate.hpp>
#include <string>

#include "capabilities/action_caller.h"
#include "capabilities/grants.h"

namespace wa::capabilities {

namespace {

constexpr std::string_view kChainDomain = ".actions.internal";

}  // namespace

Expected<std::optional<ChainedRequest>> parse_chain_url(std::string_view url) {
  auto invalid = [](std::string why) -> Error {
    return make_error("invalid_url", "chained call URL " + why);
  };
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::optional<ChainedRequest>{};
  std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  // Only the host decides whether this is a chained call: strip a port first.
  std::string_view host = authority;
  std::string_view port;
  if (size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.size() > 0 && host.back() == '.') host.remove_suffix(1);  // "x.actions.internal."
  if (host.size() < kChainDomain.size() ||
      !boost::algorithm::iequals(host.substr(host.size() - kChainDomain.size()), kChainDomain)) {
    return std::optional<ChainedRequest>{};
  }
  if (!boost::algorithm::iequals(scheme, "http") && !boost::algorithm::iequals(scheme, "https"))
    return invalid("must use http:// (got \"" + std::string(scheme) + "\")");
  if (authority.find('@') != std::string_view::npos) return invalid("may not carry user info");
  if (!port.empty() && port != "80" && port != "443")
    return invalid("may not name a port other than 80 or 443");
  std::string_view name = host.substr(0, host.size() - kChainDomain.size());
  if (!is_resource_name(name))
    return invalid("names no action: \"" + std::string(name) +
                   "\" is not 1-64 of letters, digits, '_', '.', '-'");
  if (size_t hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  for (char c : tail) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return invalid("has a space or control character in its path");
  }
  ChainedRequest request;
  request.action = std::string(name);
  request.path_and_query =
      tail.empty() || tail.front() == '?' ? "/" + std::string(tail) : std::string(tail);
  return std::optional<ChainedRequest>{std::move(request)};
}

}  // namespace wa::capabilities
