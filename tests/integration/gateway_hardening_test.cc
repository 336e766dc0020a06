// The gateway against hostile guests and hostile clients: the real server binary, real
// sockets. After each attack the server must still be alive and serving others.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "gateway/http_client.h"
#include "server_process.h"
#include "support/files.h"
#include "test_api.h"

namespace wa::testing {
namespace {

namespace fs = std::filesystem;
using gateway::ClientResponse;
using gateway::HttpClient;
using nlohmann::json;

// A plain TCP connection, for what an HTTP client library would not send or would read.
class RawConnection {
 public:
  // `from`: the local address to bind (any 127.x.y.z works on Linux loopback);
  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting (a slow reader).
  RawConnection(uint16_t port, const std::string& from = "127.0.0.1", int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      throw std::runtime_error("bind to " + from + " failed");
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until the peer closes, `done` says enough, or `limit` passes without data.
  std::string read(std::chrono::milliseconds limit,
                   const std::function<bool(const std::string&)>& done = nullptr) {
    std::string out;
    char buffer[65536];
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(limit.count())) <= 0) break;
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
      if (done && done(out)) break;
    }
    return out;
  }

  // One complete response with a Content-Length (enough for these tests).
  std::string read_response(std::chrono::milliseconds limit) {
    return read(limit, [](const std::string& data) {
      auto end = data.find("\r\n\r\n");
      if (end == std::string::npos) return false;
      auto at = data.find("Content-Length: ");
      if (at == std::string::npos || at > end) return true;
      size_t length = std::stoul(data.substr(at + 16));
      return data.size() >= end + 4 + length;
    });
  }

 private:
  int fd_ = -1;
};

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A /proc/PID/status field in KiB (VmRSS, VmHWM).
uint64_t proc_status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

class GatewayHardening : public ServerTest {
 protected:
  GatewayHardening() : ServerTest("wa-hardening-it") {}
  // Registers, deploys tests/guests/hostile_reply.c at /hostile and waits until it runs.
  std::string deploy_hostile(HttpClient& client, const json& settings = json::object()) {
    std::string token = register_user(client, "ann");
    // 15 MiB replies from fast-tier code on a busy machine: far more time than needed.
    json with_limit = settings;
    if (!with_limit.contains("timeout_ms")) with_limit["timeout_ms"] = 30000;
    deploy_or_fail(client, token, "hostile", "/hostile", read_guest("hostile_reply"), with_limit);
    EXPECT_EQ(call_until_status(client, "/hostile", 200).status, 200u);
    return token;
  }
};

// Items 1, 2, 23: replies Beast cannot send as they are must not take the process down.
TEST_F(GatewayHardening, EveryGuestReplyMapsToAValidResponse) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = deploy_hostile(client);

  for (const char* status : {"204", "304"}) {
    auto r = must(client.get(std::string("/hostile?") + status));
    EXPECT_EQ(r.status, static_cast<unsigned>(std::stoi(status)));
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(must(client.get("/hostile")).status, 200u) << "alive after Status " << status;
  }
  EXPECT_NE(action_logs(client, token, "hostile").find("bytes dropped"), std::string::npos);

  for (const char* attack : {"long_value", "long_name", "long_reason"}) {
    auto r = must(client.get(std::string("/hostile?") + attack));
    EXPECT_EQ(r.status, 502u) << attack;
    for (const auto& [name, value] : r.headers) {
      EXPECT_LT(name.size() + value.size(), 1024u) << attack << ": nothing huge passed on";
    }
    EXPECT_EQ(must(client.get("/hostile")).status, 200u) << "alive after " << attack;
  }
  std::string logs = action_logs(client, token, "hostile");
  EXPECT_NE(logs.find("the limit is"), std::string::npos) << logs;
  EXPECT_NE(logs.find("reason phrase"), std::string::npos) << logs;
}

