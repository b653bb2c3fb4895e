#!/usr/bin/env bash
# link.sh — the mixed corpus between two test hosts joined by a 200 Mbit/s link: `caravan send` -> `caravan
# serve` against `rsync -a` and `rsync -az --zc=zstd` through an rsync daemon (issue 13, item 5).
#
# The two hosts are two network namespaces this script creates and deletes (in a trap): a sender and a
# receiver joined by a veth pair, SENDER_IP/30 and RECEIVER_IP/30 (default 10.233.0.1 and 10.233.0.2), with
# `tc qdisc add dev X root tbf rate RATE burst 256kbit latency 50ms` on both ends (RATE default 200mbit;
# this kernel has tbf but no netem, so the link adds no delay of its own). No other address is used.
# In the receiving namespace run, once per script run: `caravan serve --host RECEIVER_IP --port 8834
# --root INBOX --token T` (its defaults otherwise; a receiver on a non-loopback address needs a token) and
# `rsync --daemon` (module "mod", uid = root when run as root). From the sending namespace, on the corpus
# of bench/corpus.sh (CORPUS_MIB, default 1024: text, binaries, incompressible data, 10,000 small files):
#   caravan   caravan send CORPUS corpus-rN --to http://RECEIVER_IP:8834 --token T --state-dir <fresh> -q
#             (defaults: codec, level, chunk size, parallel chunks as shipped; timed until the receiver has
#             published INBOX/corpus-rN)
#   rsync     rsync -a CORPUS/ rsync://RECEIVER_IP/mod/rsync-rN/
#   rsync-z   rsync -az --zc=zstd CORPUS/ rsync://RECEIVER_IP/mod/rsync-z-rN/   (zstd at rsync's default level)
# Ratio = the better (lower) of the two rsync medians / Caravan's median. Goal: >= 1.3. Each rsync's own
# ratio is printed too. Peak RSS of both Caravan sides must stay under 256 MiB: `caravan send` under
# /usr/bin/time -v, the receiver's VmHWM (/proc/<pid>/status, reset through clear_refs before the runs).
# Also printed, as a bound: the launcher's bare start (`caravan --version`, median of 3), part of every send.
# Method: a probe first sends PROBE_MIB (32) MiB of incompressible data with rsync to show the link's rate.
# Then one untimed warm-up run of each tool and ROUNDS rounds, the order rotated every round. Before each
# run the previous outputs are deleted, the receiver is left to finish its background work (CPU idle),
# `sync` runs and the corpus is read once (warm page cache). Each `caravan send` gets a fresh --state-dir
# (a first send: no dedup references). After every run, outside the timing, the copy is compared with the
# corpus (diff -r). Caravan hashes (SHA-256) and fsyncs what it receives; rsync does neither.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script; target/caravan.jar is built with
# `mvn -q -o package -DskipTests` when missing or stale), BENCH_DIR (work dir, default /tmp/caravan-bench-link;
# never inside the repository), CORPUS_DIR (default $BENCH_DIR/corpus; made or reused by bench/corpus.sh),
# CORPUS_MIB (1024, >= 64), ROUNDS (3), RATE (200mbit), SENDER_IP (10.233.0.1), RECEIVER_IP (10.233.0.2),
# PROBE_MIB (32), JAVA_OPTS (given to both JVMs by the launcher). Runs as root (ip netns, tc). Needs
# iproute2 (ip, tc), rsync (installed with apt-get when missing), curl, openssl, diff, /usr/bin/time.
# Results: $BENCH_DIR/results/link-<UTC time>/summary.txt and the logs beside it.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-link}
CORPUS_MIB=${CORPUS_MIB:-1024}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-200mbit}
SENDER_IP=${SENDER_IP:-10.233.0.1}
RECEIVER_IP=${RECEIVER_IP:-10.233.0.2}
PROBE_MIB=${PROBE_MIB:-32}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shared helpers: log, median, div, mbps, rotated, caravan_launcher, make_big, wait_http, wait_idle, rsyncd_conf, ...
source "$here/lib.sh"

