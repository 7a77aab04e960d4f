// Runs the raftsim binary as a child process, as a user would, bounded in time: for tests that
// drive real clusters through the command line.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace raftsim::real {

struct CliResult {
  int exit_code = -1;  // -1: killed at the time limit, or did not exit normally
  std::string output;  // stdout + stderr
};

// Runs `raftsim ARGS...` in `cwd`; its output goes to `out_path` and comes back in the result.
inline CliResult run_raftsim(const std::vector<std::string>& args, const std::string& cwd,
                             const std::string& out_path,
                             std::chrono::seconds timeout = std::chrono::seconds(60)) {
  using Clock = std::chrono::steady_clock;
  std::vector<std::string> full = {RAFTSIM_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : full)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  const Clock::time_point deadline = Clock::now() + timeout;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return {-1, "timed out\n"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::stringstream text;
  text << std::ifstream(out_path).rdbuf();
  result.output = text.str();
  return result;
}

}  // namespace raftsim::real
