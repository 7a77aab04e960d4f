#include "real/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "raftsim.grpc.pb.h"
#include "real/link_cuts.h"

namespace raftsim::real {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// The process state letter from /proc/PID/stat ('R', 'S', 'T' stopped, 'Z' zombie), or 0.
char process_state(int pid) {
  const std::string stat = read_text(fmt::format("/proc/{}/stat", pid));
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return 0;
  return stat[paren + 2];
}

bool gone(int pid) {
  ::waitpid(pid, nullptr, WNOHANG);  // reaps it if it is our child
  const char state = process_state(pid);
  return state == 0 || state == 'Z' || state == 'X';
}

// Free loopback ports, found by binding port 0. All sockets stay open until every port is
// chosen, so no port is handed out twice.
std::optional<std::vector<int>> free_ports(int count) {
  std::vector<int> sockets;
  std::vector<int> ports;
  for (int i = 0; i < count; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      if (fd >= 0) ::close(fd);
      break;
    }
    sockets.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : sockets)
    ::close(fd);
  if (static_cast<int>(ports.size()) != count) return std::nullopt;
  return ports;
}

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, by))
    parts.push_back(part);
  return parts;
}

std::unique_ptr<v1::Control::Stub> control_stub(const ClusterMember& m) {
  return v1::Control::NewStub(
      grpc::CreateChannel(ClusterFile::control_address(m), grpc::InsecureChannelCredentials()));
}

void set_deadline(grpc::ClientContext& context, std::chrono::milliseconds timeout) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
}

std::optional<v1::StatusReply> status_of(const ClusterMember& m,
                                         std::chrono::milliseconds timeout) {
  grpc::ClientContext context;
  set_deadline(context, timeout);
  v1::StatusRequest request;
  v1::StatusReply reply;
  if (!control_stub(m)->Status(&context, request, &reply).ok()) return std::nullopt;
  return reply;
}

// Replaces the peers `m` drops messages to and from.
grpc::Status block(const ClusterMember& m, const BlockedPeers& blocked) {
  v1::PartitionRequest request;
  for (uint32_t id : blocked.to)
    request.add_blocked_to(id);
  for (uint32_t id : blocked.from)
    request.add_blocked_from(id);
  grpc::ClientContext context;
  set_deadline(context, std::chrono::milliseconds(1000));
  v1::ControlReply reply;
  return control_stub(m)->Partition(&context, request, &reply);
}

// Whether every thread of process `pid` is stopped. SIGSTOP stops a process only once one of
// its threads has run to take the signal; until then the others go on, and on a loaded machine
// that can be milliseconds.
bool all_threads_stopped(int pid) {
  std::error_code ec;
  fs::directory_iterator tasks(fmt::format("/proc/{}/task", pid), ec);
  if (ec) return true;  // gone: nothing runs
  for (const fs::directory_entry& task : tasks) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // "tid (comm) S ...": the state follows the last ')', as comm may hold one.
    const size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) continue;  // gone meanwhile
    const char state = stat[close + 2];
    if (state != 'T' && state != 't' && state != 'Z' && state != 'X') return false;
  }
  return true;
}

}  // namespace

Launcher::Launcher(std::string dir, std::string binary)
    : dir_(std::move(dir)), binary_(std::move(binary)) {
  if (binary_.empty()) {
    std::error_code ec;
    binary_ = fs::read_symlink("/proc/self/exe", ec).string();
  }
}

std::optional<std::string> Launcher::load() {
  if (!fs::exists(cluster_path())) {
    return fmt::format("{}: no cluster here (run `raftsim cluster up --dir {}` first)", dir_, dir_);
  }
  auto cluster = read_cluster_file(cluster_path());
  if (auto* error = std::get_if<std::string>(&cluster)) return *error;
  cluster_ = std::get<ClusterFile>(std::move(cluster));
  return std::nullopt;
}

const ClusterMember* Launcher::member(const std::string& name, LaunchResult& result) const {
  const ClusterMember* m = cluster_.find(name);
  if (!m) {
    std::string names;
    for (const ClusterMember& n : cluster_.nodes)
      names += (names.empty() ? "" : ", ") + n.name;
    result.error = fmt::format("no node '{}' in {} (nodes: {})", name, cluster_path(), names);
    result.bad_input = true;
  }
  return m;
}

