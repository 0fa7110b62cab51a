// The master's signals, as readable events on a signalfd: no async-signal
// handler, no race between SIGCHLD and the loop.
#pragma once

#include <csignal>
#include <initializer_list>

namespace gale {

class SignalFd {
 public:
  // Blocks `signals` for this process and opens a signalfd for them.
  // Throws std::system_error on failure.
  explicit SignalFd(std::initializer_list<int> signals);
  ~SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;

  int fd() const { return fd_; }
  // The next pending signal, or 0 when none is pending.
  int next();
  // In a forked child: closes the descriptor and unblocks the signals, so
  // the child handles them its own way.
  void release_in_child();

 private:
  int fd_ = -1;
  sigset_t set_{};
};

const char* signal_name(int sig);

}  // namespace gale
