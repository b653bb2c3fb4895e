#!/usr/bin/env bash
# receive.sh — ingest throughput and memory of the receiver (`caravan serve`).
#
# Measures: MB/s (10^6 bytes per second) of uploading CHUNKS chunk files of 8 MiB (default 128 = 1 GiB)
# over loopback from PARALLEL (4) concurrent uploaders into a raw session of `caravan serve`
# (POST /start, then PUT /upload/<sid>/<idx> with X-Chunk-Sha256; the receiver hashes each chunk while
# writing it to a temp file and renames it, then answers 201; with DURABILITY=chunk it also fsyncs the
# file and the folder first, as every receiver did before caravan.receiver.durability), against the very same
# uploads to a plain sink on the same machine that reads every body in full and discards it
# (bench/peers/sink.py: Python ThreadingHTTPServer, no disk). Same client for both: one
# `curl --upload-file` (a streaming PUT; --data-binary first reads the whole file into memory and was
# half as fast here) per chunk, PARALLEL at a time through `xargs -P`; only the PUT phase is timed.
# A third target, "disk", copies the same files with `dd conv=fsync` (PARALLEL at a time, same file
# system as the inbox): the ceiling of any receiver that must write and fsync every chunk; it is a
# diagnostic, not part of the goal. The order of the targets rotates every round, each run starts
# after a `sync`; REPEATS (3) rounds; medians and the ratio of medians are printed.
# Goal: caravan >= 0.8 x the sink's MB/s, and the receiver's peak RSS (VmHWM of /proc/<pid>/status)
# flat: the same after the 1 GiB runs and after a further run with twice the data (2 GiB), since chunk
# bodies are held only while being stored.
# Also printed, to show where the time goes: CPU seconds per GiB of each server (/proc/<pid>/stat) and
# of its client (xargs + curl, /usr/bin/time), since on a small machine both share the same CPUs; and
# the receiver's CPU seconds per thread group during the timed caravan runs (/proc/<pid>/task/*/stat:
# Netty I/O threads reading sockets, consumer threads hashing + writing + fsyncing, JIT, GC).
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir, default
# /tmp/caravan-bench-receive; never inside the repository), CHUNKS (128), PARALLEL (4), REPEATS (3),
# JAVA_OPTS (given to the receiver's JVM by the launcher; unset: the launcher's default), KEEP_DATA
# (1 keeps the generated chunks for the next run).
# Chunk data: seeded, incompressible (AES-256-CTR keystream of openssl), 2 x CHUNKS files of 8 MiB.
# Results go to $BENCH_DIR/results/receive-<UTC time>/summary.txt (and serve.log, sink.log).
set -euo pipefail
export LC_ALL=C

CARAVAN=${CARAVAN:-$(dirname "$0")/../caravan}
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-receive}
CHUNKS=${CHUNKS:-128}
PARALLEL=${PARALLEL:-4}
REPEATS=${REPEATS:-3}
KEEP_DATA=${KEEP_DATA:-0}
CHUNK_BYTES=$(( 8 * 1024 * 1024 ))

here=$(cd "$(dirname "$0")" && pwd)
# shared helpers: log, median, div, now, elapsed, mib, free_port, thread_ticks, sample_states, ...
source "$here/lib.sh"
missing=()
for tool in curl openssl sha256sum xargs python3 java awk sort split join dd /usr/bin/time; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "receive.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y curl openssl coreutils findutils python3 mawk time openjdk-17-jre-headless" >&2
  exit 1
