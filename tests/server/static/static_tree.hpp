// A scratch directory tree for the static-file tests: a served root with a
// secret file planted beside it (outside the root), so every escape test
// can assert that the secret's bytes never come back.
//
//   <tmp>/gale-static-XXXXXX/
//       secret.txt          "TOP SECRET ..." (outside the root)
//       root/               the directory served
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace gale::testing {

inline constexpr std::string_view kSecret = "TOP SECRET: outside the root\n";

class StaticTree {
 public:
  StaticTree() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "gale-static-XXXXXX")
            .string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    base_ = std::filesystem::canonical(pattern);
    root_ = base_ / "root";
    std::filesystem::create_directory(root_);
    write_at(base_ / "secret.txt", std::string(kSecret));
  }
  ~StaticTree() {
    std::error_code ignored;
    std::filesystem::remove_all(base_, ignored);
  }
  StaticTree(const StaticTree&) = delete;
  StaticTree& operator=(const StaticTree&) = delete;

  const std::filesystem::path& base() const { return base_; }
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path secret() const { return base_ / "secret.txt"; }

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

 private:
  static void write_at(const std::filesystem::path& p,
                       const std::string& contents) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) throw std::runtime_error("cannot write " + p.string());
  }

  std::filesystem::path base_;
  std::filesystem::path root_;
};

}  // namespace gale::testing