for n in ROUNDS CORPUS_MIB PROBE_MIB; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( ${!n} >= 1 )) || { echo "link.sh: $n must be a whole number >= 1" >&2; exit 2; }
done
[[ $RATE =~ ^[0-9]+(k|m|g)?(bit|bps)$ ]] || { echo "link.sh: RATE must be a tc rate such as 200mbit" >&2; exit 2; }
for n in SENDER_IP RECEIVER_IP; do
  [[ ${!n} =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "link.sh: $n must be an IPv4 address" >&2; exit 2; }
done
(( $(id -u) == 0 )) || { echo "link.sh: needs root (ip netns, tc)" >&2; exit 1; }
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "link.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac
CORPUS_DIR=${CORPUS_DIR:-$BENCH_DIR/corpus}

out=$BENCH_DIR/results/link-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/time-v"
need link.sh "iproute2 curl openssl diffutils time openjdk-17-jre-headless" ip tc curl openssl diff java /usr/bin/time
apt_tool link.sh rsync rsync
caravan_launcher link.sh

w=$BENCH_DIR/work          # everything the runs write; deleted at the end
inbox=$w/inbox rdest=$w/rsync-dest
rm -rf -- "$w"
mkdir -p "$w" "$inbox" "$rdest"

# --- the two hosts ---------------------------------------------------------------------------------
tx=caravan-tx-$$ rx=caravan-rx-$$        # namespaces
tx_if=cvtx$$ rx_if=cvrx$$                # veth ends (<= 15 characters)
in_tx=(ip netns exec "$tx") in_rx=(ip netns exec "$rx")
made_ns=() serve_pid= rsyncd_pid=
cleanup() {
  set +e
  for p in $serve_pid $rsyncd_pid; do kill "$p" 2>/dev/null; done
  for p in $serve_pid $rsyncd_pid; do wait "$p" 2>/dev/null; done
  for ns in "${made_ns[@]}"; do ip netns del "$ns" 2>/dev/null || true; done   # deleting a namespace deletes its veth end
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

made_ns+=("$tx" "$rx")
shaped_link "$tx" "$rx" "$tx_if" "$rx_if" "$SENDER_IP" "$RECEIVER_IP" "$RATE"

log "# link.sh $(date -u)"
log "caravan: $CARAVAN ($("$CARAVAN" --version 2>/dev/null | head -n1), commit $(git -C "$(dirname "$CARAVAN")" rev-parse --short HEAD 2>/dev/null || echo '?'))  JAVA_OPTS=${JAVA_OPTS:-unset, the launcher default}"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1); $(rsync --version | head -n1)"
log "link: namespaces $tx ($SENDER_IP/30 on $tx_if) and $rx ($RECEIVER_IP/30 on $rx_if), veth; on both ends: $("${in_tx[@]}" tc qdisc show dev "$tx_if" | head -n1)"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
log "$ROUNDS rounds after one warm-up run per tool, order rotated every round"

# --- servers in the receiving namespace ----------------------------------------------------------------
token=$(openssl rand -hex 16)
serve_port=8834 rsync_port=873
"${in_rx[@]}" "$CARAVAN" serve --host "$RECEIVER_IP" --port "$serve_port" --root "$inbox" --token "$token" > "$out/serve.log" 2>&1 &
serve_pid=$!   # ip netns exec and the launcher exec: this is the receiver's JVM
serve_url=http://$RECEIVER_IP:$serve_port
wait_http "$serve_url/health" "$serve_pid" serve "${in_tx[*]}"
rsyncd_conf "$out/rsyncd.conf" "$rdest"
"${in_rx[@]}" rsync --daemon --no-detach --address "$RECEIVER_IP" --port "$rsync_port" --config "$out/rsyncd.conf" > "$out/rsyncd.out" 2>&1 &
rsyncd_pid=$!
wait_rsyncd "$RECEIVER_IP" "$rsync_port" "$rsyncd_pid" "${in_tx[*]}"
rsync_url=rsync://$RECEIVER_IP:$rsync_port/mod
log "servers in $rx: caravan serve pid $serve_pid $serve_url (root $inbox); rsync --daemon pid $rsyncd_pid $rsync_url"
log "launcher + JVM start (caravan --version), median of 3: $(launcher_start_s)s (part of every caravan send)"

# --- the link's rate, measured ------------------------------------------------------------------------
make_big "$w/probe.bin" "$PROBE_MIB" caravan-bench-link-probe
warm_cache "$w/probe.bin"
t0=$(now)
"${in_tx[@]}" rsync "$w/probe.bin" "$rsync_url/probe.bin"
s=$(elapsed "$t0")
log "probe: $PROBE_MIB MiB of incompressible data with rsync in ${s}s = $(awk -v b=$(( PROBE_MIB * 1048576 )) -v s="$s" 'BEGIN { printf "%.0f", b * 8 / s / 1e6 }') Mbit/s (link rate $RATE)"
rm -f -- "$rdest/probe.bin" "$w/probe.bin"
log ""

"$here/corpus.sh" "$CORPUS_DIR" "$CORPUS_MIB"
corpus_bytes=$(tree_bytes "$CORPUS_DIR")
log "## corpus: $CORPUS_DIR, $(tree_files "$CORPUS_DIR") files, $corpus_bytes bytes ($(sed -n 2p "$CORPUS_DIR/.corpus-info"))"

# --- one timed run: run_tool TOOL TAG -> seconds on stdout; the copy is checked afterwards ---------------
copy_of() { case $1 in caravan) echo "$inbox/corpus-$2" ;; *) echo "$rdest/$1-$2" ;; esac; }
run_tool() {
  local tool=$1 tag=$2 t0 s tv=$out/time-v/$1-$2.txt copy
  wait_idle "$serve_pid"
  warm_cache "$CORPUS_DIR"
  t0=$(now)
  case $tool in
    caravan)
      /usr/bin/time -v -o "$tv" "${in_tx[@]}" "$CARAVAN" send "$CORPUS_DIR" "corpus-$tag" --to "$serve_url" --token "$token" \
        --state-dir "$w/state-$tag" -q > "$out/caravan-$tag.log" 2>&1 \
        || { echo "link.sh: caravan send failed; see $out/caravan-$tag.log" >&2; exit 1; }
      wait_path "$inbox/corpus-$tag" ;;
    rsync)
      /usr/bin/time -v -o "$tv" "${in_tx[@]}" rsync -a "$CORPUS_DIR/" "$rsync_url/rsync-$tag/" > "$out/rsync-$tag.log" 2>&1 \
        || { echo "link.sh: rsync -a failed; see $out/rsync-$tag.log" >&2; exit 1; } ;;
    rsync-z)
      /usr/bin/time -v -o "$tv" "${in_tx[@]}" rsync -az --zc=zstd "$CORPUS_DIR/" "$rsync_url/rsync-z-$tag/" > "$out/rsync-z-$tag.log" 2>&1 \
        || { echo "link.sh: rsync -az --zc=zstd failed; see $out/rsync-z-$tag.log" >&2; exit 1; } ;;
  esac
  s=$(elapsed "$t0")
  copy=$(copy_of "$tool" "$tag")
  diff -r "$CORPUS_DIR" "$copy" > "$out/check-$tool-$tag.txt" 2>&1 \
    || { log "check: $tool's copy $copy DIFFERS from the corpus (see $out/check-$tool-$tag.txt)" >&2; exit 1; }
  rm -f "$out/check-$tool-$tag.txt"
  echo "$s"
}
clear_outputs() {
  rm -rf -- "$inbox"/corpus-* "$w"/state-*
  find "$rdest" -mindepth 1 -delete
  sync
}

