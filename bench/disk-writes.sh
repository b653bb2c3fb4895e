#!/usr/bin/env bash
# disk-writes.sh SOURCE [SEND OPTIONS...] — how many bytes `caravan serve` writes to its disk per byte it
# receives, for one `caravan send SOURCE` over loopback into a fresh inbox.
#
# Method: the receiver's JVM is started on a fresh inbox; write_bytes of its /proc/PID/io (bytes this
# process caused to be sent to the storage layer: chunk files, extracted files, logs; page-cache writes
# counted when they are dirtied, whether or not they reach the disk before the files are removed) is read
# once it answers /health and again after the send's finish published the parcel; the received bytes are
# receiver's caravan_bytes_received counter (chunk bytes it answered 201 or 200). The receiver's own
# logs and state files are in the count, which makes the figure a slight overestimate. The ideal is
# the published bytes, each written once (for a compressed parcel, more than the received bytes).
# CARAVAN (default: the launcher beside this folder) picks the build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
[[ $# -ge 1 ]] || { echo "usage: $0 SOURCE [SEND OPTIONS...]" >&2; exit 2; }
src=$1; shift
CARAVAN=${CARAVAN:-$here/../caravan}
w=$(mktemp -d /tmp/caravan-disk-writes.XXXXXX)
out=$w
inbox=$w/inbox
port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$port" --root "$inbox" > "$w/serve.log" 2>&1 &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; rm -rf -- "$w"' EXIT
wait_http "http://127.0.0.1:$port/health" "$serve_pid" serve ""
written() { awk '/^write_bytes:/ { print $2 }' "/proc/$serve_pid/io"; }
before=$(written)
t0=$(now)
"$CARAVAN" send "$src" parcel --to "http://127.0.0.1:$port" --no-dedup --state-dir "$w/state" -q "$@" > "$w/send.log" 2>&1 \
  || { cat "$w/send.log" >&2; exit 1; }
seconds=$(elapsed "$t0")
sync
after=$(written)
received=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^caravan_bytes_received/ { printf "%d", $2 }')
published=$(du -sb --apparent-size "$inbox/parcel" | cut -f1)
wrote=$((after - before))
echo "received $received bytes of chunks; published $published bytes; the receiver wrote $wrote bytes; the send took $seconds s"
grep -o '[0-9]* of [0-9]* chunks were extracted from their request bodies' "$w/serve.log" || true
awk -v w="$wrote" -v r="$received" -v p="$published" \
  'BEGIN { printf "written per received byte: %.3f; written per published byte: %.3f\n", w / r, w / p }'
