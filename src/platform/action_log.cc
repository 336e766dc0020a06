#include "platform/action_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "platform/error_kinds.h"

namespace wa::platform {

namespace {

constexpr std::string_view kCutMark = "…";

LogLevel parse_level(std::string_view text) {
  if (text == "error") return LogLevel::kError;
  if (text == "warn") return LogLevel::kWarn;
  return LogLevel::kInfo;
}

LogEntry entry_from_row(const SqlRow& row) {
  return LogEntry{row.integer(0),           row.integer(1), row.integer(2), row.text(3),
                  parse_level(row.text(4)), row.text(5),    row.text(6)};
}

constexpr std::string_view kSelect =
    "SELECT id, action_id, time_ms, request_id, level, outcome, message FROM action_logs ";

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string_view parent_request_id(std::string_view request_id) {
  const size_t dot = request_id.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : request_id.substr(0, dot);
}

nlohmann::json LogEntry::to_json() const {
  nlohmann::json out = {{"id", id},
                        {"time", time_ms},
                        {"request_id", request_id},
                        {"level", log_level_name(level)},
                        {"outcome", outcome},
                        {"message", message}};
  // Absent rather than "" for a root request, so a client tells the two apart by presence.
  if (auto parent = parent_request_id(request_id); !parent.empty()) {
    out["parent_request_id"] = parent;
  }
  return out;
}

ActionLog::ActionLog(Database& db, LogConfig config) : db_(db), config_(config) {
  if (config_.batch_interval.count() > 0) batch_thread_ = std::thread([this] { batch_loop(); });
}

ActionLog::~ActionLog() {
  {
    std::lock_guard lock(batch_mutex_);
    stopping_ = true;
  }
  batch_wake_.notify_all();
  if (batch_thread_.joinable()) batch_thread_.join();
  flush_batched();
}

void ActionLog::batch_loop() {
  std::unique_lock lock(batch_mutex_);
  while (!stopping_) {
    batch_wake_.wait_for(lock, config_.batch_interval);
    if (batch_.empty()) continue;
    lock.unlock();
    try {
      flush_batched();
    } catch (const std::exception& e) {
      spdlog::error("action log: storing batched lines failed: {}", e.what());
    }
    lock.lock();
  }
}

void ActionLog::append_batched(LogEntry entry) {
  if (!batch_thread_.joinable()) {
    (void)append(std::move(entry));
    return;
  }
  if (entry.time_ms == 0) entry.time_ms = now_unix_ms();
  std::lock_guard lock(batch_mutex_);
  batch_.push_back(std::move(entry));
}

void ActionLog::flush_batched() {
  std::vector<LogEntry> lines;
  {
    std::lock_guard lock(batch_mutex_);
    lines.swap(batch_);
  }
  if (lines.empty()) return;
  std::vector<LogEntry> published;
  Status stored = ok_status();
  size_t skipped = 0;
  {
    std::lock_guard lock(mutex_);
    stored = db_.transaction([&]() -> Status {
      // A line whose action was deleted meanwhile fails alone (SQLite undoes just that
      // statement): the batch goes on without it.
      for (auto& line : lines) {
        if (!append_locked(std::move(line), published)) ++skipped;
      }
      return ok_status();
    });
  }
  if (!stored) {
    spdlog::error("action log: {} batched lines not stored: {}", lines.size(),
                  stored.error().message);
    return;
  }
  if (skipped > 0) spdlog::warn("action log: {} batched lines of deleted actions dropped", skipped);
  for (const auto& line : published) bus_.publish(line);
}

ActionLog::Ring& ActionLog::ring_locked(int64_t action_id) {
  auto [it, added] = rings_.try_emplace(action_id);
  if (added) {
    // First use since start: seed the ring with the newest persisted lines.
    auto found = db_.query(std::string(kSelect) + "WHERE action_id = ? ORDER BY id DESC LIMIT ?",
                           {action_id, static_cast<int64_t>(config_.ring_capacity)});
    if (found) {
      for (auto row = found->rows.rbegin(); row != found->rows.rend(); ++row) {
        it->second.lines.push_back(entry_from_row(*row));
      }
      it->second.complete = found->rows.size() < config_.ring_capacity;
    }
  }
  return it->second;
}

void ActionLog::push_locked(Ring& ring, LogEntry entry) {
  ring.lines.push_back(std::move(entry));
  if (ring.lines.size() > config_.ring_capacity) {
    ring.lines.pop_front();
    ring.complete = false;
  }
}

Status ActionLog::append(LogEntry entry) {
  std::vector<LogEntry> published;
  Status stored = ok_status();
  {
    std::lock_guard lock(mutex_);
    stored = append_locked(std::move(entry), published);
  }
  for (const auto& line : published) bus_.publish(line);
  return stored;
}

// Lock order is always mutex_ first, then the database's: never call in with a
// transaction open.
Status ActionLog::append_locked(LogEntry entry, std::vector<LogEntry>& published) {
  if (entry.time_ms == 0) entry.time_ms = now_unix_ms();
  if (entry.message.size() > config_.max_line_bytes) {
    entry.message.resize(config_.max_line_bytes);
    entry.message += kCutMark;
  }
  Ring& ring = ring_locked(entry.action_id);
  auto inserted = db_.query(
      "INSERT INTO action_logs (action_id, time_ms, request_id, level, outcome, message) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {entry.action_id, entry.time_ms, entry.request_id, std::string(log_level_name(entry.level)),
       entry.outcome, entry.message});
  if (!inserted) return inserted.error();
  entry.id = inserted->last_insert_id;
  published.push_back(entry);
  push_locked(ring, std::move(entry));
  return ok_status();
}

Status ActionLog::append_stderr(int64_t action_id, const std::string& request_id,
                                const std::string& outcome, std::string_view stderr_text,
                                TimePoint now) {
  std::vector<std::string_view> lines;
  size_t total = 0;
  while (!stderr_text.empty()) {
    size_t end = stderr_text.find('\n');
    std::string_view line = stderr_text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++total;
    if (lines.size() < config_.max_lines_per_request) lines.push_back(line);
    stderr_text = end == std::string_view::npos ? "" : stderr_text.substr(end + 1);
  }
  if (lines.empty()) return ok_status();
  const int64_t time_ms = to_unix_ms(now);
  std::vector<LogEntry> published;
  Status stored = ok_status();
  {
    std::lock_guard lock(mutex_);
    // One transaction for the request's lines: one fsync instead of one per line.
    stored = db_.transaction([&]() -> Status {
      for (auto line : lines) {
        auto st = append_locked(LogEntry{0, action_id, time_ms, request_id, LogLevel::kInfo,
                                         outcome, std::string(line)},
                                published);
        if (!st) return st;
      }
      if (total > lines.size()) {
        return append_locked(
            LogEntry{0, action_id, time_ms, request_id, LogLevel::kWarn, outcome,
                     std::to_string(total - lines.size()) + " more stderr lines were not kept"},
            published);
      }
      return ok_status();
    });
  }
  if (stored) {
    for (const auto& line : published) bus_.publish(line);
  }
  return stored;
}

Expected<std::vector<LogEntry>> ActionLog::recent(int64_t action_id,
                                                  std::optional<int64_t> since_ms, size_t limit) {
  flush_batched();
  std::vector<LogEntry> out;
  {
    std::lock_guard lock(mutex_);
    Ring& ring = ring_locked(action_id);
    const bool covered = ring.complete || (!ring.lines.empty() && since_ms &&
                                           ring.lines.front().time_ms <= *since_ms);
    const bool enough = !since_ms && ring.lines.size() >= limit;
    if (covered || enough) {
      for (auto it = ring.lines.rbegin(); it != ring.lines.rend() && out.size() < limit; ++it) {
        if (since_ms && it->time_ms < *since_ms) break;
        out.push_back(*it);
      }
      std::reverse(out.begin(), out.end());
      return out;
    }
  }
  auto found = db_.query(
      std::string(kSelect) + "WHERE action_id = ? AND time_ms >= ? ORDER BY id DESC LIMIT ?",
      {action_id, since_ms.value_or(0), static_cast<int64_t>(limit)});
  if (!found) return found.error();
  for (auto row = found->rows.rbegin(); row != found->rows.rend(); ++row) {
    out.push_back(entry_from_row(*row));
  }
  return out;
}

std::string_view ActionLog::for_request_sql() {
  return "SELECT l.id, l.action_id, l.time_ms, l.request_id, l.level, l.outcome, l.message, "
         "a.name FROM action_logs l CROSS JOIN actions a ON a.id = l.action_id "
         "WHERE (l.request_id = ? OR (l.request_id >= ? AND l.request_id < ?)) "
         "AND a.owner_id = ? ORDER BY l.id LIMIT ?";
}

Expected<std::vector<LogEntryWithAction>> ActionLog::for_request(int64_t owner_id,
                                                                 std::string_view request_id,
                                                                 size_t limit) {
  // Descendants are the ids in ["<id>.", "<id>/"): '/' is the byte after '.', and ids
  // compare bytewise (BINARY collation), so a range on the request_id index finds them
  // all; LIKE would scan the table (and treat '_' and '%' in the id as wildcards).
  flush_batched();
  const std::string id(request_id);
  auto found = db_.query(std::string(for_request_sql()),
                         {id, id + ".", id + "/", owner_id, static_cast<int64_t>(limit)});
  if (!found) return found.error();
  std::vector<LogEntryWithAction> out;
  out.reserve(found->rows.size());
  for (const auto& row : found->rows) out.push_back({entry_from_row(row), row.text(7)});
  return out;
}

Expected<int64_t> ActionLog::prune(TimePoint now) {
  const int64_t cutoff = to_unix_ms(now - config_.retention);
  int64_t removed = 0;
  auto done = db_.transaction([&]() -> Status {
    auto old = db_.query("DELETE FROM action_logs WHERE time_ms < ?", {cutoff});
    if (!old) return old.error();
    removed += old->changes;
    // Per-action cap: delete everything below each action's Nth newest id.
    auto over = db_.query(
        "DELETE FROM action_logs WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
        "(PARTITION BY action_id ORDER BY id DESC) AS n FROM action_logs) WHERE n > ?)",
        {static_cast<int64_t>(config_.max_persisted_per_action)});
    if (!over) return over.error();
    removed += over->changes;
    return ok_status();
  });
  if (!done) return done.error();
  std::lock_guard lock(mutex_);
  for (auto& [id, ring] : rings_) {
    while (!ring.lines.empty() && ring.lines.front().time_ms < cutoff) ring.lines.pop_front();
  }
  return removed;
}

void ActionLog::forget(int64_t action_id) {
  {
    std::lock_guard lock(mutex_);
    rings_.erase(action_id);
  }
  bus_.close(action_id);
}

}  // namespace wa::platform