declare -A results=()
tools=(caravan rsync rsync-z)
clear_outputs
reset_hwm "$serve_pid"
for tool in "${tools[@]}"; do
  s=$(run_tool "$tool" warm)
  log "warm-up $tool ${s}s (copy checked)"
  clear_outputs
done
for round in $(seq 1 "$ROUNDS"); do
  for tool in $(rotated $(( round - 1 )) "${tools[@]}"); do
    s=$(run_tool "$tool" "r$round")
    clear_outputs
    results[$tool]+="$s "
    log "round $round $tool ${s}s $(mbps "$corpus_bytes" "$s") MB/s (client CPU $(cpu_s "$out/time-v/$tool-r$round.txt")s, peak RSS $(max_rss_mib "$out/time-v/$tool-r$round.txt") MiB; copy checked)"
  done
done
serve_peak=$(mib "$(hwm_kib "$serve_pid")")

c=$(median ${results[caravan]}) r=$(median ${results[rsync]}) z=$(median ${results[rsync-z]})
better=$r better_name="rsync -a"
awk -v a="$z" -v b="$r" 'BEGIN { exit !(a < b) }' && better=$z better_name="rsync -az --zc=zstd"
ratio=$(div "$better" "$c")
log ""
log "## summary (medians of $ROUNDS rounds over $RATE; MB/s = 10^6 bytes of corpus per second; ratio = peer time / caravan time)"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "| tool | median s | MB/s | ratio | runs (s) |"
log "|---|---:|---:|---:|---|"
log "| caravan send -> serve | $c | $(mbps "$corpus_bytes" "$c") | | ${results[caravan]}|"
log "| rsync -a -> daemon | $r | $(mbps "$corpus_bytes" "$r") | $(div "$r" "$c") | ${results[rsync]}|"
log "| rsync -az --zc=zstd -> daemon | $z | $(mbps "$corpus_bytes" "$z") | $(div "$z" "$c") | ${results[rsync-z]}|"
log ""
log "ratio against the better rsync ($better_name): **$ratio**, goal >= 1.3: $(awk -v r="$ratio" 'BEGIN { print (r >= 1.3) ? "met" : "not met" }')"
send_peak=$(max_rss_mib "$out"/time-v/caravan-r*.txt)
log "peak RSS: caravan send $send_peak MiB (max over the timed runs), caravan serve $serve_peak MiB (VmHWM over the runs): goal < 256 MiB $( (( send_peak < 256 && serve_peak < 256 )) && echo met || echo 'not met')"
log "results: $out"
