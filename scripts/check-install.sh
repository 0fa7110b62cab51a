#!/usr/bin/env bash
# Installs a built gale into a temporary prefix, builds examples/out-of-tree
# (a separate CMake project that knows gale only through find_package),
# runs its gale::testing test, then starts it and fetches a page with curl.
#   scripts/check-install.sh [BUILD_DIR]    (default build/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$root/examples/out-of-tree" -B "$work/app" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/app" -j "$(nproc)" >/dev/null
"$work/app/greeter_test"

# A free port: bind port 0, read it back, let it go.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$work/app/greeter" --host 127.0.0.1 --port "$port" --workers 1 \
  --access-log off >"$work/greeter.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/greet/install" >"$work/body" 2>/dev/null && break
  sleep 0.1
done
if [[ "$(cat "$work/body" 2>/dev/null)" != "Greetings, install!" ]]; then
  echo "check-install: the installed app did not answer" >&2
  cat "$work/greeter.log" >&2
  exit 1
fi
echo "check-install: find_package(gale) app built, tested and served a request"
