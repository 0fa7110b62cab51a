// Permission checks that hold when the tests run as root, as CI does. Root
// reads every file, so "an unreadable file is refused" is only seen by an
// ordinary user. run_unprivileged() runs a block of EXPECT_*s as one: in
// this process when it is not root, else in a forked child that drops to
// user and group nobody (65534) and reports through its exit status. The
// child's gtest prints its own failures, on the stdout both share.
// Header-only, for unit-test binaries that do not link gale_test_support.
#pragma once

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace gale::test {

inline constexpr uid_t kNobody = 65534;

namespace unprivileged_detail {

// The child's exit status.
enum : int { passed = 0, failed = 1, cannot_drop = 77, cannot_reach = 78 };

// The number of results recorded so far for the running test.
inline int part_count() {
  return ::testing::UnitTest::GetInstance()
      ->current_test_info()
      ->result()
      ->total_part_count();
}

// Whether a result from the `from`th on is a failure.
inline bool failed_since(int from) {
  const ::testing::TestResult* r =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = from; i < r->total_part_count(); ++i)
    if (r->GetTestPartResult(i).failed()) return true;
  return false;
}

// Drops root for good, checks that `reach` can be reached, runs `check`
// and exits; never returns into the test (no destructor runs: the temp
// directories belong to the parent).
[[noreturn]] inline void child(
    const std::function<void()>& check,
    const std::vector<std::filesystem::path>& reach) {
  if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 ||
      ::setuid(kNobody) != 0 || ::setuid(0) == 0)
    ::_exit(cannot_drop);
  for (const auto& p : reach)
    if (::access(p.c_str(), F_OK) != 0) ::_exit(cannot_reach);
  int from = part_count();
  check();
  std::fflush(stdout);
  ::_exit(failed_since(from) ? failed : passed);
}

}  // namespace unprivileged_detail

// Runs `check` without root's privileges; nobody must be able to reach
// every path in `must_reach` (see TempDir::make_traversable()). Returns ""
// when it ran (its failures are the test's), else why it could not: the
// caller skips with that reason.
[[nodiscard]] inline std::string run_unprivileged(
    const std::function<void()>& check,
    const std::vector<std::filesystem::path>& must_reach = {}) {
  namespace d = unprivileged_detail;
  if (::geteuid() != 0) {
    check();
    return {};
  }
  std::fflush(nullptr);  // nothing buffered is printed twice
  pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) d::child(check, must_reach);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == d::cannot_drop)
    return "root cannot become user nobody (65534) here";
  if (code == d::cannot_reach)
    return "user nobody cannot reach the test's files ($TMPDIR private?)";
  EXPECT_EQ(code, d::passed)
      << "the check failed when run as user nobody (65534); its failure is "
         "printed above";
  return {};
}

}  // namespace gale::test
