#!/usr/bin/env bash
# get.sh — download throughput of the read side: `caravan get` from `caravan serve`, against rsync and curl.
#
# Measures, over loopback, with the receiver's chunk cache warm (one untimed `caravan get` first, which
# makes the receiver pack the parcel; that first download's time is reported too, packing included):
#   1. the mixed corpus of bench/corpus.sh (SIZE_MIB, default 1024): `caravan get bench/corpus DEST`
#      against `rsync -a rsync://127.0.0.1:PORT/bench/corpus/ DEST/corpus/` from an rsync daemon that
#      serves the same published folder. Goal: caravan at least as fast as rsync (ratio >= 1.0).
#   2. one incompressible file of FILE_MIB (default 1024): `caravan get bench/big.bin DEST` against
#      `curl -o DEST/big.bin` of that file from nginx. Goal: caravan >= 0.8 x curl's MB/s.
# Every timed run starts with an empty destination and a `sync`; the order of the tools alternates each
# round; REPEATS (3) rounds; medians and ratios (peer time / caravan time) are printed. The copies of the
# first round are compared with the source (diff -r / cmp) outside the timing. The single file's bound is printed
# beside it: the receiver serving the file's chunks to native clients, plus a `caravan get` of a one-byte parcel.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir, default
# /tmp/caravan-bench-get; never inside the repository), SIZE_MIB (1024, >= 64), FILE_MIB (1024),
# REPEATS (3), PARALLEL (4, `caravan get --parallel`), JAVA_OPTS (given to both JVMs by the launcher).
# Results go to $BENCH_DIR/results/get-<UTC time>/summary.txt (and serve.log, rsyncd.log, nginx logs).
set -euo pipefail
export LC_ALL=C

CARAVAN=${CARAVAN:-$(dirname "$0")/../caravan}
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-get}
SIZE_MIB=${SIZE_MIB:-1024}
FILE_MIB=${FILE_MIB:-1024}
REPEATS=${REPEATS:-3}
PARALLEL=${PARALLEL:-4}

here=$(cd "$(dirname "$0")" && pwd)
# shared helpers: log, median, div, now, elapsed, free_port, ...
source "$here/lib.sh"
missing=()
for tool in curl rsync nginx openssl python3 java awk sort diff cmp; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "get.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y curl rsync nginx-light openssl python3 diffutils openjdk-17-jre-headless" >&2
  exit 1
