// A scratch directory tree for the static-file tests: a served root with a
// secret file planted beside it (outside the root), so every escape test
// can assert that the secret's bytes never come back.
//
//   <tmp>/gale-static-XXXXXX/
//       secret.txt          "TOP SECRET ..." (outside the root)
//       root/               the directory served
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace gale::testing {

inline constexpr std::string_view kSecret = "TOP SECRET: outside the root\n";

class StaticTree {
 public:
  StaticTree() : base_dir_("gale-static"), root_(base_dir_ / "root") {
    std::filesystem::create_directory(root_);
    write_at(base() / "secret.txt", std::string(kSecret));
  }

  const std::filesystem::path& base() const { return base_dir_.path(); }
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path secret() const { return base() / "secret.txt"; }

  // Writes `contents` to root/`name`, creating parent directories.
  std::filesystem::path file(const std::string& name,
                             const std::string& contents) const {
    std::filesystem::path p = root_ / name;
    std::filesystem::create_directories(p.parent_path());
    write_at(p, contents);
    return p;
  }
  std::filesystem::path dir(const std::string& name) const {
    std::filesystem::path p = root_ / name;
    std::filesystem::create_directories(p);
    return p;
  }
  // root/`name` -> `target` (taken literally: relative or absolute).
  void symlink(const std::string& target, const std::string& name) const {
    std::filesystem::path p = root_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  // Sets root/`name`'s mtime (seconds since the epoch, plus ns).
  void set_mtime(const std::string& name, std::time_t sec,
                 long nsec = 0) const {
    timespec times[2] = {{sec, nsec}, {sec, nsec}};
    ::utimensat(AT_FDCWD, (root_ / name).c_str(), times, 0);
  }
  // Lets every user reach the tree (for a check run as user nobody).
  void make_traversable() const { base_dir_.make_traversable(); }

 private:
  static void write_at(const std::filesystem::path& p,
                       const std::string& contents) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) throw std::runtime_error("cannot write " + p.string());
  }

  test::TempDir base_dir_;
  std::filesystem::path root_;
};

}  // namespace gale::testing