// A HEAD answer carries the length of the body but not the body: the next response on the
// connection must start right after its header block.
TEST_F(GatewayHardening, HeadAnswersSendNoBody) {
  auto& server = start();
  auto client = client_for(server);
  deploy_hostile(client);
  RawConnection connection(server.port());
  ASSERT_TRUE(
      connection.send_all("HEAD /hostile HTTP/1.1\r\nHost: a\r\n\r\n"
                          "GET /hostile HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string both = connection.read(std::chrono::seconds(30), [](const std::string& d) {
    return d.find("ok\n") != std::string::npos;
  });
  auto first_end = both.find("\r\n\r\n");
  ASSERT_NE(first_end, std::string::npos) << both;
  EXPECT_NE(both.substr(0, first_end).find("Content-Length: 3"), std::string::npos) << both;
  EXPECT_EQ(both.compare(first_end + 4, 12, "HTTP/1.1 200"), 0) << both;
}

// Item 21: stderr has its own cap; it never decides whether the reply stands.
TEST_F(GatewayHardening, LotsOfStderrDoesNotSpoilTheReply) {
  auto& server = start();
  auto client = client_for(server);
  std::string token = deploy_hostile(client);
  auto r = must(client.get("/hostile?stderr"));
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.body, "reply after a lot of stderr\n");
  EXPECT_NE(action_logs(client, token, "hostile").find("more stderr lines were not kept"),
            std::string::npos);
}

