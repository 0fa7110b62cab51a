#include "tests/support/proc_stat.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace gale::test {
namespace {

template <class Pred>
std::set<pid_t> scan(Pred pred) {
  std::set<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (!end || *end != '\0' || pid <= 0) continue;
    auto s = read_stat(static_cast<pid_t>(pid));
    if (s && s->state != 'Z' && s->state != 'X' && pred(*s)) out.insert(s->pid);
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::optional<ProcStat> read_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name may hold spaces and parentheses: fields start after
  // the last ')'.
  std::size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  ProcStat s;
  s.pid = pid;
  std::string skip;
  rest >> s.state >> s.ppid >> s.pgrp;
  for (int i = 0; i < 8; ++i)
    rest >> skip;  // session .. cmajflt
  rest >> s.utime >> s.stime;
  if (!rest) return std::nullopt;
  return s;
}

bool is_alive(pid_t pid) {
  auto s = read_stat(pid);
  return s && s->state != 'Z' && s->state != 'X';
}

std::set<pid_t> children_of(pid_t pid) {
  return scan([pid](const ProcStat& s) { return s.ppid == pid; });
}

std::set<pid_t> group_members(pid_t pgrp) {
  return scan([pgrp](const ProcStat& s) { return s.pgrp == pgrp; });
}

double cpu_seconds(pid_t pid) {
  auto s = read_stat(pid);
  if (!s) return -1;
  return static_cast<double>(s->utime + s->stime) /
         static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long resident_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace gale::test
