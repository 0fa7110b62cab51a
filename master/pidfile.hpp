// --pidfile: the master's pid, written once it serves, removed at exit.
#pragma once

#include <string>

namespace gale {

class PidFile {
 public:
  PidFile() = default;
  // Writes atomically (temp file + rename). Throws std::runtime_error
  // naming the file on failure.
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
};

}  // namespace gale
