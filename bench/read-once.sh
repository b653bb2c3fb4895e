#!/usr/bin/env bash
# read-once.sh [SIZE_MIB] — how many bytes `caravan send` reads from its source per byte of source.
#
# Goal (issue 13, item 3): each byte of a source file is read once per send, and a file sent as a
# reference to content the receiver stores is not read at all.
# Method: the mixed corpus of bench/corpus.sh (SIZE_MIB MiB, default 256; at least 64) is sent three
# times to one `caravan serve` on loopback, each `caravan send` under `strace -f -y` tracing only the
# calls that open or read a file (openat, read, pread64, readv, preadv, preadv2; no source file is
# mapped into memory): the bytes returned by reads on descriptors of files below the corpus are added
# up, and the opens of its regular files (folders left out) are counted per file. Source bytes count each inode
# once (a second name of a hard-linked file travels as a link, unread).
#   1. --no-dedup, fresh state        every file's bytes travel
#   2. dedup, fresh state             the same, and the files of at least 1 MiB fill the hash cache
#   3. dedup, the state of run 2      those files go as references: they should not be read at all
# Printed per run: source bytes, bytes read from the source, their ratio, files opened, files opened
# more than once. No times: strace slows every call it traces.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (default
# /tmp/caravan-bench-read-once; never inside the repository), CORPUS_DIR (default $BENCH_DIR/corpus-<SIZE>).
# Results: $BENCH_DIR/results/read-once-<UTC time>/summary.txt, the serve log and each run's trace.
set -euo pipefail
export LC_ALL=C

size_mib=${1:-256}
[[ $size_mib =~ ^[0-9]+$ ]] && (( size_mib >= 64 )) || { echo "read-once.sh: SIZE_MIB must be a whole number >= 64" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-read-once}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
repo=$(cd "$here/.." && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "read-once.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac
CORPUS_DIR=${CORPUS_DIR:-$BENCH_DIR/corpus-$size_mib}
out=$BENCH_DIR/results/read-once-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
# shared helpers: log, free_port, wait_http, need, caravan_launcher, tree_bytes, tree_files, ...
source "$here/lib.sh"
need read-once.sh "strace curl" strace curl
caravan_launcher read-once.sh
"$here/corpus.sh" "$CORPUS_DIR" "$size_mib"
CORPUS_DIR=$(cd "$CORPUS_DIR" && pwd)

w=$BENCH_DIR/work
rm -rf -- "$w"
mkdir -p "$w"
port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$port" --root "$w/inbox" > "$out/serve.log" 2>&1 &
serve_pid=$!
cleanup() { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; rm -rf -- "$w"; }
trap cleanup EXIT
wait_http "http://127.0.0.1:$port/health" "$serve_pid" serve ""

# a file with several names (the corpus's binaries have hard links) is packed once: count each inode once
find "$CORPUS_DIR" -type f -printf '%p\n' > "$out/files.txt"
source_bytes=$(find "$CORPUS_DIR" -type f -printf '%i %s\n' | sort -u | awk '{ t += $2 } END { printf "%d", t }')
log "read-once.sh: corpus $CORPUS_DIR: $(wc -l < "$out/files.txt") files, $source_bytes bytes (each inode once); caravan $CARAVAN"
printf '%-28s %14s %14s %9s %8s %10s\n' run source_bytes read_bytes read/src opened opened_2x | tee -a "$out/summary.txt"

# one traced send: $1 label, $2 remote name, $3 state dir, then extra send options
traced_send() {
  local label=$1 name=$2 state=$3 trace=$out/$1.strace
  shift 3
  strace -f -y -s 0 --seccomp-bpf -e trace=openat,read,pread64,readv,preadv,preadv2 -o "$trace" \
    "$CARAVAN" send "$CORPUS_DIR" "$name" --to "http://127.0.0.1:$port" --state-dir "$state" -q "$@" > "$out/$label.log" 2>&1 \
    || { echo "read-once.sh: send '$label' failed; see $out/$label.log" >&2; exit 1; }
  # reads: "PID read(FD</path>, ..., N) = R"; opens: "PID openat(AT_FDCWD, \"/path\", FLAGS...) = FD"
  awk -v root="$CORPUS_DIR/" -v label="$label" -v src="$source_bytes" '
    # with -f a call another thread interrupts is split: "PID read(FD</path>, <unfinished ...>", then
    # "PID <... read resumed>..., N) = R"; the path is kept per PID until the resumed half
    function path_of(line) { sub(/^[^<]*</, "", line); sub(/>.*$/, "", line); return line }
    FNR == NR { regular[$0] = 1; next }
    /(read|pread64|readv|preadv|preadv2)\([0-9]+</ {
      p = path_of($0)
      if (/<unfinished \.\.\.>/) { pending[$1] = p; next }
      if (index(p, root) == 1 && $NF ~ /^[0-9]+$/) bytes += $NF
      next
    }
    /<\.\.\. (read|pread64|readv|preadv|preadv2) resumed>/ {
      p = pending[$1]; delete pending[$1]
      if (index(p, root) == 1 && $NF ~ /^[0-9]+$/) bytes += $NF
      next
    }
    /openat\(/ && !/O_DIRECTORY/ && !/= -1/ {
      p = $0; sub(/^[^"]*"/, "", p); sub(/".*$/, "", p)
      if (p in regular) opens[p]++
    }
    END {
      n = 0; twice = 0
      for (p in opens) { n++; if (opens[p] > 1) twice++ }
      printf "%-28s %14d %14d %9.3f %8d %10d\n", label, src, bytes, bytes / src, n, twice
    }' "$out/files.txt" "$trace" | tee -a "$out/summary.txt"
}

traced_send "no-dedup" corpus-a "$w/state-a" --no-dedup
traced_send "dedup-first-send" corpus-b "$w/state-b"
traced_send "dedup-second-send" corpus-c "$w/state-b"
log "results in $out"