fi
[[ -x $CARAVAN ]] || { echo "receive.sh: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
for n in CHUNKS PARALLEL REPEATS; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( ${!n} >= 1 )) || { echo "receive.sh: $n must be a whole number >= 1" >&2; exit 2; }
done

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
repo=$(cd "$here/.." && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "receive.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac

total_chunks=$(( 2 * CHUNKS ))
need_kib=$(( total_chunks * CHUNK_BYTES / 1024 * 2 + 1024 * 1024 ))  # chunks + what the receiver stores + 1 GiB
free_kib=$(df -Pk "$BENCH_DIR" | awk 'NR == 2 { print $4 }')
(( free_kib >= need_kib )) || { echo "receive.sh: needs $(( need_kib / 1024 / 1024 )) GiB free in $BENCH_DIR, has $(( free_kib / 1024 / 1024 )) GiB" >&2; exit 1; }

data=$BENCH_DIR/chunks
inbox=$BENCH_DIR/inbox
out=$BENCH_DIR/results/receive-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
serve_pid=
sink_pid=
cleanup() {
  set +e   # best effort: every step runs even when an earlier one fails
  if [[ -n $serve_pid ]]; then kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; fi
  if [[ -n $sink_pid ]]; then kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null; fi
  rm -rf -- "$inbox" "$BENCH_DIR/disk"
  [[ $KEEP_DATA == 1 ]] || rm -rf -- "$data"
  return 0
}
trap cleanup EXIT

log "# receive.sh $(date -u)"
log "caravan: $CARAVAN  JAVA_OPTS=${JAVA_OPTS:-(unset: launcher default)}"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1), $(curl --version | head -n1 | cut -d' ' -f1-2)"
log "load: $CHUNKS x 8 MiB chunks ($(( CHUNKS * 8 )) MiB), $PARALLEL parallel uploaders (curl via xargs -P$PARALLEL), $REPEATS alternating rounds"

