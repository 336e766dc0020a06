#include "platform/stream_tickets.h"

#include <sodium.h>

#include "platform/error_kinds.h"
#include "platform/jwt.h"
#include "support/sha256.h"

namespace wa::platform {

namespace {
constexpr std::string_view kTicketPrefix = "wst_";
}  // namespace

Expected<StreamTickets::Minted> StreamTickets::mint(int64_t user_id, std::string_view purpose,
                                                    TimePoint now) {
  std::string raw(24, '\0');
  randombytes_buf(raw.data(), raw.size());
  Minted minted{std::string(kTicketPrefix) + base64url_encode(raw), now + kLifetime};
  std::lock_guard lock(mutex_);
  if (tickets_.size() >= kMaxOutstanding) {
    std::erase_if(tickets_, [&](const auto& item) { return item.second.expires_at <= now; });
  }
  if (tickets_.size() >= kMaxOutstanding) {
    return make_error(std::string(error_kind::kOverloaded),
                      "too many stream tickets outstanding; retry in a minute");
  }
  size_t mine = 0;
  for (const auto& [hash, entry] : tickets_) {
    if (entry.user_id == user_id && entry.expires_at > now) ++mine;
  }
  if (mine >= kMaxPerUser) {
    return make_error(std::string(error_kind::kRateLimited),
                      "too many unused stream tickets; use them or wait a minute");
  }
  tickets_[sha256_hex(minted.ticket)] = Entry{user_id, std::string(purpose), minted.expires_at};
  return minted;
}

Expected<int64_t> StreamTickets::redeem(std::string_view ticket, std::string_view purpose,
                                        TimePoint now) {
  auto refuse = [] {
    return make_error(std::string(error_kind::kUnauthorized),
                      "the stream ticket is unknown, expired, already used or for another "
                      "stream; mint a new one");
  };
  if (!ticket.starts_with(kTicketPrefix)) return refuse();
  std::lock_guard lock(mutex_);
  auto it = tickets_.find(sha256_hex(ticket));
  if (it == tickets_.end()) return refuse();
  // Single use: a ticket shown to the wrong purpose is burnt too (it has leaked anyway).
  Entry entry = std::move(it->second);
  tickets_.erase(it);
  if (entry.expires_at <= now || entry.purpose != purpose) return refuse();
  return entry.user_id;
}

}  // namespace wa::platform
