#!/usr/bin/env bash
# Builds the release binary (`[profile.release]` in Cargo.toml) and prints what an
# operator installs: its size, whether it is static, and how long the build took.
# Outside CI on purpose: a cold release build of the lance stack takes most of an
# hour on 2 cores.
#   examples/release_size.sh            # build, then measure
#   examples/release_size.sh --no-build # measure the binary already built
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/atom-sync-target}"
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/atom-sync"
if [ "${1:-}" != "--no-build" ]; then
  start=$(date +%s)
  cargo build --release --locked
  echo "build: $(( $(date +%s) - start )) s (warm or cold: see above which crates compiled)"
fi
[ -x "$bin" ] || { echo "no release binary at $bin" >&2; exit 1; }
bytes=$(stat -c %s "$bin")
echo "binary: $bin"; awk -v b="$bytes" 'BEGIN { printf "size: %d bytes (%.1f MiB)\n", b, b / 1048576 }'
printf 'linkage: %s\n' "$(ldd "$bin" 2>&1 | head -n 1 | sed 's/^[[:space:]]*//')"
"$bin" --version