fi
[[ -x $CARAVAN ]] || { echo "get.sh: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
for n in SIZE_MIB FILE_MIB REPEATS PARALLEL; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( ${!n} >= 1 )) || { echo "get.sh: $n must be a whole number >= 1" >&2; exit 2; }
done

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
case $BENCH_DIR/ in "$(cd "$here/.." && pwd)"/*) echo "get.sh: BENCH_DIR must be outside the repository" >&2; exit 2;; esac
out=$BENCH_DIR/results/get-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
inbox=$BENCH_DIR/inbox
dest=$BENCH_DIR/dest

serve_pid= rsync_pid= nginx_pid=
cleanup() {
  for pid in $serve_pid $rsync_pid $nginx_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_for() {  # url pid name
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "get.sh: $3 exited; see $out/$3.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "get.sh: $3 did not answer $1 within 60 s" >&2
  exit 1
}

log "# get.sh $(date -u +%FT%TZ): corpus ${SIZE_MIB} MiB, file ${FILE_MIB} MiB, ${REPEATS} rounds, --parallel ${PARALLEL}"
log "# commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"

"$here/corpus.sh" "$BENCH_DIR/corpus" "$SIZE_MIB" >&2
big=$BENCH_DIR/big.bin
if [[ ! -f $big || $(stat -c %s "$big") -ne $(( FILE_MIB * 1024 * 1024 )) ]]; then
  # openssl ends by SIGPIPE when head has enough: not a failure
  { openssl enc -aes-256-ctr -pass pass:caravan-get -nosalt -pbkdf2 < /dev/zero 2>/dev/null || true; } \
    | head -c $(( FILE_MIB * 1024 * 1024 )) > "$big"
fi

# the receiver, with the corpus and the file published under bench/
rm -rf "$inbox"
mkdir -p "$inbox"
serve_port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$serve_port" --root "$inbox" > "$out/serve.log" 2>&1 &
serve_pid=$!
url=http://127.0.0.1:$serve_port
wait_for "$url/health" "$serve_pid" serve
"$CARAVAN" send "$BENCH_DIR/corpus" bench/corpus --to "$url" --state-dir "$BENCH_DIR/sender" -q > "$out/send.log"
"$CARAVAN" send "$big" bench/big.bin --to "$url" --state-dir "$BENCH_DIR/sender" -q >> "$out/send.log"
corpus_bytes=$(find "$inbox/bench/corpus" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
file_bytes=$(stat -c %s "$big")

# the peers serve the very same published copies
rsync_port=$(free_port)
cat > "$out/rsyncd.conf" <<CONF
use chroot = no
[bench]
path = $inbox/bench
read only = yes
CONF
rsync --daemon --no-detach --address=127.0.0.1 --port="$rsync_port" --config="$out/rsyncd.conf" --log-file="$out/rsyncd.log" &
rsync_pid=$!
nginx_port=$(free_port)
mkdir -p "$out/nginx"
cat > "$out/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $out/nginx;
  proxy_temp_path $out/nginx;
  fastcgi_temp_path $out/nginx;
  uwsgi_temp_path $out/nginx;
  scgi_temp_path $out/nginx;
  server { listen 127.0.0.1:$nginx_port; root $inbox/bench; }
}
CONF
nginx -c "$out/nginx/nginx.conf" -p "$out/nginx" > "$out/nginx.log" 2>&1 &
nginx_pid=$!
wait_for "http://127.0.0.1:$nginx_port/big.bin" "$nginx_pid" nginx
for _ in $(seq 1 50); do rsync "rsync://127.0.0.1:$rsync_port/" > /dev/null 2>&1 && break; sleep 0.2; done

timed() {  # name command... ; prints seconds
  rm -rf "$dest"
  mkdir -p "$dest"
  sync
  local start
  start=$(now)
  "$@" > "$out/last-$1.log" 2>&1 || { echo "get.sh: '$*' failed; see $out/last-$1.log" >&2; exit 1; }
  elapsed "$start"
}
caravan_corpus() { "$CARAVAN" get bench/corpus "$dest" --to "$url" --parallel "$PARALLEL" -q; }
rsync_corpus() { rsync -a "rsync://127.0.0.1:$rsync_port/bench/corpus/" "$dest/corpus/"; }
caravan_file() { "$CARAVAN" get bench/big.bin "$dest" --to "$url" --parallel "$PARALLEL" -q; }
curl_file() { curl -fsS -o "$dest/big.bin" "http://127.0.0.1:$nginx_port/big.bin"; }

first_corpus=$(timed caravan_corpus)
diff -r "$BENCH_DIR/corpus" "$dest/corpus" > /dev/null || { echo "get.sh: caravan get's copy of the corpus differs" >&2; exit 1; }
first_file=$(timed caravan_file)
cmp -s "$big" "$dest/big.bin" || { echo "get.sh: caravan get's copy of the file differs" >&2; exit 1; }
log "first download (the receiver packs the parcel meanwhile): corpus ${first_corpus} s, file ${first_file} s"

cc=() rc=() cf=() nf=()
for round in $(seq 1 "$REPEATS"); do
  if (( round % 2 )); then
    cc+=("$(timed caravan_corpus)"); rc+=("$(timed rsync_corpus)")
    cf+=("$(timed caravan_file)"); nf+=("$(timed curl_file)")
  else
    rc+=("$(timed rsync_corpus)"); cc+=("$(timed caravan_corpus)")
    nf+=("$(timed curl_file)"); cf+=("$(timed caravan_file)")
  fi
  if (( round == 1 )); then
    timed rsync_corpus > /dev/null
    diff -r "$BENCH_DIR/corpus" "$dest/corpus" > /dev/null || { echo "get.sh: rsync's copy differs" >&2; exit 1; }
  fi
  log "round $round: caravan corpus ${cc[-1]} s, rsync ${rc[-1]} s; caravan file ${cf[-1]} s, curl ${nf[-1]} s"
done

rm -rf "$dest"; mkdir -p "$dest"
log "bound: JIT compilation CPU of one caravan get of the file (-XX:+CITime): $(jit_cpu_s "$CARAVAN" get bench/big.bin "$dest" \
  --to "$url" --parallel "$PARALLEL" -q)s, of the corpus: $(rm -rf "$dest"; mkdir -p "$dest"; jit_cpu_s "$CARAVAN" get bench/corpus \
  "$dest" --to "$url" --parallel "$PARALLEL" -q)s"

# What the single file's ratio is bounded by, whatever the client does: the receiver serving every chunk of the file
# to PARALLEL native clients (curl into /dev/null), and a `caravan get` of a one-byte parcel (JVM start, manifest,
# publish). Their sum is the fastest a `caravan get` of the file could be from this receiver on this machine.
chunks=$(curl -fsS "$url/parcels/manifest?name=bench/big.bin" | sed -n 's/^ *"total_chunks" *: *\([0-9]*\).*/\1/p')
served_times=()
for _ in 1 2 3; do
  t0=$(now)
  seq 0 $(( chunks - 1 )) | xargs -P "$PARALLEL" -I{} curl -fsS -o /dev/null "$url/parcels/chunks/{}?name=bench/big.bin"
  served_times+=("$(elapsed "$t0")")
