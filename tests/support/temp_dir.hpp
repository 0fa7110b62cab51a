// The one scratch directory of every test suite: a fresh directory under
// $TMPDIR per object, removed with everything in it when the object goes
// away. Header-only on purpose: the unit-test binaries of config/ and
// server/static/ use it without linking gale_test_support.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gale::test {

class TempDir {
 public:
  // `prefix` names the suite in the directory's name ("gale-itest-Ab12Cd").
  explicit TempDir(std::string_view prefix = "gale-test") {
    std::string pattern = (std::filesystem::temp_directory_path() /
                           (std::string(prefix) + "-XXXXXX"))
                              .string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed for " + pattern);
    // Canonical, so expectations match what a program under test stores
    // even when $TMPDIR is reached through a symlink.
    path_ = std::filesystem::canonical(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

  // Writes `contents` to `name` (parent directories created), replacing it
  // atomically, so a reloading server never reads half a file. Returns the
  // full path.
  std::filesystem::path write(const std::string& name,
                              std::string_view contents) const {
    const std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::filesystem::path tmp = file;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << contents;
      if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, file);
    return file;
  }

  std::filesystem::path mkdir(const std::string& name) const {
    std::filesystem::create_directories(path_ / name);
    return path_ / name;
  }

  // Opens the directory and every directory in it to all users (0755), so
  // that a check run as another user (see unprivileged.hpp) can reach the
  // files; mkdtemp() creates it 0700.
  void make_traversable() const {
    ::chmod(path_.c_str(), 0755);
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(path_, ec), end;
         !ec && it != end; it.increment(ec))
      if (it->is_directory(ec) && !it->is_symlink(ec))
        ::chmod(it->path().c_str(), 0755);
  }

 private:
  std::filesystem::path path_;
};

// A whole file; "" when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace gale::test
