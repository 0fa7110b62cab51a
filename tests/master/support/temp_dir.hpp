// A private directory under $TMPDIR, removed with everything in it when the
// object goes away.
#pragma once

#include <filesystem>
#include <string>

namespace gale::mtest {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }
  // Writes `text` to `name` in the directory (replacing it atomically, so a
  // reloading server never reads half a file); returns the full path.
  std::filesystem::path write(const std::string& name,
                              const std::string& text) const;

 private:
  std::filesystem::path path_;
};

// Reads a whole file; "" when it does not exist.
std::string read_file(const std::filesystem::path& path);

}  // namespace gale::mtest
