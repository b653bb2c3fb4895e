#!/usr/bin/env bash
# peers.sh — `caravan send` -> `caravan serve` over loopback against the tools a user would pick instead:
# tus (tus-js-client -> @tus/server with @tus/file-store) and rsync through its daemon (issue 13, item 5).
#
# Each tool keeps its own defaults (nothing tuned down), in one script run, on the same bytes:
# Part "big": one incompressible file of BIG_MIB MiB (default 1024; seeded AES-256-CTR keystream).
#   caravan  caravan send BIG big-rN --to http://127.0.0.1:SERVE --state-dir <fresh> -q
#            into  caravan serve --host 127.0.0.1 --port SERVE --root INBOX   (both with their defaults;
#            timed until INBOX/big-rN is published)
#   tus      node bench/peers/tus_client.mjs BIG http://127.0.0.1:TUS/files big-rN   (tus-js-client's
#            defaults: one PATCH with the whole file from an fs.ReadStream) into bench/peers/tus_server.mjs
#            (@tus/server + @tus/file-store as in their README; the finished upload renamed to DEST/big-rN
#            before the last answer, in its onUploadFinish hook)
#   rsync    rsync -a BIG rsync://127.0.0.1:RSYNCD/mod/big-rN   into  rsync --daemon (uid = root as root)
#   Goals: ratio >= 1.0 against tus and >= 0.5 against rsync.
# Part "corpus": the ~1 GiB mixed corpus of bench/corpus.sh (CORPUS_MIB; text, binaries, incompressible
#   data, 10,000 small files in 1,000 folders), timed until the tree is in place at the destination:
#   caravan  caravan send CORPUS corpus-rN ... (same options; the receiver extracts and publishes the tree)
#   tus      tus uploads files, not folders: a tus user tars the folder, uploads the tar and has the
#            server extract it. Timed as one job: tar -cf CORPUS.tar -C CORPUS . (no compression), the
#            upload as above with metadata extract=tar, the server's tar -xf into DEST/corpus-rN (in the
#            onUploadFinish hook, before the last answer), and removing the tar on both sides
#   rsync    rsync -a CORPUS/ rsync://127.0.0.1:RSYNCD/mod/corpus-rN/
#   Goal: ratio >= 1.0 against rsync -a (tus is shown for reference).
# Ratio = the peer's median time / Caravan's median time (>= 1.0: Caravan at least as fast).
# Peak RSS of both Caravan sides must stay under 256 MiB: `caravan send` under /usr/bin/time -v, the
# receiver's VmHWM (/proc/<pid>/status), reset through /proc/<pid>/clear_refs at the start of each part.
# Also printed, as a bound: the launcher's bare start (`caravan --version`, median of 3), part of every send.
# Method: the three servers start once per script run on free loopback ports and stop in a trap. Per part:
# one untimed warm-up run of each tool, then ROUNDS rounds, the order of the tools rotated every round.
# Before each run the previous outputs are deleted, the receiver is left to finish its background work
# (its CPU idle), `sync` runs and the input is read once (warm page cache). Each `caravan send` gets a
# fresh --state-dir, i.e. it is a first send (no dedup references). After every run, outside the timing,
# the copy is checked against the source: cmp for the file, diff -r for the tree. Caravan hashes (SHA-256)
# and fsyncs what it receives; tus and rsync do neither.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script; target/caravan.jar is built with
# `mvn -q -o package -DskipTests` when missing or stale), BENCH_DIR (work dir, default /tmp/caravan-bench-peers;
# never inside the repository), CORPUS_DIR (default $BENCH_DIR/corpus; made or reused by bench/corpus.sh),
# CORPUS_MIB (1024, >= 64), BIG_MIB (1024), ROUNDS (3), PARTS ("big corpus"), NODE_DIR (where npm installs
# bench/peers/package.json's pinned tus packages when missing; default target/bench-node in this repository),
# JAVA_OPTS (given to both JVMs by the launcher; unset: the launcher's default).
# Needs node >= 20.19 and npm, rsync (installed with apt-get when missing), curl, openssl, tar, diff, cmp,
# /usr/bin/time. Results: $BENCH_DIR/results/peers-<UTC time>/summary.txt and the logs beside it.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-peers}
CORPUS_MIB=${CORPUS_MIB:-1024}
BIG_MIB=${BIG_MIB:-1024}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-big corpus}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shared helpers: log, median, div, mbps, rotated, caravan_launcher, make_big, wait_http, wait_idle, rsyncd_conf, ...
source "$here/lib.sh"
NODE_DIR=${NODE_DIR:-$repo/target/bench-node}

