#!/usr/bin/env bash
# What N workers sustain together on one Postgres and one vector location: N tenants
# each get a backfill of M messages (the shared corpus replicated with fresh ids, as
# bench_scale builds it), then N `worker --once` processes, each with a data dir of
# its own (as on separate machines), drain the queue. Prints the wall time and the
# combined rate per N.
#
#   examples/bench_fleet.sh BIN "1 2 4" 5000        (needs ATOM_SYNC_TEST_DATABASE_URL)
set -euo pipefail
BIN=${1:?path to the atom-sync binary}
COUNTS=${2:-"1 2 4"}
M=${3:-5000}
ADMIN=${ATOM_SYNC_TEST_DATABASE_URL:?a Postgres admin URL}
BASE=${ADMIN%/*}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# M corpus messages, each with a Message-ID of its own (per tenant: fresh ids)
make_mbox() { # $1 out, $2 tag
  python3 - "$1" "$2" "$M" <<'PY'
import sys, pathlib
out, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(p for p in pathlib.Path("../shared/corpus").rglob("*.eml"))
texts = []
for f in files:
    t = f.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
    if t.startswith("From "):
        t = t.split("\n", 1)[1] if "\n" in t else ""
    lines = [l for l in t.split("\n") if not l.lower().startswith("message-id:")]
    texts.append("\n".join(">" + l if l.lstrip(">").startswith("From ") else l for l in lines))
with open(out, "w") as w:
    for i in range(n):
        w.write(f"From bench Thu Jan  1 00:00:00 2004\nMessage-ID: <fleet-{tag}-{i}@atom-sync>\n{texts[i % len(texts)]}\n\n")
PY
}

for N in $COUNTS; do
  DB="atom_test_fleet_$$_$N"
  psql -q "$ADMIN" -c "CREATE DATABASE $DB"
  export DATABASE_URL="$BASE/$DB"
  export ATOM_SYNC_LANCE_URI="$WORK/lance-$N"
  "$BIN" --data-dir "$WORK/setup-$N" migrate >/dev/null
  for i in $(seq 1 "$N"); do
    make_mbox "$WORK/t$i.mbox" "$N-$i"
    "$BIN" --data-dir "$WORK/setup-$N" backfill --tenant "t$i" --source "mbox:$WORK/t$i.mbox" --detach >/dev/null
  done
  start=$(date +%s.%N)
  pids=()
  for i in $(seq 1 "$N"); do
    "$BIN" -q --data-dir "$WORK/w$N-$i" worker --once &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  end=$(date +%s.%N)
  done_n=$("$BIN" --data-dir "$WORK/setup-$N" status --json | python3 -c 'import json,sys; print(sum(j["processed"]+j["skipped"] for j in json.load(sys.stdin)["jobs"]))')
  python3 -c "import sys; n,m,t=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]); print(f'{n} worker(s): {m} messages in {t:.1f} s = {m/t:.0f} msg/s')" "$N" "$done_n" "$(echo "$end - $start" | bc)"
  unset DATABASE_URL ATOM_SYNC_LANCE_URI
  psql -q "$ADMIN" -c "DROP DATABASE $DB WITH (FORCE)"
done
