#!/usr/bin/env bash
# scale.sh — receivers that scale out on PostgreSQL (issue 16, item 6): SENDERS concurrent `caravan send`s of
# one incompressible PARCEL_MIB MiB file each, timed until every parcel is published,
#   disk      into one receiver with the disk store (caravan serve --root INBOX), and
#   postgres  into two receivers with caravan.receiver.store=postgres (one PostgreSQL, one chunk folder, one
#             inbox; `caravan run --role receiver`) behind a round-robin TCP proxy on loopback
#             (bench/scale_proxy.py; a sender knows only the proxy).
# Printed per part: seconds (median of ROUNDS), MB/s of parcel bytes, and for postgres the ratio to disk
# (goal: >= 0.8 on one machine: both nodes share its cores; the gain shows only on separate machines),
# the chunks each node stored, and the database's share of the time per chunk: the server-side execution
# time of the store's statements (pg_stat_statements) per chunk stored, against the wall time per chunk.
# Method: PostgreSQL from Debian's binaries (PG_BIN, default /usr/lib/postgresql/*/bin; installed with
# apt-get when missing) in a fresh data folder on a free port, started once; receivers start once per part;
# before each round the previous parcels are deleted, `sync` runs and the inputs are read once (warm cache);
# every send gets a fresh --state-dir (a first send, no dedup). After each round every parcel is compared
# with its source (cmp), outside the timing.
# Environment: CARAVAN (launcher, default ../caravan; target/caravan.jar built when stale), BENCH_DIR
# (default /tmp/caravan-bench-scale; never inside the repository), SENDERS (8), PARCEL_MIB (64), ROUNDS (1),
# PARTS ("disk postgres"), CHUNK (caravan's --chunk-size, default: the sender's), PG_BIN, JAVA_OPTS.
# Results: $BENCH_DIR/results/scale-<UTC time>/summary.txt and the logs beside it.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-scale}
SENDERS=${SENDERS:-8}
PARCEL_MIB=${PARCEL_MIB:-64}
ROUNDS=${ROUNDS:-1}
PARTS=${PARTS:-disk postgres}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib.sh"

for n in SENDERS PARCEL_MIB ROUNDS; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( ${!n} >= 1 )) || { echo "scale.sh: $n must be a whole number >= 1" >&2; exit 2; }
done
for p in $PARTS; do [[ $p == disk || $p == postgres ]] || { echo "scale.sh: PARTS holds '$p'; use disk and/or postgres" >&2; exit 2; }; done
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "scale.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac

out=$BENCH_DIR/results/scale-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
need scale.sh "curl openssl python3 diffutils openjdk-17-jre-headless" curl openssl python3 cmp java
caravan_launcher scale.sh
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
if [[ " $PARTS " == *" postgres "* && ! -x ${PG_BIN:-/nonexistent}/initdb ]]; then
  apt_tool scale.sh pg_ctlcluster postgresql
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi

w=$BENCH_DIR/work
rm -rf -- "$w"
mkdir -p "$w/src"
pids=()
pg_data=
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [[ -n $pg_data ]] && as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -m immediate stop > /dev/null 2>&1
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# PostgreSQL refuses to run as root: as root its tools run as the postgres user
as_pg() { if (( $(id -u) == 0 )); then runuser -u postgres -- "$@"; else "$@"; fi; }

log "# scale.sh $(date -u)"
log "caravan: $CARAVAN (commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'))  JAVA_OPTS=${JAVA_OPTS:-unset}"
log "machine: $(nproc) vCPUs, $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
log "$SENDERS concurrent senders x $PARCEL_MIB MiB (incompressible), $ROUNDS round(s); parts: $PARTS"

for i in $(seq 1 "$SENDERS"); do make_big "$w/src/p$i.bin" "$PARCEL_MIB" "scale-$i"; done
total_bytes=$(( SENDERS * PARCEL_MIB * 1024 * 1024 ))
chunk_opt=()
[[ -n ${CHUNK:-} ]] && chunk_opt=(--chunk-size "$CHUNK")

