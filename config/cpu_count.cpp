#include "config/cpu_count.hpp"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/load_config.hpp"

namespace gale {
namespace {

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::optional<unsigned long long> parse_positive(std::string_view text) {
  unsigned long long value = 0;
  const char* end = text.data() + text.size();
  auto [next, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || next != end || value == 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<unsigned> parse_cpu_max(std::string_view contents) {
  while (!contents.empty() &&
         (contents.back() == '\n' || contents.back() == ' ')) {
    contents.remove_suffix(1);
  }
  const std::size_t space = contents.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view quota_text = contents.substr(0, space);
  if (quota_text == "max") return std::nullopt;
  const auto quota = parse_positive(quota_text);
  const auto period = parse_positive(contents.substr(space + 1));
  if (!quota || !period) return std::nullopt;
  const unsigned long long cpus = (*quota + *period - 1) / *period;
  return static_cast<unsigned>(
      std::clamp<unsigned long long>(cpus, 1, 1u << 20));
}

std::optional<std::string> cgroup_v2_path(std::string_view proc_self_cgroup) {
  while (!proc_self_cgroup.empty()) {
    const std::size_t eol = proc_self_cgroup.find('\n');
    const std::string_view line = proc_self_cgroup.substr(0, eol);
    if (line.starts_with("0::")) return std::string(line.substr(3));
    if (eol == std::string_view::npos) break;
    proc_self_cgroup.remove_prefix(eol + 1);
  }
  return std::nullopt;
}

std::optional<unsigned> cgroup_cpu_quota(
    const std::filesystem::path& cgroup_root, std::string_view cgroup_path) {
  // A path with ".." means our cgroup lies outside the mounted hierarchy
  // (another cgroup namespace); only the root's own quota is then visible.
  std::filesystem::path relative =
      std::filesystem::path(cgroup_path).relative_path();
  if (cgroup_path.find("..") != std::string_view::npos) relative.clear();

  std::optional<unsigned> tightest;
  std::filesystem::path level = relative;
  while (true) {
    const auto contents = read_small_file(cgroup_root / level / "cpu.max");
    const auto quota = contents ? parse_cpu_max(*contents) : std::nullopt;
    if (quota) tightest = tightest ? std::min(*tightest, *quota) : *quota;
    if (level.empty()) break;
    level = level.parent_path();
  }
  return tightest;
}

unsigned affinity_cpu_count() {
  // cpu_set_t holds 1024 CPUs; bigger machines need a larger, dynamic set.
  for (int cpus = CPU_SETSIZE; cpus <= (1 << 16); cpus *= 2) {
    cpu_set_t* set = CPU_ALLOC(cpus);
    if (set == nullptr) break;
    const std::size_t size = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(size, set);
    const bool ok = sched_getaffinity(0, size, set) == 0;
    const int count = ok ? CPU_COUNT_S(size, set) : 0;
    CPU_FREE(set);
    if (ok) return static_cast<unsigned>(std::max(count, 1));
    if (errno != EINVAL) break;
  }
  return std::max(std::thread::hardware_concurrency(), 1u);
}

unsigned usable_cpu_count() {
  const unsigned cpus = affinity_cpu_count();
  const auto membership = read_small_file("/proc/self/cgroup");
  const auto path = membership ? cgroup_v2_path(*membership) : std::nullopt;
  if (!path) return cpus;
  const auto quota = cgroup_cpu_quota("/sys/fs/cgroup", *path);
  return std::max(1u, quota ? std::min(cpus, *quota) : cpus);
}

}  // namespace gale
