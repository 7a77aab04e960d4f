// One external node as a child process: its stdin takes lines from raftsim, its stdout gives
// lines back, its stderr goes to a file. Reads and writes never block the caller: a node that
// stops reading (SIGSTOP, or stuck) gets its lines queued; a node that writes without end is
// cut off by the caps below rather than growing raftsim's memory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace raftsim::external {

struct ProcessLimits {
  size_t max_line_bytes = 1 << 20;      // a longer stdout line is a protocol error
  size_t max_lines_per_second = 50000;  // more is a flood
  size_t max_queued_bytes = 64 << 20;   // input waiting for a node that does not read
};

class Process {
 public:
  // What one poll of stdout gave.
  struct Output {
    std::vector<std::string> lines;  // complete lines, without the newline
    std::string error;               // a broken limit; the caller stops trusting the node
    bool closed = false;             // stdout has ended: the node closed it, or is exiting
  };

  Process() = default;
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Starts `argv` with `env` added to this process's environment, stderr appended to
  // `stderr_path`. The child dies with raftsim (PR_SET_PDEATHSIG). "" or why not.
  std::string spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& stderr_path, const ProcessLimits& limits);

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int stdout_fd() const { return out_fd_; }

  // Queues one line (a newline is added) and writes what the pipe takes now.
  void send(const std::string& line);
  // Writes queued input the pipe takes now.
  void flush();
  // Reads what stdout has now, up to the limits.
  Output read();
  // Whether the process has ended (reaped); `status` is set to a description ("exited with
  // status 3", "killed by signal 9").
  bool exited(std::string& status);
  // After `read` saw stdout closed: how the node ended, as words after its name. A node that exits
  // closes its stdout a moment before it can be reaped, so this waits up to `grace` for the exit
  // ("exited with status 3 by itself"); a node still running then can send nothing more ("closed
  // its stdout and still runs"), and is killed.
  std::string why_closed(std::chrono::milliseconds grace = std::chrono::milliseconds(500));

  void kill();    // SIGKILL and reap; the pipes close
  bool stop();    // SIGSTOP
  bool resume();  // SIGCONT

 private:
  void close_pipes();

  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  ProcessLimits limits_;
  std::string pending_in_;   // queued for stdin
  std::string partial_out_;  // stdout bytes after the last newline
  std::chrono::steady_clock::time_point window_start_;
  size_t lines_in_window_ = 0;
};

}  // namespace raftsim::external