# --- chunk files: seeded, incompressible, with their SHA-256 -------------------------------------
if [[ ! -f $data/SHA256SUMS ]] || (( $(wc -l < "$data/SHA256SUMS") != total_chunks )); then
  echo "generating $total_chunks x 8 MiB chunks in $data ..." >&2
  rm -rf -- "$data"
  mkdir -p "$data"
  # openssl dies of SIGPIPE when head has enough: only split's status counts here
  ( set +o pipefail
    openssl enc -aes-256-ctr -nosalt -pass pass:caravan-bench-receive -pbkdf2 -in /dev/zero 2>/dev/null \
      | head -c $(( total_chunks * CHUNK_BYTES )) \
      | split -b "$CHUNK_BYTES" -d -a 5 - "$data/chunk-" )
  (( $(find "$data" -name 'chunk-*' -size "${CHUNK_BYTES}c" | wc -l) == total_chunks )) \
    || { echo "receive.sh: generating the chunks failed" >&2; exit 1; }
  (cd "$data" && sha256sum chunk-* > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
fi
# "index sha256 file" lines for the first N chunks
list() { awk -v n="$1" -v dir="$data" 'NR <= n { print NR - 1, $1, dir "/" $2 }' "$data/SHA256SUMS"; }

wait_health() {  # url pid name
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$1/health" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "receive.sh: $3 exited; see $out/$3.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "receive.sh: $3 did not answer $1/health within 60 s" >&2
  exit 1
}

# upload URL_PREFIX N: PUTs the first N chunks to URL_PREFIX/<idx>, PARALLEL at a time;
# prints "<wall seconds> <CPU seconds of the client: xargs and its curls>"
upload() {
  local prefix=$1 n=$2 t0 t1 cpu=$out/client.cpu
  export UPLOAD_PREFIX=$prefix
  t0=$(date +%s.%N)
  list "$n" | /usr/bin/time -f '%U %S' -o "$cpu" xargs -P "$PARALLEL" -L 1 sh -c \
    'curl -sS --fail -o /dev/null -H "Content-Type: application/octet-stream" -H "Expect:" \
       -H "X-Chunk-Sha256: $1" --upload-file "$2" "$UPLOAD_PREFIX/$0"'
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f\n", b - a, $1 + $2 }' "$cpu"
}

cpu_s() { awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n * 8 * 1048576 / s / 1e6 }'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --- peers -----------------------------------------------------------------------------------
sink_port=$(free_port)
python3 "$here/peers/sink.py" "$sink_port" > "$out/sink.log" 2>&1 &
sink_pid=$!
wait_health "http://127.0.0.1:$sink_port" "$sink_pid" sink

serve_port=$(free_port)
rm -rf -- "$inbox"
CARAVAN_RECEIVER_DURABILITY="${DURABILITY:-publish}" \
  "$CARAVAN" serve --host 127.0.0.1 --port "$serve_port" --root "$inbox" > "$out/serve.log" 2>&1 &
serve_pid=$!   # the launcher execs java: this is the receiver's JVM
wait_health "http://127.0.0.1:$serve_port" "$serve_pid" serve
serve_url=http://127.0.0.1:$serve_port
log "receiver pid $serve_pid on port $serve_port (RSS at start $(mib "$(rss_kib "$serve_pid")") MiB); sink pid $sink_pid on port $sink_port"

# a raw session; returns its id
start_session() {
  curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$serve_url/start" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["session_id"])'
}
# checks the session holds chunks 0..n-1 with the right hashes, then deletes it (frees the disk)
check_and_delete() {  # sid n
  curl -fsS "$serve_url/status/$1" | python3 -c '
import json, sys
n, sums = int(sys.argv[1]), sys.argv[2]
want = {str(i): line.split()[0] for i, line in enumerate(open(sums)) if i < n}
got = json.load(sys.stdin)["chunks"]
if got != want:
    sys.exit("receive.sh: the session does not hold the uploaded chunks (%d of %d)" % (len(got), n))
' "$2" "$data/SHA256SUMS"
  curl -fsS -o /dev/null -X DELETE "$serve_url/sessions/$1"
}

caravan_run() {  # n -> "seconds client-cpu"
  local sid result
  sid=$(start_session)
  result=$(upload "$serve_url/upload/$sid" "$1")
  check_and_delete "$sid" "$1"
  echo "$result"
}
sink_run() {  # n -> "seconds client-cpu"
  upload "http://127.0.0.1:$sink_port/upload/sink" "$1"
}
# the disk ceiling: the same files copied with dd conv=fsync (write + fsync, no network, no hashing),
# PARALLEL at a time, into a folder beside the inbox (same file system); not a goal, a diagnostic
disk_run() {  # n -> "seconds cpu"
  local dir=$BENCH_DIR/disk t0 t1 cpu=$out/client.cpu
  rm -rf -- "$dir"; mkdir -p "$dir"
  export DISK_DIR=$dir
  t0=$(date +%s.%N)
  list "$1" | /usr/bin/time -f '%U %S' -o "$cpu" xargs -P "$PARALLEL" -L 1 sh -c \
    'dd if="$2" of="$DISK_DIR/$0.chunk" bs=8M conv=fsync status=none'
  t1=$(date +%s.%N)
  rm -rf -- "$dir"
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f\n", b - a, $1 + $2 }' "$cpu"
}

# warm-up (JIT, page cache, TCP): 32 chunks each, not counted
caravan_run 32 > /dev/null
sink_run 32 > /dev/null
log "RSS after a 256 MiB warm-up: $(mib "$(rss_kib "$serve_pid")") MiB (peak $(mib "$(hwm_kib "$serve_pid")") MiB)"

declare -a sink_mbps=() caravan_mbps=() disk_mbps=() hwm_after=()
declare -a sink_srv=() sink_cli=() caravan_srv=() caravan_cli=() disk_cli=()
caravan_wall=0
gib=$(awk -v n="$CHUNKS" 'BEGIN { print n * 8 / 1024 }')
per_gib() { awk -v c="$1" -v g="$gib" 'BEGIN { printf "%.2f", c / g }'; }
before=$(mktemp); after=$(mktemp); trap 'rm -f "$before" "$after"; cleanup' EXIT
targets=(sink caravan disk)
for round in $(seq 1 "$REPEATS"); do
  # rotate the order each round so that no target always runs first or last
  k=$(( (round - 1) % 3 ))
  order=("${targets[@]:k}" "${targets[@]:0:k}")
  for target in "${order[@]}"; do
    sync   # start from a clean page cache: the previous run's dirty pages are written out first
    case $target in
      sink)
        c0=$(proc_ticks "$sink_pid")
        sink_run "$CHUNKS" > "$out/run.txt"; read -r s cli < "$out/run.txt"
        srv=$(cpu_s "$c0" "$(proc_ticks "$sink_pid")")
        r=$(mbps "$CHUNKS" "$s"); sink_mbps+=("$r"); sink_srv+=("$(per_gib "$srv")"); sink_cli+=("$(per_gib "$cli")")
        log "round $round  sink     ${s}s  $r MB/s  (CPU s/GiB: server ${sink_srv[-1]}, client ${sink_cli[-1]})" ;;
      disk)
        disk_run "$CHUNKS" > "$out/run.txt"; read -r s cli < "$out/run.txt"
        r=$(mbps "$CHUNKS" "$s"); disk_mbps+=("$r"); disk_cli+=("$(per_gib "$cli")")
        log "round $round  disk     ${s}s  $r MB/s  (dd conv=fsync x$PARALLEL; CPU s/GiB: dd ${disk_cli[-1]})" ;;
      caravan)
        thread_ticks "$serve_pid" | sort -t $'\t' -k1,1 > "$before"
        c0=$(proc_ticks "$serve_pid")
        caravan_run "$CHUNKS" > "$out/run.txt"; read -r s cli < "$out/run.txt"
        srv=$(cpu_s "$c0" "$(proc_ticks "$serve_pid")")
        thread_ticks "$serve_pid" | sort -t $'\t' -k1,1 > "$after"
        join -t $'\t' -a 2 -e 0 -o '0,1.2,2.2' "$before" "$after" >> "$out/threads.tsv"
        caravan_wall=$(awk -v a="$caravan_wall" -v b="$s" 'BEGIN { print a + b }')
        hwm_after+=("$(hwm_kib "$serve_pid")")
        r=$(mbps "$CHUNKS" "$s"); caravan_mbps+=("$r"); caravan_srv+=("$(per_gib "$srv")"); caravan_cli+=("$(per_gib "$cli")")
        log "round $round  caravan  ${s}s  $r MB/s  (CPU s/GiB: server ${caravan_srv[-1]}, client ${caravan_cli[-1]}; receiver RSS $(mib "$(rss_kib "$serve_pid")") MiB, peak $(mib "${hwm_after[-1]}") MiB)" ;;
    esac
  done
