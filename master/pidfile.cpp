#include "master/pidfile.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace gale {

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ::getpid() << "\n";
    if (!out)
      throw std::runtime_error("pidfile " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    throw std::runtime_error("pidfile " + path_ + ": " + std::strerror(errno));
}

PidFile::~PidFile() {
  if (path_.empty()) return;
  // Remove it only if it is still ours (a newer master may own it now).
  std::ifstream in(path_);
  long pid = 0;
  if (in >> pid && pid == ::getpid()) std::remove(path_.c_str());
}

}  // namespace gale
