// StreamTickets: short-lived, single-use credentials for one purpose (e.g. the log stream
// of one action), for clients that cannot send an Authorization header (EventSource, a
// URL handed to another tool). Minted by an authenticated POST; a ticket in a URL is worth
// one stream for a minute, never a session.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/clock.h"
#include "support/expected.h"

namespace wa::platform {

class StreamTickets {
 public:
  // A minute covers a client that mints and then connects; longer would only widen the
  // window for a ticket leaked through a log or a Referer.
  static constexpr std::chrono::seconds kLifetime{60};
  // Outstanding tickets kept at most (expired ones are swept first): bounds memory.
  static constexpr size_t kMaxOutstanding = 10000;
  // ...and per user, so one user cannot use up everybody's.
  static constexpr size_t kMaxPerUser = 64;

  struct Minted {
    std::string ticket;
    TimePoint expires_at;
  };

  // Errors: overloaded (too many outstanding tickets), rate_limited (too many of this
  // user's).
  Expected<Minted> mint(int64_t user_id, std::string_view purpose, TimePoint now = Clock::now());
  // The user the ticket was minted for, consuming it. unauthorized if unknown, expired,
  // already used, or minted for another purpose.
  Expected<int64_t> redeem(std::string_view ticket, std::string_view purpose,
                           TimePoint now = Clock::now());

 private:
  struct Entry {
    int64_t user_id;
    std::string purpose;
    TimePoint expires_at;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> tickets_;  // keyed by the ticket's sha256
};

}  // namespace wa::platform
