#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test of gale:
#   1. unit + integration + process tests (ctest), Release build in build/,
#      then `cmake --install` into a temp prefix and examples/out-of-tree/
#      built against it with find_package(gale)
#   2. a soak of that Release gale (scripts/soak, 1 minute): load, slowloris,
#      resets, malformed requests, stalled uploads, SIGHUP, kill -9, SIGUSR1
#      all at once; fails on a failed request, probe latency over 100 ms,
#      RSS/fd growth, a core dump
#   3. the same suites under AddressSanitizer + UBSan, in build-asan/
#   4. a bounded libFuzzer smoke of the parser targets (clang), build-fuzz/
#   5. the benchmark harness in quick mode (checks it runs; asserts no speed)
# Stages can be chosen: GALE_TEST_STAGES="unit soak asan fuzz bench" (default
# all; soak needs the build/ of the unit stage). FUZZ_SECONDS (default 60)
# bounds each fuzz target's run; SOAK_MINUTES (default 1) the soak's.
set -euo pipefail
cd "$(dirname "$0")/.."

stages=" ${GALE_TEST_STAGES:-unit soak asan fuzz bench} "
jobs=$(nproc)
step() { printf '\n=== %s ===\n' "$*"; }

step "dependencies"
bash scripts/install-deps.sh

run_suites() {  # build dir, extra cmake args...
  local dir=$1
  shift
  cmake -S . -B "$dir" -DGALE_TESTING=ON "$@"
  cmake --build "$dir" -j"$jobs"
  # One test at a time: the integration tests time servers on two shared
  # cores, and running them side by side would make their bounds flaky.
  ctest --test-dir "$dir" --output-on-failure --timeout 300
}

if [[ $stages == *" unit "* ]]; then
  step "unit, integration and process tests (Release)"
  run_suites build -DCMAKE_BUILD_TYPE=Release
fi

if [[ $stages == *" unit "* ]]; then
  step "the installed package, from a project of its own"
  bash scripts/check-install.sh build
fi

if [[ $stages == *" soak "* ]]; then
  step "soak: everything at once against the Release gale (${SOAK_MINUTES:-1} min)"
  scripts/soak --build-dir build --minutes "${SOAK_MINUTES:-1}"
fi

if [[ $stages == *" asan "* ]]; then
  step "the same under AddressSanitizer + UndefinedBehaviorSanitizer"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suites build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGALE_SANITIZE=ON
fi

if [[ $stages == *" fuzz "* ]]; then
  step "fuzz smoke (${FUZZ_SECONDS:-60} s per target)"
  bash scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-60}"
fi

if [[ $stages == *" bench "* ]]; then
  step "benchmark harness, quick mode"
  bash scripts/install-deps.sh --bench
  GALE_BENCH_BUILD_DIR=build bench/run --quick --no-install --no-build
fi

step "all tests passed"
