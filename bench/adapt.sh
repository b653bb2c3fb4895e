#!/usr/bin/env bash
# adapt.sh — `caravan send --codec auto` (the default) against `--codec zstd --level 1` and `--codec none`,
# on the mixed corpus of bench/corpus.sh, over loopback and over a RATE (default 200mbit) link between two
# network namespaces built as bench/link.sh builds them (veth pair, `tc qdisc ... tbf` on both ends).
#
# For each place (loopback, then link) a `caravan serve` runs (on 127.0.0.1, or on RECEIVER_IP in the
# receiving namespace, with a token), and each variant is sent ROUNDS times (default 1), order rotated:
#   auto   caravan send CORPUS corpus-auto-rN --state-dir <fresh>
#   zstd1  the same with --codec zstd --level 1
#   none   the same with --codec none
# timed until the receiver has published the copy, which is then compared with the corpus (diff -r). The
# send's own summary gives the bytes on the wire. Before each run the previous copies are deleted, the
# receiver is left to finish its background work and the corpus is read once (warm page cache).
# PLACES=loopback skips the link (which needs root: ip netns, tc).
#
# Environment: CARAVAN (launcher, default ../caravan), BENCH_DIR (default /tmp/caravan-bench-adapt, never
# inside the repository), CORPUS_DIR (default $BENCH_DIR/corpus), CORPUS_MIB (default 256, >= 64),
# ROUNDS (1), RATE (200mbit), PLACES ("loopback link"), SENDER_IP (10.233.0.5), RECEIVER_IP (10.233.0.6).
# Results: $BENCH_DIR/results/adapt-<UTC time>/summary.txt and the logs beside it.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-adapt}
CORPUS_MIB=${CORPUS_MIB:-256}
ROUNDS=${ROUNDS:-1}
RATE=${RATE:-200mbit}
PLACES=${PLACES:-loopback link}
SENDER_IP=${SENDER_IP:-10.233.0.5}
RECEIVER_IP=${RECEIVER_IP:-10.233.0.6}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
source "$here/lib.sh"

for n in ROUNDS CORPUS_MIB; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( ${!n} >= 1 )) || { echo "adapt.sh: $n must be a whole number >= 1" >&2; exit 2; }
done
[[ $RATE =~ ^[0-9]+(k|m|g)?(bit|bps)$ ]] || { echo "adapt.sh: RATE must be a tc rate such as 200mbit" >&2; exit 2; }
for p in $PLACES; do
  [[ $p == loopback || $p == link ]] || { echo "adapt.sh: PLACES holds loopback and/or link, not '$p'" >&2; exit 2; }
done
[[ " $PLACES " != *" link "* ]] || (( $(id -u) == 0 )) || { echo "adapt.sh: the link needs root (ip netns, tc); PLACES=loopback runs without" >&2; exit 1; }
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "adapt.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac
CORPUS_DIR=${CORPUS_DIR:-$BENCH_DIR/corpus}

out=$BENCH_DIR/results/adapt-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
need adapt.sh "iproute2 curl openssl diffutils openjdk-17-jre-headless" curl openssl diff java
caravan_launcher adapt.sh

w=$BENCH_DIR/work
inbox=$w/inbox
rm -rf -- "$w"
mkdir -p "$w" "$inbox"

tx=caravan-atx-$$ rx=caravan-arx-$$
tx_if=catx$$ rx_if=carx$$
made_ns=() serve_pid=
cleanup() {
  set +e
  [[ -n $serve_pid ]] && { kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; }
  for ns in "${made_ns[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "# adapt.sh $(date -u)"
log "caravan: $CARAVAN (commit $(git -C "$(dirname "$CARAVAN")" rev-parse --short HEAD 2>/dev/null || echo '?'))"
log "machine: $(nproc) vCPUs, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$here/corpus.sh" "$CORPUS_DIR" "$CORPUS_MIB"
corpus_bytes=$(tree_bytes "$CORPUS_DIR")
log "corpus: $CORPUS_DIR, $(tree_files "$CORPUS_DIR") files, $corpus_bytes bytes; $ROUNDS round(s) per variant"

# start_serve PLACE: a receiver for that place; sets serve_pid, url, pre (the sender's command prefix), auth
start_serve() {
  local token
  token=$(openssl rand -hex 16)
  if [[ $1 == loopback ]]; then
    local port; port=$(free_port)
    "$CARAVAN" serve --port "$port" --root "$inbox" > "$out/serve-$1.log" 2>&1 &
    serve_pid=$! url=http://127.0.0.1:$port pre=() auth=()
  else
    made_ns+=("$tx" "$rx")
    shaped_link "$tx" "$rx" "$tx_if" "$rx_if" "$SENDER_IP" "$RECEIVER_IP" "$RATE"
    ip netns exec "$rx" "$CARAVAN" serve --host "$RECEIVER_IP" --port 8834 --root "$inbox" --token "$token" \
      > "$out/serve-$1.log" 2>&1 &
    serve_pid=$! url=http://$RECEIVER_IP:8834 pre=(ip netns exec "$tx") auth=(--token "$token")
  fi
  wait_http "$url/health" "$serve_pid" "serve-$1" "${pre[*]}"
}
stop_serve() {
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
  serve_pid=
}

codec_args() { case $1 in auto) ;; zstd1) echo "--codec zstd --level 1" ;; none) echo "--codec none" ;; esac; }

# run_variant PLACE VARIANT TAG -> "seconds wire-bytes" on stdout
run_variant() {
  local place=$1 variant=$2 tag=$3 t0 s name=corpus-$2-$3 logf=$out/$1-$2-$3.log
  wait_idle "$serve_pid"
  warm_cache "$CORPUS_DIR"
  t0=$(now)
  # shellcheck disable=SC2046
  "${pre[@]}" "$CARAVAN" send "$CORPUS_DIR" "$name" --to "$url" "${auth[@]}" $(codec_args "$variant") \
    --state-dir "$w/state-$place-$variant-$tag" > "$logf" 2>&1 \
    || { echo "adapt.sh: the $variant send failed; see $logf" >&2; exit 1; }
  wait_path "$inbox/$name"
  s=$(elapsed "$t0")
  diff -r "$CORPUS_DIR" "$inbox/$name" > "$out/check.txt" 2>&1 \
    || { log "check: the $variant copy DIFFERS from the corpus (see $out/check.txt)"; exit 1; }
  rm -rf -- "$inbox/$name" "$w/state-$place-$variant-$tag"
  echo "$s $(sed -n 's/^ *on the wire: \([^ ]* [^ ]*\).*/\1/p' "$logf" | tr ' ' '_')"
}

variants=(auto zstd1 none)
for place in $PLACES; do
  start_serve "$place"
  log ""
  log "## $place$([[ $place == link ]] && echo " ($RATE)")"
  declare -A times=() wires=()
  for round in $(seq 1 "$ROUNDS"); do
    for v in $(rotated $(( round - 1 )) "${variants[@]}"); do
      read -r s wire < <(run_variant "$place" "$v" "r$round")
      times[$v]+="$s " wires[$v]=$wire
      log "round $round $v ${s}s $(mbps "$corpus_bytes" "$s") MB/s, on the wire ${wire/_/ } (copy checked)"
    done
  done
  log "| variant | median s | MB/s of corpus | on the wire | runs (s) |"
  log "|---|---:|---:|---:|---|"
  for v in "${variants[@]}"; do
    m=$(median ${times[$v]})
    log "| $v | $m | $(mbps "$corpus_bytes" "$m") | ${wires[$v]/_/ } | ${times[$v]}|"
  done
  unset times wires
  stop_serve
done
log "results: $out"
