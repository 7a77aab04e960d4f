// Load for a real cluster, for bench/RESULTS-real.md: N client threads put 100-byte values for T
// seconds (at most M operations each), then throughput and latency percentiles are printed.
//
//   real_bench raftsim CLUSTER_FILE N T M   # KvClient (gRPC), as `raftsim kv put`
//   real_bench etcd HOST:PORT N T M         # etcd's HTTP/JSON gateway: POST /v3/kv/put,
//                                           # one keep-alive connection per thread
//   real_bench fsync DIR COUNT              # write + fdatasync of 100 bytes, COUNT times
//   real_bench stages DIR                   # where a put's time went, from the stage logs the
//                                           # nodes wrote to DIR (RAFTSIM_STAGE_LOG=DIR; see
//                                           # src/real/stage_log.h); meant for one client
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "real/cluster_file.h"
#include "real/kv_client.h"
#include "real_bench_stages.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Results {
  std::mutex mutex;
  std::vector<double> latencies_ms;
  uint64_t failed = 0;
};

void report(const char* what, int clients, Results& r, double seconds) {
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  auto pct = [&](double p) {
    if (r.latencies_ms.empty()) return 0.0;
    return r.latencies_ms[std::min(
        r.latencies_ms.size() - 1,
        static_cast<size_t>(p * static_cast<double>(r.latencies_ms.size())))];
  };
  fmt::print(
      "{} clients={} ops={} failed={} seconds={:.2f} throughput={:.0f}/s p50={:.2f}ms "
      "p99={:.2f}ms\n",
      what, clients, r.latencies_ms.size(), r.failed, seconds,
      static_cast<double>(r.latencies_ms.size()) / seconds, pct(0.50), pct(0.99));
}

std::string value100(int thread, uint64_t i) {
  std::string v = fmt::format("{}-{}-", thread, i);
  v.resize(100, 'x');
  return v;
}

// base64 for the JSON gateway.
std::string b64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
  }
  return out;
}

int connect_to(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(host_port.substr(colon + 1))));
  ::inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// One HTTP/1.1 request on a keep-alive connection; true on a 200 answer.
bool http_post(int fd, const std::string& host, const std::string& path, const std::string& body) {
  const std::string req = fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: "
      "{}\r\n\r\n{}",
      path, host, body.size(), body);
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
    return false;
  std::string in;
  char buf[4096];
  size_t header_end = std::string::npos;
  size_t need = 0;
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    in.append(buf, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      const size_t cl = in.find("Content-Length: ");
      if (cl == std::string::npos || cl > header_end) return false;  // chunked: not expected
      need = header_end + 4 + std::stoul(in.substr(cl + 16));
    }
    if (in.size() >= need) break;
  }
  return in.compare(0, 12, "HTTP/1.1 200") == 0;
}

template <class Op>
void drive(const char* what, int clients, double seconds, uint64_t max_ops, Op make_worker) {
  Results results;
  const Clock::time_point start = Clock::now();
  const Clock::time_point stop =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto put = make_worker(t);
      std::vector<double> mine;
      uint64_t failed = 0;
      for (uint64_t i = 0; i < max_ops && Clock::now() < stop; ++i) {
        const Clock::time_point a = Clock::now();
        const bool ok = put(fmt::format("key-{}-{}", t, i % 1000), value100(t, i));
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - a).count();
        if (ok) {
          mine.push_back(ms);
        } else {
          ++failed;
        }
      }
      std::lock_guard lock(results.mutex);
      results.latencies_ms.insert(results.latencies_ms.end(), mine.begin(), mine.end());
      results.failed += failed;
    });
  }
  for (std::thread& t : threads)
    t.join();
  report(what, clients, results, std::chrono::duration<double>(Clock::now() - start).count());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace raftsim::real;
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "stages" && argc == 3) return raftsim::bench::report_stages(argv[2]);
  if (mode == "fsync" && argc == 4) {
    const std::string path = std::string(argv[2]) + "/fsync-probe";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return 1;
    Results r;
    const std::string data(100, 'x');
    const int count = std::stoi(argv[3]);
    const Clock::time_point start = Clock::now();
    for (int i = 0; i < count; ++i) {
      const Clock::time_point a = Clock::now();
      if (::write(fd, data.data(), data.size()) != 100 || ::fdatasync(fd) != 0) return 1;
      r.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
    }
    ::close(fd);
    ::unlink(path.c_str());
    report("fsync(write+fdatasync 100B)", 1, r,
           std::chrono::duration<double>(Clock::now() - start).count());
    return 0;
  }
  if (argc != 6 || (mode != "raftsim" && mode != "etcd")) {
    std::fputs(
        "usage: real_bench raftsim|etcd CLUSTER_FILE|HOST:PORT CLIENTS SECONDS MAX_OPS\n"
        "       real_bench fsync DIR COUNT\n"
        "       real_bench stages DIR\n",
        stderr);
    return 2;
  }
  const std::string target = argv[2];
  const int clients = std::stoi(argv[3]);
  const double seconds = std::stod(argv[4]);
  const uint64_t max_ops = std::stoull(argv[5]);
  if (mode == "raftsim") {
    auto cluster = read_cluster_file(target);
    if (auto* error = std::get_if<std::string>(&cluster)) {
      fmt::print(stderr, "{}\n", *error);
      return 2;
    }
    const ClusterFile file = std::get<ClusterFile>(cluster);
    const uint64_t base = random_client_id();
    drive("raftsim", clients, seconds, max_ops, [&](int t) {
      auto client = std::make_shared<KvClient>(file, base + static_cast<uint64_t>(t));
      return [client](const std::string& key, const std::string& value) {
        return client->run(raftsim::node::KvOp::kPut, key, value).kind == KvOutcome::Kind::kOk;
      };
    });
    return 0;
  }
  drive("etcd", clients, seconds, max_ops, [&](int) {
    auto fd = std::make_shared<int>(connect_to(target));
    return [fd, target](const std::string& key, const std::string& value) {
      if (*fd < 0) *fd = connect_to(target);
      if (*fd < 0) return false;
      const bool ok =
          http_post(*fd, target, "/v3/kv/put",
                    fmt::format(R"({{"key":"{}","value":"{}"}})", b64(key), b64(value)));
      if (!ok) {
        ::close(*fd);
        *fd = -1;
      }
      return ok;
    };
  });
  return 0;
}
