// Scratch files for the config tests: a fresh directory per test (the
// shared tests/support/temp_dir.hpp, named gale-config-*), and a scoped
// change of the current directory (relative flag paths and the ./public
// default are read against it).
#pragma once

#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace gale::testing {

class TempDir : public test::TempDir {
 public:
  TempDir() : test::TempDir("gale-config") {}
};

// Runs the rest of the scope in `dir`, then returns to where it was.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::filesystem::path& dir)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedCwd() {
    std::error_code ignored;
    std::filesystem::current_path(previous_, ignored);
  }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  std::filesystem::path previous_;
};

}  // namespace gale::testing
