// CommandRunner with fork/exec: argv from the config, no shell, JSON on stdin.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "alerts/transport.h"

extern char** environ;

namespace lw {
namespace {

class ProcessRunner final : public CommandRunner {
 public:
  Result<int> Run(const std::vector<std::string>& argv, const std::string& input, int64_t timeout_ms) override {
    if (argv.empty()) return Fail(Error::Config("exec sink has an empty command"));
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return Fail(Error::IO(std::string("pipe: ") + std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[0], 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipefd[0]);
    if (rc != 0) {
      ::close(pipefd[1]);
      return Fail(Error::IO("cannot run " + argv[0] + ": " + std::strerror(rc)));
    }
    // Write the input; a command that does not read it is not an error.
    signal(SIGPIPE, SIG_IGN);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t written = 0;
    ::fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
    while (written < input.size()) {
      ssize_t w = ::write(pipefd[1], input.data() + written, input.size() - written);
      if (w > 0) {
        written += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno == EAGAIN && std::chrono::steady_clock::now() < deadline) {
        pollfd p{pipefd[1], POLLOUT, 0};
        ::poll(&p, 1, 50);
        continue;
      }
      break;  // EPIPE (the command closed stdin) or the deadline
    }
    ::close(pipefd[1]);
    for (;;) {
      int status;
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return Fail(Error::IO(argv[0] + " was killed by signal " + std::to_string(WTERMSIG(status))));
      }
      if (r < 0 && errno != EINTR) return Fail(Error::IO(std::string("waitpid: ") + std::strerror(errno)));
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return Fail(Error::IO(argv[0] + " timed out after " + std::to_string(timeout_ms) + " ms"));
      }
      ::usleep(10000);
    }
  }
};

}  // namespace

std::unique_ptr<CommandRunner> NewProcessRunner() { return std::make_unique<ProcessRunner>(); }

}  // namespace lw