for n in ROUNDS CORPUS_MIB BIG_MIB; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( ${!n} >= 1 )) || { echo "peers.sh: $n must be a whole number >= 1" >&2; exit 2; }
done
for p in $PARTS; do [[ $p == big || $p == corpus ]] || { echo "peers.sh: PARTS holds '$p'; use big and/or corpus" >&2; exit 2; }; done
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "peers.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac
CORPUS_DIR=${CORPUS_DIR:-$BENCH_DIR/corpus}

out=$BENCH_DIR/results/peers-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/time-v"
need peers.sh "nodejs npm curl openssl tar diffutils time openjdk-17-jre-headless" node npm curl openssl tar cmp diff java python3 /usr/bin/time
apt_tool peers.sh rsync rsync
caravan_launcher peers.sh

# --- the tus packages: npm install of bench/peers/package.json into NODE_DIR when missing or changed ---
mkdir -p "$NODE_DIR"
if ! cmp -s "$here/peers/package.json" "$NODE_DIR/package.json" || [[ ! -f $NODE_DIR/.installed ]]; then
  echo "peers.sh: npm install of the tus packages into $NODE_DIR ..." >&2
  rm -f "$NODE_DIR/.installed"
  cp "$here/peers/package.json" "$NODE_DIR/package.json"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error) > "$out/npm-install.log" 2>&1 \
    || { echo "peers.sh: npm install failed; see $out/npm-install.log" >&2; exit 1; }
  touch "$NODE_DIR/.installed"
fi
pkg_version() { node -p "require('$NODE_DIR/node_modules/$1/package.json').version"; }

w=$BENCH_DIR/work          # everything the runs write; deleted at the end
inbox=$w/inbox tus_store=$w/tus-store tus_dest=$w/tus-dest rdest=$w/rsync-dest
rm -rf -- "$w"
mkdir -p "$w" "$inbox" "$tus_store" "$tus_dest" "$rdest"

serve_pid= tus_pid= rsyncd_pid=
cleanup() {
  set +e
  for p in $serve_pid $tus_pid $rsyncd_pid; do kill "$p" 2>/dev/null; done
  for p in $serve_pid $tus_pid $rsyncd_pid; do wait "$p" 2>/dev/null; done
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "# peers.sh $(date -u)"
log "caravan: $CARAVAN ($("$CARAVAN" --version 2>/dev/null | head -n1), commit $(git -C "$(dirname "$CARAVAN")" rev-parse --short HEAD 2>/dev/null || echo '?'))  JAVA_OPTS=${JAVA_OPTS:-unset, the launcher default}"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1)"
log "peers: node $(node --version), @tus/server $(pkg_version @tus/server), @tus/file-store $(pkg_version @tus/file-store), tus-js-client $(pkg_version tus-js-client); $(rsync --version | head -n1)"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
log "parts: $PARTS; $ROUNDS rounds after one warm-up run per tool, order rotated every round"

# --- servers -------------------------------------------------------------------------------------
serve_port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$serve_port" --root "$inbox" > "$out/serve.log" 2>&1 &
serve_pid=$!   # the launcher execs java: this is the receiver's JVM
serve_url=http://127.0.0.1:$serve_port
wait_http "$serve_url/health" "$serve_pid" serve ""

tus_port=$(free_port)
node "$here/peers/tus_server.mjs" 127.0.0.1 "$tus_port" "$tus_store" "$tus_dest" "$NODE_DIR" > "$out/tus.log" 2>&1 &
tus_pid=$!
tus_url=http://127.0.0.1:$tus_port/files
wait_http "$tus_url" "$tus_pid" tus "" -X OPTIONS

rsync_port=$(free_port)
rsyncd_conf "$out/rsyncd.conf" "$rdest"
rsync --daemon --no-detach --address 127.0.0.1 --port "$rsync_port" --config "$out/rsyncd.conf" > "$out/rsyncd.out" 2>&1 &
rsyncd_pid=$!
wait_rsyncd 127.0.0.1 "$rsync_port" "$rsyncd_pid" ""
rsync_url=rsync://127.0.0.1:$rsync_port/mod
log "servers: caravan serve pid $serve_pid :$serve_port (root $inbox); tus pid $tus_pid :$tus_port; rsync --daemon pid $rsyncd_pid :$rsync_port"
log "launcher + JVM start (caravan --version), median of 3: $(launcher_start_s)s (part of every caravan send)"
log ""

