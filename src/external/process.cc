#include "external/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

#include "external/maelstrom.h"

extern char** environ;

namespace raftsim::external {

namespace {

bool set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("ended with wait status {}", status);
}

// Why `program` cannot be executed, as execvp would look for it; "" when it can. Checked before
// the fork, where the reason can still be told: a child whose exec fails can only exit 127.
std::string exec_problem(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return "";
    return fmt::format("cannot execute '{}': {}", program, std::strerror(errno));
  }
  const char* path = std::getenv("PATH");
  const std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t start = 0; start <= dirs.size();) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string_view dir = dirs.substr(start, end - start);
    const std::string candidate = fmt::format("{}/{}", dir.empty() ? "." : dir, program);
    if (::access(candidate.c_str(), X_OK) == 0) return "";
    start = end + 1;
  }
  return fmt::format("cannot execute '{}': no such program in PATH", program);
}

}  // namespace

Process::~Process() {
  kill();
}

std::string Process::spawn(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, const std::string& stderr_path,
                           const ProcessLimits& limits) {
  kill();
  if (argv.empty()) return "empty command";
  if (std::string why = exec_problem(argv[0]); !why.empty()) return why;
  limits_ = limits;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return fmt::format("pipe: {}", std::strerror(errno));
  }
  const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err < 0) {
    for (int fd : {in[0], in[1], out[0], out[1]})
      ::close(fd);
    return fmt::format("{}: {}", stderr_path, std::strerror(errno));
  }
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> c_argv, c_env;
  for (const std::string& a : argv)
    c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const std::string& e : env_strings)
    c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);
  // A node that dies leaves a pipe with no reader: writing to it must fail, not kill raftsim.
  ::signal(SIGPIPE, SIG_IGN);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1], err})
      ::close(fd);
    return fmt::format("fork: {}", std::strerror(errno));
  }
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);  // ignored in raftsim only
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err, 2);
    ::execvpe(c_argv[0], c_argv.data(), c_env.data());
    const char* msg = "raftsim: cannot execute the node's command\n";
    [[maybe_unused]] ssize_t w = ::write(2, msg, std::strlen(msg));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err);
  in_fd_ = in[1];
  out_fd_ = out[0];
  set_nonblocking(in_fd_);
  set_nonblocking(out_fd_);
  pid_ = pid;
  pending_in_.clear();
  partial_out_.clear();
  lines_in_window_ = 0;
  window_start_ = std::chrono::steady_clock::now();
  return "";
}

void Process::send(const std::string& line) {
  if (in_fd_ < 0) return;
  if (pending_in_.size() + line.size() + 1 > limits_.max_queued_bytes) return;
  pending_in_ += line;
  pending_in_ += '\n';
  flush();
}

void Process::flush() {
  while (in_fd_ >= 0 && !pending_in_.empty()) {
    const ssize_t n = ::write(in_fd_, pending_in_.data(), pending_in_.size());
    if (n > 0) {
      pending_in_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    // EPIPE: the node closed its stdin or died; what it did not read is lost with it.
    pending_in_.clear();
    return;
  }
}

Process::Output Process::read() {
  Output out;
  if (out_fd_ < 0) return out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(out_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) out.closed = true;
    if (n <= 0) break;  // EAGAIN: nothing more now
    partial_out_.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = partial_out_.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.lines.emplace_back(partial_out_, start, nl - start);
    }
    partial_out_.erase(0, start);
    if (partial_out_.size() > limits_.max_line_bytes) {
      out.error = fmt::format("a stdout line longer than {} bytes, beginning {}",
                              limits_.max_line_bytes, escape_bytes(partial_out_));
      return out;
    }
    if (out.lines.size() > limits_.max_lines_per_second) break;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    lines_in_window_ = 0;
  }
  lines_in_window_ += out.lines.size();
  if (lines_in_window_ > limits_.max_lines_per_second) {
    out.error = fmt::format("flooded stdout: more than {} lines within one second",
                            limits_.max_lines_per_second);
  }
  return out;
}

bool Process::exited(std::string& status) {
  if (pid_ <= 0) return false;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r != pid_) return false;
  status = describe_status(st);
  pid_ = -1;
  close_pipes();
  return true;
}

std::string Process::why_closed(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  std::string status;
  for (;;) {
    if (exited(status)) return status + " by itself";
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill();
  return "closed its stdout and still runs: it can send nothing more";
}

void Process::kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  close_pipes();
}

bool Process::stop() {
  return pid_ > 0 && ::kill(pid_, SIGSTOP) == 0;
}

bool Process::resume() {
  return pid_ > 0 && ::kill(pid_, SIGCONT) == 0;
}

void Process::close_pipes() {
  for (int* fd : {&in_fd_, &out_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  pending_in_.clear();
  partial_out_.clear();
}

}  // namespace raftsim::external