// Item 15: a Transfer-Encoding we cannot frame is a 400 and the end of the connection,
// never a body that runs as the next request.
TEST_F(GatewayHardening, UnframeableTransferEncodingIs400AndClose) {
  auto& server = start();
  const std::string smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
  for (const std::string& framing : std::vector<std::string>{
           "Transfer-Encoding: xchunked\r\n", "Transfer-Encoding: chunked, gzip\r\n",
           "Transfer-Encoding: gzip\r\n",
           "Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(smuggled.size()) +
               "\r\n",
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"}) {
    RawConnection connection(server.port());
    ASSERT_TRUE(
        connection.send_all("POST /x HTTP/1.1\r\nHost: a\r\n" + framing + "\r\n" + smuggled));
    std::string answer = connection.read(std::chrono::seconds(30));
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << framing << answer;
    EXPECT_EQ(count_of(answer, "HTTP/1.1 "), 1u) << framing << ": one answer, then close";
  }
  // Real chunked framing still works (no action at /x: 404, not 400).
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send_all(
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  EXPECT_EQ(connection.read_response(std::chrono::seconds(30)).rfind("HTTP/1.1 404", 0), 0u);
}

// Item 6, per address: one client address cannot take every connection.
TEST_F(GatewayHardening, PerAddressConnectionCapRefusesCleanly) {
  auto& server = start({"--max-connections-per-address", "4"});
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(held.back()->send_all(request));
    ASSERT_EQ(held.back()->read_response(std::chrono::seconds(30)).rfind("HTTP/1.1 200", 0), 0u);
  }
  {
    RawConnection fifth(server.port());
    fifth.send_all(request);
    std::string answer = fifth.read(std::chrono::seconds(30));
    // Refused: a 503 (or, if our request raced the close, just the close), never served.
    EXPECT_TRUE(answer.empty() || answer.rfind("HTTP/1.1 503", 0) == 0) << answer;
  }
  // Another address is not affected.
  RawConnection other(server.port(), "127.0.0.2");
  ASSERT_TRUE(other.send_all(request));
  EXPECT_EQ(other.read_response(std::chrono::seconds(30)).rfind("HTTP/1.1 200", 0), 0u);
  // A freed place is usable again.
  held.pop_back();
  std::string answer;
  for (int attempt = 0; attempt < 200 && answer.rfind("HTTP/1.1 200", 0) != 0; ++attempt) {
    RawConnection again(server.port());
    again.send_all(request);
    answer = again.read_response(std::chrono::seconds(30));
    if (answer.rfind("HTTP/1.1 200", 0) != 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

// Item 6, descriptors: out of fds, the accept loop backs off (no spin, no log flood) and
// serves again once fds are free.
TEST_F(GatewayHardening, RunningOutOfDescriptorsBacksOffAndRecovers) {
  fs::path log = data_ / "server.log";
  auto& server = start({"--max-connections", "100000", "--max-connections-per-address", "100000",
                        "--io-threads", "1"},
                       ProcessOptions{64, log});
  std::vector<std::unique_ptr<RawConnection>> flood;
  for (int i = 0; i < 100; ++i) flood.push_back(std::make_unique<RawConnection>(server.port()));
  // Give a spinning accept loop time to show itself (this is not a timing assertion).
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto log_size = fs::file_size(log);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("Too many open files"), std::string::npos) << "the fds did run out";
  EXPECT_LT(log_size, 64u * 1024) << "the log must not explode";
  std::printf("[ measured ] log after 2 s out of descriptors: %zu bytes\n",
              static_cast<size_t>(log_size));
  flood.clear();
  auto client = client_for(server);
  ClientResponse health;
  for (int attempt = 0; attempt < 100 && health.status != 200; ++attempt) {
    auto r = client.get("/healthz");
    if (r) health = *r;
    if (health.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(health.status, 200u) << "serves again once descriptors are free";
}

// Item 6, start-up: a low soft descriptor limit is raised to the hard one, so 100 open
// connections are all served.
TEST_F(GatewayHardening, SoftDescriptorLimitIsRaisedAtStart) {
  rlimit hard{};
  getrlimit(RLIMIT_NOFILE, &hard);
  if (hard.rlim_max != RLIM_INFINITY && hard.rlim_max < 512) GTEST_SKIP() << "hard limit too low";
  auto& server = start({}, ProcessOptions{0, {}, 64});
  std::vector<std::unique_ptr<RawConnection>> open;
  for (int i = 0; i < 100; ++i) {
    open.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(open.back()->send_all("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"));
  }
  int served = 0;
  for (auto& connection : open) {
    served += connection->read_response(std::chrono::seconds(10)).rfind("HTTP/1.1 200", 0) == 0;
  }
  EXPECT_EQ(served, 100);
}

// Item 7: clients that never read cannot make the server hold unbounded response memory.
TEST_F(GatewayHardening, SlowReadersCannotExhaustMemory) {
  auto& server = start({"--workers", "2", "--max-response-bytes", std::to_string(32 << 20),
                        "--max-unsent-bytes", std::to_string(64 << 20)});
  auto client = client_for(server);
  deploy_hostile(client);
  // Warm up: one full 15 MiB response read, so the baseline includes its one-time costs.
  auto warm = must(client.get("/hostile?big=15"));
  ASSERT_EQ(warm.status, 200u);
  ASSERT_EQ(warm.body.size(), size_t{15} << 20);
  uint64_t baseline_kib = proc_status_kib(server.pid(), "VmHWM");

  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 40; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server.port(), "127.0.0.1", 4096));
    ASSERT_TRUE(slow.back()->send_all("GET /hostile?big=15 HTTP/1.1\r\nHost: a\r\n\r\n"));
  }
  // Queued behind the 40 (FIFO workers): once these are answered, the 40 have run.
  for (int i = 0; i < 2; ++i) {
    auto other = must(client.get("/hostile?big=15"));
    EXPECT_EQ(other.status, 200u) << "another client is still served";
    EXPECT_EQ(other.body.size(), size_t{15} << 20);
  }
  EXPECT_EQ(must(client.get("/hostile")).status, 200u);
  uint64_t peak_kib = proc_status_kib(server.pid(), "VmHWM");
  uint64_t grown_mib = (peak_kib - std::min(peak_kib, baseline_kib)) >> 10;
  std::printf("[ measured ] 40 non-reading clients of 15 MiB: peak RSS grew by %llu MiB\n",
              static_cast<unsigned long long>(grown_mib));
  // Budget: 64 MiB of unsent responses + up to 128 MiB for responses being produced and
  // handed over (2 workers, 15 MiB each, string growth) and slack. Unbounded: 600 MiB.
  EXPECT_LT(grown_mib, 64u + 128u);
}

// Item 16: after the grace period, the queued get 503, the running are halted (503).
TEST_F(GatewayHardening, ShutdownAnswersEveryoneAfterTheGracePeriod) {
  auto& server = start({"--workers", "2", "--io-threads", "1", "--shutdown-grace-seconds", "1"});
  auto client = client_for(server);
  std::string token = register_user(client, "ann");
  deploy_or_fail(client, token, "loop", "/loop", read_guest("loop"), {{"timeout_ms", 30000}});
  wait_until_ready_or_fail(client, token, "loop");
  std::vector<std::unique_ptr<RawConnection>> callers;
  for (int i = 0; i < 6; ++i) {
    callers.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(callers.back()->send_all("GET /loop HTTP/1.1\r\nHost: a\r\n\r\n"));
  }
  // One I/O thread handles connections in the order they arrived: once a later request
  // is answered, the six are read and submitted (two run, four wait in the queue).
  RawConnection later(server.port());
  ASSERT_TRUE(later.send_all("GET /nothing-here HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_EQ(later.read_response(std::chrono::seconds(30)).rfind("HTTP/1.1 404", 0), 0u);
  server.signal(SIGTERM);
  int answered_503 = 0;
  for (auto& caller : callers) {
    // Far below the guests' own 30 s limit: an answer here comes from the shutdown.
    std::string answer = caller->read_response(std::chrono::seconds(20));
    EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
    answered_503 += answer.rfind("HTTP/1.1 503", 0) == 0;
  }
  EXPECT_EQ(answered_503, 6);
  EXPECT_EQ(server.stop(), 0) << "clean exit";
}

// Item 25: the I/O threads never wait on the database. With SQLite's read locks taken
// by another process, a live log tail and a plain request still get answers.
TEST_F(GatewayHardening, IoThreadsDoNotWaitOnTheDatabase) {
  auto& server = start({"--io-threads", "1"});
  auto client = client_for(server);
  std::string token = deploy_hostile(client);
  RawConnection tail(server.port());
  ASSERT_TRUE(
      tail.send_all("GET /api/v1/actions/hostile/logs/stream HTTP/1.1\r\nHost: a\r\n"
                    "Authorization: Bearer " +
                    token + "\r\n\r\n"));
  ASSERT_NE(tail.read(std::chrono::seconds(30),
                      [](const std::string& d) { return d.find("\r\n\r\n") != std::string::npos; })
                .find("text/event-stream"),
            std::string::npos);

  // Exclusive locks on the WAL-index read marks (bytes 120..127 of the -shm file): every
  // read of a table in the server now waits until they are released.
  int shm = open((data_ / "wasm-actions.db-shm").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(shm, 0);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 120;
  lock.l_len = 8;
  ASSERT_EQ(fcntl(shm, F_SETLKW, &lock), 0);
  std::atomic<bool> released{false};
  std::thread unlocker([&] {
    // Released after 8 s whatever happens, so a failing server cannot hang the test.
    for (int i = 0; i < 80 && !released; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lock.l_type = F_UNLCK;
    fcntl(shm, F_SETLK, &lock);
    released = true;
  });
  // More than one poll interval of the tail passes with the lock held.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  RawConnection plain(server.port());
  ASSERT_TRUE(plain.send_all("GET /nothing-here HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string answer = plain.read_response(std::chrono::seconds(30));
  bool answered_while_locked = !released.load();
  released = true;
  unlocker.join();
  ::close(shm);
  EXPECT_EQ(answer.rfind("HTTP/1.1 404", 0), 0u) << answer;
  EXPECT_TRUE(answered_while_locked) << "the I/O thread waited for the database";

  // The tail is still open and delivers a new line (pushed, not polled).
  EXPECT_EQ(must(client.get("/hostile?204")).status, 204u);
  std::string more = tail.read(std::chrono::seconds(30), [](const std::string& d) {
    return d.find("bytes dropped") != std::string::npos;
  });
  EXPECT_NE(more.find("bytes dropped"), std::string::npos) << more;
}

}  // namespace
}  // namespace wa::testing
