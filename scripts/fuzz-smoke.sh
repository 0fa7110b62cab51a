#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and
# runs each one for a bounded time, one after the other, starting from a
# copy of its seed corpus in fuzz/corpus/<target>/ (HTTP targets with
# fuzz/http.dict).
#
#   scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]   (default 60)
#
# Exits non-zero if a target fails to build or finds a crash, a leak, a
# sanitizer report or a broken invariant; the reproducer is left in
# build-fuzz/findings/<target>/ (replay: build-fuzz/fuzz/<target> FILE).
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
jobs="${GALE_BUILD_JOBS:-2}"
targets=(fuzz_request_parser fuzz_request_handler fuzz_router_url
         fuzz_ws_frame_parser fuzz_relay_frames fuzz_ws_inflate
         fuzz_signed_value)

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DGALE_FUZZ=ON \
  -DGALE_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for t in "${targets[@]}"; do
  corpus="$work/$t"
  findings="$build/findings/$t"
  mkdir -p "$corpus" "$findings"
  cp -r "$root/fuzz/corpus/$t/." "$corpus/"
  dict=()  # the HTTP dictionary helps only the HTTP targets
  [[ $t == fuzz_request_* || $t == fuzz_router_* ]] &&
    dict=(-dict="$root/fuzz/http.dict")
  echo "== $t: ${seconds}s"
  # -fork=0: one process, so two cores are enough for everyone else.
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$build/fuzz/$t" "$corpus" "${dict[@]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=4096 -print_final_stats=1 \
      -artifact_prefix="$findings/" 2>"$work/$t.log"; then
    status=1
    echo "!! $t failed; reproducer in $findings/" >&2
    tail -n 60 "$work/$t.log" >&2
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$work/$t.log" || true
  grep -E '^(Done|#[0-9]+.*DONE)' "$work/$t.log" | tail -n 1 || true
done
exit "$status"
