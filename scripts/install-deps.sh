#!/usr/bin/env bash
# Installs every Debian package gale's build, tests and benchmarks need.
# Idempotent: packages already present are skipped without touching the
# network, so it is cheap to run before every build.
#   scripts/install-deps.sh          build + tests
#   scripts/install-deps.sh --bench  also the peers the benchmarks compare
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libboost-program-options1.81-dev
  libhttp-parser-dev libyaml-cpp-dev libgtest-dev libgmock-dev
  libssl-dev libboost-json1.81-dev
  clang libclang-rt-14-dev clang-format
  curl wrk procps python3 iproute2
  chromium chromium-driver python3-selenium
  python3-websockets node-ws nodejs zlib1g-dev
  libhiredis-dev redis-server libkainjow-mustache-dev
)
if [[ "${1:-}" == "--bench" ]]; then
  # python3-munkres first: matplotlib's python3-fonttools takes it or
  # python3-scipy, and scipy's python3-pythran pulls libboost-dev (1.74),
  # which conflicts with the libboost1.81-dev gale builds with.
  packages+=(nginx libnginx-mod-http-echo libnginx-mod-nchan apache2 python3-tornado
             python3-munkres python3-matplotlib util-linux)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  # policy-rc.d keeps the Debian postinst scripts from starting the system
  # nginx/apache2 on port 80: the benchmarks run their own private copies.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