# --- one timed run: run_target PART TOOL TAG -> seconds on stdout; the copy is checked afterwards -------
big=$w/big.bin
run_target() {
  local part=$1 tool=$2 tag=$3 t0 s tv=$out/time-v/$1-$2-$3.txt src
  [[ $part == big ]] && src=$big || src=$CORPUS_DIR
  wait_idle "$serve_pid"
  warm_cache "$src"
  t0=$(now)
  case $tool in
    caravan)
      /usr/bin/time -v -o "$tv" "$CARAVAN" send "$src" "$part-$tag" --to "$serve_url" --state-dir "$w/state-$tag" -q \
        > "$out/caravan-$part-$tag.log" 2>&1 || { echo "peers.sh: caravan send failed; see $out/caravan-$part-$tag.log" >&2; exit 1; }
      wait_path "$inbox/$part-$tag" ;;
    tus)
      if [[ $part == big ]]; then
        /usr/bin/time -v -o "$tv" node "$here/peers/tus_client.mjs" "$src" "$tus_url" "$part-$tag" "$NODE_DIR" \
          > "$out/tus-$part-$tag.log" 2>&1
      else
        /usr/bin/time -v -o "$tv" bash -c 'tar -cf "$1" -C "$2" . && node "$3" "$1" "$4" "$5" tar "$6"; rc=$?; rm -f "$1"; exit $rc' \
          tus-job "$w/corpus.tar" "$src" "$here/peers/tus_client.mjs" "$tus_url" "$part-$tag" "$NODE_DIR" > "$out/tus-$part-$tag.log" 2>&1
      fi || { echo "peers.sh: the tus upload failed; see $out/tus-$part-$tag.log and $out/tus.log" >&2; exit 1; } ;;
    rsync)
      local from=$src to=$rsync_url/$part-$tag
      [[ $part == corpus ]] && from=$src/ to=$to/
      /usr/bin/time -v -o "$tv" rsync -a "$from" "$to" > "$out/rsync-$part-$tag.log" 2>&1 \
        || { echo "peers.sh: rsync failed; see $out/rsync-$part-$tag.log" >&2; exit 1; } ;;
  esac
  s=$(elapsed "$t0")
  check_copy "$part" "$tool" "$tag"
  echo "$s"
}
copy_of() {  # part tool tag -> path of the copy
  case $2 in caravan) echo "$inbox/$1-$3" ;; tus) echo "$tus_dest/$1-$3" ;; rsync) echo "$rdest/$1-$3" ;; esac
}
check_copy() {  # untimed: the copy equals the source
  local copy; copy=$(copy_of "$@")
  if [[ $1 == big ]]; then
    cmp "$big" "$copy" > "$out/check-$1-$2-$3.txt" 2>&1
  else
    diff -r "$CORPUS_DIR" "$copy" > "$out/check-$1-$2-$3.txt" 2>&1
  fi || { log "check: $2's copy $copy DIFFERS from the source (see $out/check-$1-$2-$3.txt)" >&2; exit 1; }
  rm -f "$out/check-$1-$2-$3.txt"
}
clear_outputs() {
  rm -rf -- "$inbox"/big-* "$inbox"/corpus-* "$w"/state-* "$w/corpus.tar"
  find "$tus_store" "$tus_dest" "$rdest" -mindepth 1 -delete
  sync
}