done
printf 'x' > "$BENCH_DIR/one-byte"
"$CARAVAN" send "$BENCH_DIR/one-byte" bench/one-byte --to "$url" --state-dir "$BENCH_DIR/sender" -q >> "$out/send.log"
caravan_one_byte() { "$CARAVAN" get bench/one-byte "$dest" --to "$url" -q; }
start_times=()
for _ in 1 2 3; do start_times+=("$(timed caravan_one_byte)"); done
m_served=$(median "${served_times[@]}") m_start=$(median "${start_times[@]}")
floor=$(awk -v a="$m_served" -v b="$m_start" 'BEGIN { printf "%.3f", a + b }')
log "bound: the receiver serves the file's $chunks chunks to $PARALLEL curl processes (into /dev/null) in $m_served s" \
  "(${served_times[*]}); a caravan get of a one-byte parcel takes $m_start s (${start_times[*]}); so a caravan get of" \
  "the file takes at least $floor s here, a ratio of at most $(div "$(median "${nf[@]}")" "$floor") against curl+nginx"

mbs() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
m_cc=$(median "${cc[@]}") m_rc=$(median "${rc[@]}") m_cf=$(median "${cf[@]}") m_nf=$(median "${nf[@]}")
log ""
log "| what | caravan get | peer | ratio (peer time / caravan time) | goal |"
log "|---|---:|---:|---:|---|"
log "| corpus, $corpus_bytes bytes | $m_cc s, $(mbs "$corpus_bytes" "$m_cc") MB/s | rsync $m_rc s, $(mbs "$corpus_bytes" "$m_rc") MB/s | $(div "$m_rc" "$m_cc") | >= 1.0 |"
log "| one file, $file_bytes bytes | $m_cf s, $(mbs "$file_bytes" "$m_cf") MB/s | curl+nginx $m_nf s, $(mbs "$file_bytes" "$m_nf") MB/s | $(div "$m_nf" "$m_cf") | >= 0.8 |"
log "results: $out"
