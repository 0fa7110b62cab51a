#include "config/cpu_count.hpp"

#include <gtest/gtest.h>

#include "config/load_config.hpp"
#include "temp_dir.hpp"

namespace gale {
namespace {

using testing::TempDir;

TEST(ParseCpuMax, NoQuota) {
  EXPECT_EQ(parse_cpu_max("max 100000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("max 100000\n"), std::nullopt);
}

TEST(ParseCpuMax, RoundsAFractionalQuotaUp) {
  EXPECT_EQ(parse_cpu_max("150000 100000\n"), 2u);
  EXPECT_EQ(parse_cpu_max("200000 100000"), 2u);
  EXPECT_EQ(parse_cpu_max("400000 100000"), 4u);
}

TEST(ParseCpuMax, NeverBelowOne) {
  EXPECT_EQ(parse_cpu_max("50000 100000"), 1u);
  EXPECT_EQ(parse_cpu_max("1000 100000"), 1u);
}

TEST(ParseCpuMax, UnreadableContentsMeanNoQuota) {
  EXPECT_EQ(parse_cpu_max(""), std::nullopt);
  EXPECT_EQ(parse_cpu_max("150000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("lots 100000"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("150000 0"), std::nullopt);
  EXPECT_EQ(parse_cpu_max("-5 100000"), std::nullopt);
}

TEST(CgroupV2Path, FindsTheUnifiedHierarchyLine) {
  EXPECT_EQ(cgroup_v2_path("0::/system.slice/gale.service\n"),
            "/system.slice/gale.service");
  EXPECT_EQ(cgroup_v2_path("12:cpu,cpuacct:/x\n0::/\n"), "/");
}

TEST(CgroupV2Path, NoneOnCgroupV1) {
  EXPECT_EQ(cgroup_v2_path("4:memory:/a\n1:cpu:/\n"), std::nullopt);
  EXPECT_EQ(cgroup_v2_path(""), std::nullopt);
}

TEST(CgroupCpuQuota, TakesTheTightestQuotaUpToTheRoot) {
  TempDir root;
  root.write("cpu.max", "max 100000\n");
  root.write("a/cpu.max", "150000 100000\n");
  root.write("a/b/cpu.max", "400000 100000\n");
  root.write("a/b/c/cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root.path(), "/a/b/c"), 2u);
  EXPECT_EQ(cgroup_cpu_quota(root.path(), "/a/b"), 2u);
}

TEST(CgroupCpuQuota, ReadsTheRootItself) {
  // Inside a container's cgroup namespace the path is "/" and the quota
  // sits in /sys/fs/cgroup/cpu.max.
  TempDir root;
  root.write("cpu.max", "300000 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root.path(), "/"), 3u);
}

TEST(CgroupCpuQuota, NoneWithoutQuotaFiles) {
  TempDir root;
  root.mkdir("a/b");
  EXPECT_EQ(cgroup_cpu_quota(root.path(), "/a/b"), std::nullopt);
  root.write("a/cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root.path(), "/a/b"), std::nullopt);
}

TEST(CgroupCpuQuota, APathOutsideTheMountOnlySeesTheRoot) {
  TempDir root;
  root.write("cpu.max", "200000 100000\n");
  EXPECT_EQ(cgroup_cpu_quota(root.path(), "/../outside"), 2u);
}

TEST(UsableCpuCount, IsAtLeastOneAndAtMostTheAffinityMask) {
  const unsigned usable = usable_cpu_count();
  EXPECT_GE(usable, 1u);
  EXPECT_LE(usable, affinity_cpu_count());
}

}  // namespace
}  // namespace gale