declare -A results=() serve_hwm=()
tools=(caravan tus rsync)
run_part() {  # part bytes
  local part=$1 bytes=$2 round tool s extra
  clear_outputs
  reset_hwm "$serve_pid"; reset_hwm "$tus_pid"
  for tool in "${tools[@]}"; do
    s=$(run_target "$part" "$tool" warm)
    log "warm-up $part/$tool ${s}s (copy checked)"
    clear_outputs
  done
  for round in $(seq 1 "$ROUNDS"); do
    for tool in $(rotated $(( round - 1 )) "${tools[@]}"); do
      s=$(run_target "$part" "$tool" "r$round")
      clear_outputs
      results[$part/$tool]+="$s "
      extra="client CPU $(cpu_s "$out/time-v/$part-$tool-r$round.txt")s, peak RSS $(max_rss_mib "$out/time-v/$part-$tool-r$round.txt") MiB"
      log "round $round $part/$tool ${s}s $(mbps "$bytes" "$s") MB/s ($extra; copy checked)"
    done
  done
  serve_hwm[$part]=$(hwm_kib "$serve_pid")
  tus_hwm[$part]=$(hwm_kib "$tus_pid")
  # a bound, outside the timing: the JIT's CPU in one more caravan send of the same input
  local src=$big; [[ $part == big ]] || src=$CORPUS_DIR
  log "bound: JIT compilation CPU of one caravan send of this part (-XX:+CITime): $(jit_cpu_s "$CARAVAN" send "$src" "$part-jit" \
    --to "$serve_url" --state-dir "$w/state-jit" -q)s"
  wait_path "$inbox/$part-jit"
  clear_outputs
}
declare -A tus_hwm=()

if [[ " $PARTS " == *" big "* ]]; then
  make_big "$big" "$BIG_MIB" caravan-bench-peers
  big_bytes=$(stat -c %s "$big")
  log "## big: one incompressible file of $big_bytes bytes"
  run_part big "$big_bytes"
  log ""
fi
if [[ " $PARTS " == *" corpus "* ]]; then
  "$here/corpus.sh" "$CORPUS_DIR" "$CORPUS_MIB"
  corpus_bytes=$(tree_bytes "$CORPUS_DIR")
  log "## corpus: $CORPUS_DIR, $(tree_files "$CORPUS_DIR") files, $corpus_bytes bytes ($(sed -n 2p "$CORPUS_DIR/.corpus-info"))"
  run_part corpus "$corpus_bytes"
  log ""
fi

goal_row() {  # part tool label bytes goal(min ratio or -)
  local c p r verdict=""
  c=$(median ${results[$1/caravan]}); p=$(median ${results[$1/$2]}); r=$(div "$p" "$c")
  [[ $5 == - ]] || verdict=$(awk -v r="$r" -v g="$5" 'BEGIN { print (r >= g) ? "met" : "not met" }')
  log "| $1 | $3 | $p | $(mbps "$4" "$p") | **$r** | $( [[ $5 == - ]] && echo "(reference)" || echo ">= $5: $verdict") | ${results[$1/$2]}|"
}
log "## summary (medians of $ROUNDS rounds; MB/s = 10^6 bytes of input per second; ratio = peer time / caravan time)"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "| part | tool | median s | MB/s | ratio | goal | runs (s) |"
log "|---|---|---:|---:|---:|---|---|"
if [[ -n ${results[big/caravan]:-} ]]; then
  c=$(median ${results[big/caravan]})
  log "| big | caravan send -> serve | $c | $(mbps "$big_bytes" "$c") | | | ${results[big/caravan]}|"
  goal_row big tus "tus-js-client -> @tus/server" "$big_bytes" 1.0
  goal_row big rsync "rsync -a -> daemon" "$big_bytes" 0.5
fi
if [[ -n ${results[corpus/caravan]:-} ]]; then
  c=$(median ${results[corpus/caravan]})
  log "| corpus | caravan send -> serve | $c | $(mbps "$corpus_bytes" "$c") | | | ${results[corpus/caravan]}|"
  goal_row corpus rsync "rsync -a -> daemon" "$corpus_bytes" 1.0
  goal_row corpus tus "tar, tus upload, tar -x on the server" "$corpus_bytes" -
fi
log ""
for part in $PARTS; do
  send_peak=$(max_rss_mib "$out"/time-v/"$part"-caravan-r*.txt)
  serve_peak=$(mib "${serve_hwm[$part]}")
  verdict=$(( send_peak < 256 && serve_peak < 256 ))
  log "peak RSS ($part): caravan send $send_peak MiB (max over the timed runs), caravan serve $serve_peak MiB (VmHWM over the part's runs): goal < 256 MiB $( (( verdict )) && echo met || echo 'not met'); for reference: tus client $(max_rss_mib "$out"/time-v/"$part"-tus-r*.txt) MiB, tus server $(mib "${tus_hwm[$part]}") MiB (VmHWM)"
done
log "results: $out"
