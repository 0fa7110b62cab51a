// The processes of a server under test, as /proc shows them: its workers
// (children), its process group, their state and CPU time.
#pragma once

#include <sys/types.h>

#include <optional>
#include <set>

namespace gale::test {

struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  char state = '?';
  unsigned long utime = 0;  // clock ticks
  unsigned long stime = 0;
};
std::optional<ProcStat> read_stat(pid_t pid);
// Exists and is not a zombie.
bool is_alive(pid_t pid);
// Live children of `pid` (by ppid).
std::set<pid_t> children_of(pid_t pid);
// Live members of process group `pgrp`.
std::set<pid_t> group_members(pid_t pgrp);
// CPU seconds (user + system) `pid` has used; -1 when it is gone.
double cpu_seconds(pid_t pid);
// Resident memory (VmRSS) of `pid` in kB; -1 when it is gone.
long resident_kb(pid_t pid);

}  // namespace gale::test