# one round: SENDERS sends to URL $1 publishing into INBOX $2 (tag $3); seconds on stdout, copies checked after
round() {
  local url=$1 inbox=$2 tag=$3 t0 s i send_pids=()
  rm -rf -- "$inbox"/p*-"$tag" "$w"/state-*
  sync
  cat "$w"/src/*.bin > /dev/null
  t0=$(now)
  for i in $(seq 1 "$SENDERS"); do
    "$CARAVAN" send "$w/src/p$i.bin" "p$i-$tag" --to "$url" --state-dir "$w/state-$i" --codec none "${chunk_opt[@]}" -q \
      > "$out/send-$tag-$i.log" 2>&1 &
    send_pids+=($!)
  done
  for i in "${!send_pids[@]}"; do
    wait "${send_pids[$i]}" || { echo "scale.sh: send $((i + 1)) failed; see $out/send-$tag-$((i + 1)).log" >&2; exit 1; }
  done
  for i in $(seq 1 "$SENDERS"); do wait_path "$inbox/p$i-$tag"; done
  s=$(elapsed "$t0")
  for i in $(seq 1 "$SENDERS"); do cmp -s "$w/src/p$i.bin" "$inbox/p$i-$tag" || { echo "scale.sh: p$i-$tag differs from its source" >&2; exit 1; }; done
  echo "$s"
}

chunks_of() { curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^caravan_chunks_received_total/ { printf "%d", $2 }'; }

disk_s=
if [[ " $PARTS " == *" disk "* ]]; then
  port=$(free_port)
  "$CARAVAN" serve --host 127.0.0.1 --port "$port" --root "$w/inbox-disk" > "$out/disk-serve.log" 2>&1 &
  pids+=($!); serve_pid=$!
  wait_http "http://127.0.0.1:$port/health" "$serve_pid" disk-serve ""
  times=()
  for r in $(seq 1 "$ROUNDS"); do times+=("$(round "http://127.0.0.1:$port" "$w/inbox-disk" "d$r")"); wait_idle "$serve_pid"; done
  disk_s=$(median "${times[@]}")
  log "disk      1 node:  ${disk_s}s  $(mbps "$total_bytes" "$disk_s") MB/s  (rounds: ${times[*]})"
  kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
fi

if [[ " $PARTS " == *" postgres "* ]]; then
  pg_data=$w/pg
  mkdir -p "$pg_data"
  chmod 755 "$BENCH_DIR" "$w"
  (( $(id -u) == 0 )) && chown postgres "$pg_data"
  pg_port=$(free_port)
  as_pg "$PG_BIN/initdb" -D "$pg_data" -U caravan --auth=trust > "$out/initdb.log" 2>&1
  as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c max_connections=100" start > "$out/pg_ctl.log" 2>&1
  as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U caravan -d postgres -qc "CREATE DATABASE caravan" > /dev/null
  psql_c() { as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U caravan -d caravan -Atqc "$1"; }
  psql_c "CREATE EXTENSION pg_stat_statements" > /dev/null
  mkdir -p "$w/inbox-pg" "$w/chunks"
  nodes=()
  for n in a b; do
    port=$(free_port)
    "$CARAVAN" run --role receiver -Dcaravan.receiver.host=127.0.0.1 -Dcaravan.receiver.port="$port" \
      -Dcaravan.receiver.inbox="$w/inbox-pg" -Dcaravan.receiver.store=postgres \
      -Dcaravan.receiver.db.url="jdbc:postgresql://127.0.0.1:$pg_port/caravan" -Dcaravan.receiver.db.user=caravan \
      -Dcaravan.receiver.chunk-dir="$w/chunks" > "$out/node-$n.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$port/health" "$!" "node-$n" ""
    nodes+=("$port")
  done
  proxy_port=$(free_port)
  python3 "$here/scale_proxy.py" "$proxy_port" "${nodes[@]}" > "$out/proxy.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$proxy_port/health" "$!" proxy ""
  psql_c "SELECT pg_stat_statements_reset()" > /dev/null
  before=$(( $(chunks_of "${nodes[0]}") + $(chunks_of "${nodes[1]}") ))
  times=()
  for r in $(seq 1 "$ROUNDS"); do times+=("$(round "http://127.0.0.1:$proxy_port" "$w/inbox-pg" "g$r")"); done
  pg_s=$(median "${times[@]}")
  a_chunks=$(chunks_of "${nodes[0]}") b_chunks=$(chunks_of "${nodes[1]}")
  chunks=$(( a_chunks + b_chunks - before ))
  db_ms=$(psql_c "SELECT round(sum(total_exec_time)::numeric, 1) FROM pg_stat_statements WHERE query ILIKE '%caravan_%'")
  log "postgres  2 nodes: ${pg_s}s  $(mbps "$total_bytes" "$pg_s") MB/s  (rounds: ${times[*]}); chunks stored: node a $a_chunks, node b $b_chunks"
  [[ -n $disk_s ]] && log "ratio 2 postgres nodes / 1 disk node (throughput): $(div "$disk_s" "$pg_s")  (goal >= 0.8 on one machine)"
  if (( chunks > 0 )); then
    log "database: ${db_ms:-0} ms of statement execution for $chunks chunks: $(awk -v t="${db_ms:-0}" -v c="$chunks" 'BEGIN { printf "%.2f", t / c }') ms per chunk, against $(awk -v s="$pg_s" -v c="$chunks" -v r="$ROUNDS" -v n="$SENDERS" 'BEGIN { printf "%.1f", s * 1000 * r / c * n }') ms of one sender's wall time per chunk ($(awk -v t="${db_ms:-0}" -v s="$pg_s" -v r="$ROUNDS" 'BEGIN { printf "%.1f", t / (s * 1000 * r) * 100 }')% of the run's wall time)"
  fi
fi
log "results: $out"