int Launcher::running_pid(const ClusterMember& m) const {
  const std::string text = read_text(fmt::format("{}/pids/{}.pid", dir_, m.name));
  int pid = 0;
  try {
    pid = text.empty() ? 0 : std::stoi(text);
  } catch (const std::exception&) {
    return 0;
  }
  if (pid <= 0 || gone(pid)) return 0;
  // A pid can be reused after the node died: it is ours only if it runs this cluster's file.
  std::string cmdline = read_text(fmt::format("/proc/{}/cmdline", pid));
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  if (cmdline.find(cluster_path()) == std::string::npos) return 0;
  return pid;
}

std::vector<int> Launcher::pids() const {
  std::vector<int> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ + "/pids", ec)) {
    try {
      out.push_back(std::stoi(read_text(entry.path().string())));
    } catch (const std::exception&) {
    }
  }
  return out;
}

bool Launcher::kill_and_wait(int pid) {
  ::kill(pid, SIGKILL);
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (gone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

LaunchResult Launcher::start(const ClusterMember& m) {
  LaunchResult result;
  const std::string data = fmt::format("{}/data/{}", dir_, m.name);
  const std::string log = fmt::format("{}/logs/{}.log", dir_, m.name);
  fs::create_directories(dir_ + "/logs");
  fs::create_directories(dir_ + "/pids");
  std::vector<std::string> args = {binary_,     "node",         "--id",   m.name,
                                   "--cluster", cluster_path(), "--data", data};
  if (cluster_.tls.enabled()) {
    args.insert(args.end(), {"--tls-cert", cluster_.tls.cert, "--tls-key", cluster_.tls.key,
                             "--tls-ca", cluster_.tls.ca});
  }
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  const bool tie = tie_to_parent_;
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.error = fmt::format("{}: fork failed", m.name);
    return result;
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::setsid();
    if (tie) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (in >= 0) ::dup2(in, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  {
    const std::string tmp = fmt::format("{}/pids/{}.pid.tmp", dir_, m.name);
    std::ofstream(tmp) << pid << "\n";
    fs::rename(tmp, fmt::format("{}/pids/{}.pid", dir_, m.name));
  }
  // A node that cannot start (port taken, corrupt log) exits at once: say so now.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) {
    result.error = fmt::format("{} exited at once (status {}); see {}", m.name,
                               WIFEXITED(status) ? WEXITSTATUS(status) : -1, log);
    return result;
  }
  result.notes.push_back(fmt::format("{}: started, pid {}", m.name, pid));
  return result;
}

LaunchResult Launcher::up(int nodes, ClusterFile shape, int voters) {
  if (nodes < 1 || nodes > 99) return LaunchResult::refused("-n must be in 1..99");
  if (voters < 0 || voters > nodes) {
    return LaunchResult::refused(fmt::format("--voters must be in 1..{} (the nodes)", nodes));
  }
  shape.nodes.clear();
  for (int i = 0; i < nodes; ++i) {
    shape.nodes.push_back({raft::NodeId{static_cast<uint32_t>(i + 1)}, fmt::format("n{}", i + 1),
                           "", "",
                           voters == 0 || i < voters ? Bootstrap::kVoter : Bootstrap::kSpare});
  }
  return up(shape, /*wait_for_leader=*/true);
}

LaunchResult Launcher::up(const ClusterFile& shape, bool wait_for_leader) {
  LaunchResult result;
  if (shape.nodes.empty() || shape.nodes.size() > 99) {
    result.error = "a cluster has 1..99 nodes";
    return result;
  }
  if (fs::exists(cluster_path()) && !load()) {
    for (const ClusterMember& m : cluster_.nodes) {
      if (running_pid(m) != 0) {
        result.error = fmt::format(
            "{}: a cluster is already running here (run `raftsim cluster "
            "down --dir {}` first)",
            dir_, dir_);
        return result;
      }
    }
  }
  // A port found free can be taken by another process before the node binds it: start again on
  // fresh ports when a node does not come up.
  LaunchResult result_of_last_try;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    result_of_last_try = up_once(shape, wait_for_leader);
    if (result_of_last_try.ok()) return result_of_last_try;
    down();
  }
  return result_of_last_try;
}

LaunchResult Launcher::up_once(const ClusterFile& shape, bool wait_for_leader) {
  LaunchResult result;
  const int nodes = static_cast<int>(shape.nodes.size());
  // With TLS the control service gets a port of its own, where it stays plaintext.
  const bool tls = shape.tls.enabled();
  std::optional<std::vector<int>> ports = free_ports(tls ? 2 * nodes : nodes);
  if (!ports) {
    result.error = "cannot find free loopback ports";
    return result;
  }
  std::random_device random;
  cluster_ = shape;
  cluster_.cluster_id = fmt::format("raftsim-{:08x}", random());
  if (tls) {
    cluster_.tls = {fs::absolute(shape.tls.cert).string(), fs::absolute(shape.tls.key).string(),
                    fs::absolute(shape.tls.ca).string()};
  }
  cluster_.nodes.clear();
  for (int i = 0; i < nodes; ++i) {
    cluster_.nodes.push_back(
        {raft::NodeId{static_cast<uint32_t>(i + 1)}, shape.nodes[i].name,
         fmt::format("127.0.0.1:{}", (*ports)[i]),
         tls ? fmt::format("127.0.0.1:{}", (*ports)[nodes + i]) : std::string(),
         shape.nodes[i].bootstrap});
  }
  fs::create_directories(dir_);
  fs::remove_all(dir_ + "/data");
  fs::remove_all(dir_ + "/pids");
  std::ofstream(cluster_path()) << format_cluster_file(cluster_);
  result.notes.push_back(fmt::format("cluster file: {}", cluster_path()));
  for (const ClusterMember& m : cluster_.nodes) {
    LaunchResult started = start(m);
    result.notes.insert(result.notes.end(), started.notes.begin(), started.notes.end());
    if (!started.ok()) {
      result.error = started.error;
      return result;
    }
  }
  // Wait (bounded) until every node answers and one leads, so the next command finds a working
  // cluster.
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(20);
  std::string missing;
  while (Clock::now() < deadline) {
    missing.clear();
    std::string leader;
    for (const NodeStatus& s : status()) {
      if (!s.reply) missing += (missing.empty() ? "" : ", ") + s.member.name;
      if (s.reply && s.reply->role() == "leader") {
        leader = fmt::format("leader: {} (term {})", s.member.name, s.reply->term());
      }
    }
    if (missing.empty() && (!leader.empty() || !wait_for_leader)) {
      if (!leader.empty()) result.notes.push_back(leader);
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  result.error =
      missing.empty()
          ? "no leader after 20 s; see the logs in " + dir_ + "/logs"
          : fmt::format("{} did not come up within 20 s; see the logs in {}/logs", missing, dir_);
  return result;
}

LaunchResult Launcher::down() {
  LaunchResult result;
  if (auto error = load()) {
    // No cluster file: still end every process we have a pid for.
    cluster_ = ClusterFile{};
  }
  for (const ClusterMember& m : cluster_.nodes) {
    const int pid = running_pid(m);
    if (pid != 0) {
      if (!kill_and_wait(pid)) {
        result.error = fmt::format("{}: pid {} did not exit after SIGKILL", m.name, pid);
      }
      result.notes.push_back(fmt::format("{}: killed pid {}", m.name, pid));
    }
    std::error_code ec;
    fs::remove(fmt::format("{}/pids/{}.pid", dir_, m.name), ec);
  }
  if (result.notes.empty()) result.notes.push_back("no node was running");
  return result;
}

LaunchResult Launcher::kill(const std::string& name) {
  LaunchResult result;
  if (auto error = load()) return LaunchResult::refused(*error);
  const ClusterMember* m = member(name, result);
  if (!m) return result;
  const int pid = running_pid(*m);
  if (pid == 0) {
    result.notes.push_back(fmt::format("{}: not running", m->name));
    return result;
  }
  if (!kill_and_wait(pid)) {
    result.error = fmt::format("{}: pid {} did not exit after SIGKILL", m->name, pid);
    return result;
  }
  std::error_code ec;
  fs::remove(fmt::format("{}/pids/{}.pid", dir_, m->name), ec);
  result.notes.push_back(fmt::format("{}: killed pid {} (SIGKILL)", m->name, pid));
  return result;
}

LaunchResult Launcher::restart(const std::string& name) {
  LaunchResult result = kill(name);
  if (!result.ok()) return result;
  const ClusterMember* m = member(name, result);
  if (!m) return result;
  LaunchResult started = start(*m);
  started.notes.insert(started.notes.begin(), result.notes.begin(), result.notes.end());
  return started;
}

LaunchResult Launcher::wipe(const std::string& name) {
  LaunchResult result = kill(name);
  if (!result.ok()) return result;
  const ClusterMember* m = member(name, result);
  if (!m) return result;
  const std::string data = fmt::format("{}/data/{}", dir_, m->name);
  fs::remove_all(data);
  result.notes.push_back(fmt::format("{}: removed {}", m->name, data));
  LaunchResult started = start(*m);
  started.notes.insert(started.notes.begin(), result.notes.begin(), result.notes.end());
  return started;
}

LaunchResult Launcher::signal(const std::string& name, int sig, const char* what) {
  LaunchResult result;
  if (auto error = load()) return LaunchResult::refused(*error);
  const ClusterMember* m = member(name, result);
  if (!m) return result;
  const int pid = running_pid(*m);
  if (pid == 0) {
    result.error = fmt::format("{}: not running", m->name);
    return result;
  }
  ::kill(pid, sig);
  result.notes.push_back(fmt::format("{}: {} pid {}", m->name, what, pid));
  return result;
}

LaunchResult Launcher::pause(const std::string& name) {
  LaunchResult result = signal(name, SIGSTOP, "paused (SIGSTOP)");
  if (!result.ok()) return result;
  // A pause is in effect when it returns: nothing the caller sends next is served (bounded: a
  // thread in an uninterruptible wait, a slow disk, stops only once the wait ends).
  const int pid = running_pid(*cluster_.find(name));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (pid != 0 && !all_threads_stopped(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return result;
}

LaunchResult Launcher::resume(const std::string& name) {
  return signal(name, SIGCONT, "resumed (SIGCONT)");
}

LaunchResult Launcher::partition(const std::string& groups) {
  LaunchResult result;
  if (auto error = load()) return LaunchResult::refused(*error);
  std::vector<std::vector<uint32_t>> group_ids;
  std::set<std::string> named;
  const std::vector<std::string> parts = split(groups, '/');
  for (const std::string& part : parts) {
    group_ids.emplace_back();
    for (const std::string& name : split(part, ',')) {
      if (name.empty()) continue;
      const ClusterMember* m = member(name, result);
      if (!m) return result;
      if (!named.insert(m->name).second) {
        return LaunchResult::refused(
            fmt::format("'{}' is named in two groups of '{}'", name, groups));
      }
      group_ids.back().push_back(m->id.value);
    }
  }
  if (parts.size() < 2) {
    return LaunchResult::refused(
        fmt::format("'{}' is one group; write groups as A,B,C/D,E", groups));
  }
  LinkCuts cuts(cluster_.ids());
  cuts.partition(group_ids);
  for (const ClusterMember& m : cluster_.nodes) {
    const BlockedPeers apart = cuts.blocked(m.id.value);
    const grpc::Status s = block(m, apart);
    result.notes.push_back(
        s.ok() ? fmt::format("{}: cut off from {} node(s)", m.name, apart.to.size())
               : fmt::format("{}: not reachable ({}); the partition does not apply to it", m.name,
                             s.error_message()));
  }
  return result;
}

LaunchResult Launcher::cut(const std::string& senders, const std::string& receivers) {
  LaunchResult result;
  if (auto error = load()) return LaunchResult::refused(*error);
  auto members = [&](const std::string& names) {
    std::vector<const ClusterMember*> out;
    for (const std::string& name : split(names, ',')) {
      if (name.empty()) continue;
      const ClusterMember* m = member(name, result);
      if (!m) return std::vector<const ClusterMember*>{};
      out.push_back(m);
    }
    if (out.empty() && result.ok())
      result = LaunchResult::refused(fmt::format("'{}' names no node", names));
    return out;
  };
  const std::vector<const ClusterMember*> from = members(senders);
  if (!result.ok()) return result;
  const std::vector<const ClusterMember*> to = members(receivers);
  if (!result.ok()) return result;
  for (const ClusterMember* a : from)
    for (const ClusterMember* b : to)
      if (a->id == b->id) {
        return LaunchResult::refused(fmt::format("'{}' is both a sender and a receiver", a->name));
      }

  // Each end adds the cut to the links it already blocks: a sender stops sending, a receiver
  // stops hearing, so the cut holds even while one end has not been told.
  auto add = [&](const ClusterMember& m, const std::vector<const ClusterMember*>& others,
                 bool sending) {
    const std::optional<v1::StatusReply> now = status_of(m, std::chrono::milliseconds(1000));
    if (!now) {
      result.notes.push_back(
          fmt::format("{}: not reachable; the cut does not apply to it", m.name));
      return;
    }
    BlockedPeers blocked{{now->blocked_to().begin(), now->blocked_to().end()},
                         {now->blocked_from().begin(), now->blocked_from().end()}};
    std::vector<uint32_t>& side = sending ? blocked.to : blocked.from;
    std::string names;
    for (const ClusterMember* o : others) {
      side.push_back(o->id.value);  // the node keeps a set: a repeat is harmless
      names += (names.empty() ? "" : ",") + o->name;
    }
    const grpc::Status s = block(m, blocked);
    result.notes.push_back(s.ok() ? fmt::format("{}: {} {}", m.name,
                                                sending ? "sends nothing to" : "hears nothing from",
                                                names)
                                  : fmt::format("{}: not reachable ({}); the cut does not apply "
                                                "to it",
                                                m.name, s.error_message()));
  };
  for (const ClusterMember* a : from)
    add(*a, to, /*sending=*/true);
  for (const ClusterMember* b : to)
    add(*b, from, /*sending=*/false);
  return result;
}

LaunchResult Launcher::heal() {
  LaunchResult result;
  if (auto error = load()) return LaunchResult::refused(*error);
  for (const ClusterMember& m : cluster_.nodes) {
    grpc::ClientContext context;
    set_deadline(context, std::chrono::milliseconds(1000));
    v1::StatusRequest request;
    v1::ControlReply reply;
    const grpc::Status s = control_stub(m)->Heal(&context, request, &reply);
    result.notes.push_back(s.ok()
                               ? fmt::format("{}: healed", m.name)
                               : fmt::format("{}: not reachable ({})", m.name, s.error_message()));
  }
  return result;
}

std::vector<NodeStatus> Launcher::status(std::chrono::milliseconds timeout) {
  std::vector<NodeStatus> out;
  if (load()) return out;
  for (const ClusterMember& m : cluster_.nodes) {
    NodeStatus s;
    s.member = m;
    s.pid = running_pid(m);
    s.paused = s.pid != 0 && process_state(s.pid) == 'T';
    if (s.pid != 0 && !s.paused) s.reply = status_of(m, timeout);
    out.push_back(std::move(s));
  }
  return out;
}

std::string Launcher::format_status(const std::vector<NodeStatus>& status) {
  // Membership as the leader of the highest term sees it; with no leader, as the node that
  // knows the latest configuration does.
  const v1::StatusReply* view = nullptr;
  auto rank = [](const v1::StatusReply& r) {
    return std::make_tuple(r.role() == "leader", r.role() == "leader" ? r.term() : 0,
                           r.configuration_index());
  };
  for (const NodeStatus& s : status)
    if (s.reply && (!view || rank(*s.reply) > rank(*view))) view = &*s.reply;
  auto member = [&](const NodeStatus& s) -> std::string {
    if (!view) return "?";
    auto in = [&](const auto& ids) {
      return std::find(ids.begin(), ids.end(), s.member.id.value) != ids.end();
    };
    if (in(view->voters())) return "voter";
    if (in(view->outgoing_voters())) return "outgoing";
    if (in(view->learners())) return "learner";
    return "-";
  };
  constexpr const char* kRow = "{:<6} {:>3} {:>8} {:<14} {:>6} {:>8} {:>8} {:>7} {:<8}  {}\n";
  std::string out = fmt::format(kRow, "NAME", "ID", "PID", "ROLE", "TERM", "COMMIT", "LAST",
                                "LEADER", "MEMBER", "ADDRESS");
  for (const NodeStatus& s : status) {
    const std::string pid = s.pid ? std::to_string(s.pid) : "-";
    if (!s.reply) {
      const char* state = s.pid == 0 ? "down" : s.paused ? "paused" : "no answer";
      out += fmt::format(kRow, s.member.name, s.member.id.value, pid, state, "-", "-", "-", "-",
                         member(s), s.member.address);
      continue;
    }
    const v1::StatusReply& r = *s.reply;
    std::string role = r.role();
    // Some links cut or clogged.
    if (r.blocked_to_size() + r.blocked_from_size() + r.clogged_to_size() > 0) role += "*";
    out += fmt::format(kRow, s.member.name, r.id(), pid, role, r.term(), r.commit(),
                       r.last_log_index(), r.leader() ? std::to_string(r.leader()) : "-", member(s),
                       s.member.address);
  }
  return out;
}

}  // namespace raftsim::real
