#!/usr/bin/env bash
# dropfolder.sh — how fast `caravan run` (sender and receiver in one process, on loopback) takes many small
# top-level files dropped into its outbox at once, each its own parcel, until every one is published in the
# inbox; against `rsync -a` of the same files into a folder (what a cron job would run instead: one pass,
# no per-file verification, no parcel per file).
#   caravan  FILES files of SIZE bytes moved (mv, one rename) from a staging folder into the outbox of a
#            running `caravan run -q`; timed from the move until FILES files are in the inbox. The outbox
#            waits caravan.sender.file-settle-time (2 s by default) before it takes a file: part of the time.
#   rsync    rsync -a STAGING/ DEST/ into an empty folder (the same files, the same disk).
# Prints parcels a second and the ratio of the two times. One run each; run-to-run spread here is +-30 %.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (default
# /tmp/caravan-bench-dropfolder; never inside the repository), FILES (1000), SIZE (1024), JAVA_OPTS.
# Results: $BENCH_DIR/results/dropfolder-<UTC time>/summary.txt and the run's log.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-dropfolder}
FILES=${FILES:-1000}
SIZE=${SIZE:-1024}
need dropfolder "rsync curl" rsync curl java
caravan_launcher dropfolder

out=$BENCH_DIR/results/dropfolder-$(date -u +%Y%m%dT%H%M%SZ)
work=$BENCH_DIR/work
rm -rf "$work" && mkdir -p "$out" "$work/staging" "$work/outbox" "$work/inbox" "$work/rsync-dest"
for i in $(seq 1 "$FILES"); do head -c "$SIZE" /dev/urandom > "$work/staging/f$i.bin"; done
touch -d '1 minute ago' "$work/staging"/*

port=$(free_port)
console=$(free_port)
(cd "$work" && exec "$CARAVAN" run -q -Dcaravan.sender.outbox="$work/outbox" -Dcaravan.receiver.inbox="$work/inbox" \
  -Dcaravan.receiver.port="$port" -Dcaravan.sender.url="http://127.0.0.1:$port" -Dcaravan.console.port="$console" \
  -Dcaravan.state.dir="$work/state") > "$out/run.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
wait_http "http://127.0.0.1:$port/health" "$pid" run ""

log "dropfolder: $FILES files of $SIZE bytes, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
t0=$(now)
mv "$work/staging"/* "$work/outbox/"
while (( $(find "$work/inbox" -maxdepth 1 -type f | wc -l) < FILES )); do
  kill -0 "$pid" 2>/dev/null || { echo "caravan run exited; see $out/run.log" >&2; exit 1; }
  sleep 0.05
done
caravan_s=$(elapsed "$t0")
log "caravan: $FILES parcels in $caravan_s s ($(div "$FILES" "$caravan_s") parcels/s)"

mv "$work/outbox/.sent"/* "$work/staging/" 2>/dev/null || cp -p "$work/inbox"/* "$work/staging/"
sync
t0=$(now)
rsync -a "$work/staging/" "$work/rsync-dest/"
rsync_s=$(elapsed "$t0")
log "rsync -a: $FILES files in $rsync_s s ($(div "$FILES" "$rsync_s") files/s)"
log "ratio (rsync time / caravan time): $(div "$rsync_s" "$caravan_s")"
