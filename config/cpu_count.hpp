// How many CPUs this process may really use (SPEC §1: `workers: 0` means
// one worker per core).
//
// std::thread::hardware_concurrency() counts the machine's cores, which in a
// container or under `taskset` is far more than the process gets: forking
// 64 workers into a 2-CPU quota just makes them fight. So we take the
// affinity mask, then cap it by the cgroup v2 CPU quota. The pieces are
// split out so the cgroup parsing can be tested against fake files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace gale {

// The contents of a cgroup v2 `cpu.max` file ("$QUOTA $PERIOD", or
// "max $PERIOD" for no quota) as a whole number of CPUs, rounded up and at
// least 1: "150000 100000" -> 2, "50000 100000" -> 1. nullopt for no quota
// or unparsable contents.
std::optional<unsigned> parse_cpu_max(std::string_view contents);

// The cgroup v2 path ("0::/some/path" line) of /proc/self/cgroup contents,
// e.g. "/some/path". nullopt on a pure cgroup v1 system.
std::optional<std::string> cgroup_v2_path(std::string_view proc_self_cgroup);

// The tightest `cpu.max` quota from `<cgroup_root>/<cgroup_path>` up to and
// including `cgroup_root` itself (a parent's quota binds its children too).
// nullopt when no level has a quota.
std::optional<unsigned> cgroup_cpu_quota(
    const std::filesystem::path& cgroup_root, std::string_view cgroup_path);

// CPUs in this process's sched_getaffinity mask (at least 1).
unsigned affinity_cpu_count();

}  // namespace gale