done

m_sink=$(median "${sink_mbps[@]}")
m_caravan=$(median "${caravan_mbps[@]}")
m_disk=$(median "${disk_mbps[@]}")
ratio=$(awk -v c="$m_caravan" -v s="$m_sink" 'BEGIN { printf "%.2f", c / s }')
ratio_disk=$(awk -v c="$m_caravan" -v s="$m_disk" 'BEGIN { printf "%.2f", c / s }')
hwm1=${hwm_after[0]}
hwm_n=${hwm_after[-1]}

# twice the data, same receiver: its peak RSS must not move
sync
caravan_run "$total_chunks" > "$out/run.txt"; read -r s cli < "$out/run.txt"; r2=$(mbps "$total_chunks" "$s")
hwm2=$(hwm_kib "$serve_pid")
log "2x run   caravan  ${s}s  $r2 MB/s  ($(( total_chunks * 8 )) MiB; receiver RSS $(mib "$(rss_kib "$serve_pid")") MiB, peak $(mib "$hwm2") MiB)"

log ""
log "median MB/s: caravan $m_caravan, sink $m_sink, ratio $ratio (goal >= 0.8); disk ceiling (dd conv=fsync) $m_disk, caravan/disk $ratio_disk"
log "median CPU seconds per GiB: caravan receiver $(median "${caravan_srv[@]}") + its client $(median "${caravan_cli[@]}"); sink $(median "${sink_srv[@]}") + its client $(median "${sink_cli[@]}"); dd $(median "${disk_cli[@]}") ($(nproc) vCPUs shared by all)"
log "receiver peak RSS (VmHWM): $(mib "$hwm1") MiB after the first $(( CHUNKS * 8 )) MiB run, $(mib "$hwm_n") MiB after all $REPEATS, $(mib "$hwm2") MiB after a further $(( total_chunks * 8 )) MiB run"
log ""
hz=$(getconf CLK_TCK)
log "receiver CPU seconds by thread group during the $REPEATS timed caravan runs ($(( REPEATS * CHUNKS * 8 )) MiB, ${caravan_wall}s wall, $(nproc) vCPUs):"
awk -F'\t' -v hz="$hz" '{ d[$1] += $3 - $2; t += $3 - $2 } END { for (k in d) if (d[k] > 0) printf "%8.2f  %s\n", d[k] / hz, k; printf "%8.2f  (total)\n", t / hz }' "$out/threads.tsv" \
  | sort -rn | head -n 12 | tee -a "$out/summary.txt"
log "results: $out"
