#!/usr/bin/env bash
# fanout.sh — one shared folder, FOLLOWERS (10) `caravan sync --from` followers, against FOLLOWERS
# `rsync -a` pulls from an rsync daemon (what people script with cron today), on loopback (issue 15).
#
# Source tree (generated once in $BENCH_DIR/src, reused): SMALL_FILES (10,000) text files of 1-8 KiB in
# 100 folders, plus one incompressible file of BIG_MIB MiB (1024; seeded AES-256-CTR keystream).
# Servers: caravan serve --share site=SRC, and rsync --daemon with a read-only module "src" = SRC.
#   initial   all followers started at once (fresh folders) until every one has printed "Following"
#             (its first compare done)  vs  FOLLOWERS parallel `rsync -a rsync://.../src/ rN/` into fresh folders
#   change    TOUCH_PCT (1) % of the small files get new content (16 bytes longer, new mtime); timed from
#             the end of the rewrite until every follower has the new size of every rewritten file (files
#             land by rename, so a new size means the new content)  vs  FOLLOWERS parallel `rsync -a`
#             pulls of the same change started after it (the cron pull, without cron's wait)
# ROUNDS (3) changes; the followers keep running between them. After the last one every follower folder
# and every rsync folder is compared with the source (diff -r, the follower's .caravan-follow/ left out).
# Goals (issue 15): all followers converge within 2 s of a 1 % change, in at most half the rsync
# fan-out's time (ratio rsync_time / caravan_time >= 2), and the initial follow is at least as fast as
# the rsync pulls (ratio >= 1).
# Also reported: peak RSS (VmHWM) of the server and of one follower, and the server's CPU seconds.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir, default
# /tmp/caravan-bench-fanout; never inside the repository), FOLLOWERS (10), SMALL_FILES (10000), BIG_MIB
# (1024), TOUCH_PCT (1), ROUNDS (3), JAVA_OPTS (given to every JVM; unset: the launcher's default).
# A small smoke run: FOLLOWERS=2 SMALL_FILES=200 BIG_MIB=8 ROUNDS=1 bench/fanout.sh
# Results: $BENCH_DIR/results/fanout-<UTC time>/summary.txt and logs; the copies are deleted at the end.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-fanout}
FOLLOWERS=${FOLLOWERS:-10}
SMALL_FILES=${SMALL_FILES:-10000}
BIG_MIB=${BIG_MIB:-1024}
TOUCH_PCT=${TOUCH_PCT:-1}
ROUNDS=${ROUNDS:-3}

# shared helpers: log, median, div, now, elapsed, mib, free_port, need, caravan_launcher, hwm_kib, proc_ticks ...
source "$here/lib.sh"
need fanout.sh "rsync curl openssl mawk python3 diffutils openjdk-17-jre-headless" rsync curl openssl awk java python3 diff
caravan_launcher fanout.sh
for n in FOLLOWERS SMALL_FILES BIG_MIB TOUCH_PCT ROUNDS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "fanout.sh: $n must be a whole number" >&2; exit 2; }
done
(( FOLLOWERS >= 1 && ROUNDS >= 1 )) || { echo "fanout.sh: FOLLOWERS and ROUNDS must be >= 1" >&2; exit 2; }
(( SMALL_FILES >= 100 )) || { echo "fanout.sh: SMALL_FILES must be >= 100" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
repo=$(cd "$here/.." && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "fanout.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac

src=$BENCH_DIR/src
w=$BENCH_DIR/work
out=$BENCH_DIR/results/fanout-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
rm -rf -- "$w"
mkdir -p "$w"

serve_pid= rsyncd_pid= follower_pids=()
cleanup() {
  set +e
  for p in "${follower_pids[@]}" $serve_pid $rsyncd_pid; do kill "$p" 2>/dev/null; done
  for p in "${follower_pids[@]}" $serve_pid $rsyncd_pid; do wait "$p" 2>/dev/null; done
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT

log "# fanout.sh $(date -u)"
log "caravan: $CARAVAN ($("$CARAVAN" --version 2>/dev/null | head -n1))  JAVA_OPTS=${JAVA_OPTS:-unset, the launcher default}"
log "machine: $(nproc) vCPUs, $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1); $(rsync --version | head -n1)"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- source tree (the same generator as sync.sh) ----------------------------------------------------
marker="caravan-bench-fanout-src small_files=$SMALL_FILES big_mib=$BIG_MIB"
if [[ ! -f $src/.fanout-src-info ]] || [[ $(head -n1 "$src/.fanout-src-info") != "$marker" ]]; then
  echo "generating $SMALL_FILES small files and a $BIG_MIB MiB file in $src ..." >&2
  rm -rf -- "$src" "$src.partial"
  mkdir -p "$src.partial"
  awk -v root="$src.partial" -v n="$SMALL_FILES" 'BEGIN {
    srand(9001)
    nw = split("share follow mirror folder file chunk rename delete create modify settle watch rescan cursor event log", w, " ")
    for (i = 0; i < n; i++) {
      d = sprintf("%s/d%02d/e%02d", root, int(i / 100) % 100, int(i / 10000))
      if (!(d in made)) { system("mkdir -p " d); made[d] = 1 }
      want = 1024 + int(rand() * 7169); s = ""
      while (length(s) < want) { k = 4 + int(rand() * 8); line = ""; for (j = 0; j < k; j++) line = line w[1 + int(rand() * nw)] " "; s = s line "\n" }
      path = sprintf("%s/f%05d.txt", d, i)
      printf "%s", substr(s, 1, want) > path
      close(path)
    }
  }'
  make_big "$src.partial/big.bin" "$BIG_MIB" caravan-bench-fanout
  printf '%s\n%s\n' "$marker" "generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by bench/fanout.sh" > "$src.partial/.fanout-src-info"
  mv -- "$src.partial" "$src"
fi
touch_n=$(( SMALL_FILES * TOUCH_PCT / 100 ))
log "source: $src, $(tree_files "$src") files, $(tree_bytes "$src") bytes; $FOLLOWERS followers; changes of $touch_n small files ($TOUCH_PCT%)"

# --- servers -----------------------------------------------------------------------------------------
serve_port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$serve_port" --root "$w/inbox" --share "site=$src" > "$out/serve.log" 2>&1 &
serve_pid=$!
wait_http "http://127.0.0.1:$serve_port/health" "$serve_pid" serve ""
until grep -q "Sharing 'site'" "$out/serve.log"; do sleep 0.1; done
share_url=http://127.0.0.1:$serve_port/shares/site
rsync_port=$(free_port)
{
  echo "pid file = $w/rsyncd.pid"
  echo "log file = $out/rsyncd.log"
  echo "use chroot = no"
  echo "[src]"
  echo "  path = $src"
  echo "  read only = true"
  if (( $(id -u) == 0 )); then echo "  uid = root"; echo "  gid = root"; fi
} > "$w/rsyncd.conf"
rsync --daemon --no-detach --address 127.0.0.1 --port "$rsync_port" --config "$w/rsyncd.conf" &
rsyncd_pid=$!
for _ in $(seq 1 100); do
  rsync "rsync://127.0.0.1:$rsync_port/" > /dev/null 2>&1 && break
  kill -0 "$rsyncd_pid" 2>/dev/null || { echo "fanout.sh: rsync --daemon exited; see $out/rsyncd.log" >&2; exit 1; }
  sleep 0.1
done
log "servers: caravan serve pid $serve_pid :$serve_port sharing $src as 'site'; rsync --daemon pid $rsyncd_pid :$rsync_port (module src, read-only)"
log ""

rsync_all() {  # PHASE: FOLLOWERS parallel pulls into $w/rN; prints seconds
  local t0 pids=() i
  t0=$(now)
  for i in $(seq 1 "$FOLLOWERS"); do
    rsync -a "rsync://127.0.0.1:$rsync_port/src/" "$w/r$i/" > "$out/rsync-$1-$i.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || { echo "fanout.sh: an rsync pull failed; see $out/rsync-$1-*.log" >&2; exit 1; }; done
  elapsed "$t0"
}
warm_cache "$src"

# --- initial: followers vs rsync pulls (alternating which goes first would need two trees; followers first) ---
c0=$(proc_ticks "$serve_pid")
t0=$(now)
for i in $(seq 1 "$FOLLOWERS"); do
  "$CARAVAN" sync --from "$share_url" "$w/f$i" > "$out/follower-$i.log" 2>&1 &
  follower_pids+=($!)
done
for i in $(seq 1 "$FOLLOWERS"); do
  until grep -q '^Following ' "$out/follower-$i.log"; do
    kill -0 "${follower_pids[$((i - 1))]}" 2>/dev/null || { echo "fanout.sh: follower $i ended; see $out/follower-$i.log" >&2; exit 1; }
    (( $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a > 1800) }') )) && { echo "fanout.sh: follower $i not done after 30 min" >&2; exit 1; }
    sleep 0.05
  done
done
initial_caravan=$(elapsed "$t0")
log "initial: $FOLLOWERS followers done in ${initial_caravan}s (server CPU $(awk -v a="$c0" -v b="$(proc_ticks "$serve_pid")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')s)"
warm_cache "$src"
initial_rsync=$(rsync_all initial)
log "initial: $FOLLOWERS rsync -a pulls done in ${initial_rsync}s"

# rewrite TOUCH files (every (100/TOUCH_PCT)-th small file, shifted by the round): new content, 16 bytes longer
touch_files() {
  find "$src" -name 'f*.txt' | sort | awk -v step=$(( SMALL_FILES / touch_n )) -v off="$1" '(NR + off) % step == 0' | head -n "$touch_n" > "$w/touched"
  awk -v seed="$(( 4242 + $1 * 7 ))" 'BEGIN { srand(seed) }
    { path = $0; size = 0
      while ((getline line < path) > 0) size += length(line) + 1
      close(path)
      s = ""; while (length(s) < size + 16) s = s sprintf("rewritten %d %.6f\n", NR, rand())
      printf "%s", substr(s, 1, size + 16) > path; close(path) }' "$w/touched"
  xargs stat -c %s < "$w/touched" > "$w/touched.sizes"
}
caught_up() {  # every follower has the new size of every touched file
  local i
  for i in $(seq 1 "$FOLLOWERS"); do
    [[ "$(sed "s|^$src/|$w/f$i/|" "$w/touched" | xargs stat -c %s 2>/dev/null)" == "$(cat "$w/touched.sizes")" ]] || return 1
  done
}

declare -a fan=() pull=()
for r in $(seq 1 "$ROUNDS"); do
  sleep 1
  touch_files "$r"
  t0=$(now)
  until caught_up; do
    (( $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a > 600) }') )) && { echo "fanout.sh: followers not caught up after 10 min" >&2; exit 1; }
    sleep 0.02
  done
  fan+=("$(elapsed "$t0")")
  pull+=("$(rsync_all "change-$r")")
  log "change $r: $touch_n rewritten files on all $FOLLOWERS followers in ${fan[-1]}s; $FOLLOWERS rsync -a pulls in ${pull[-1]}s"
done

sleep 2
for i in $(seq 1 "$FOLLOWERS"); do
  diff -r -x .caravan-follow "$src" "$w/f$i" > "$out/diff-f$i.txt" 2>&1 \
    || { log "check: follower $i DIFFERS from the source (see $out/diff-f$i.txt)"; exit 1; }
  diff -r "$src" "$w/r$i" > "$out/diff-r$i.txt" 2>&1 \
    || { log "check: rsync copy $i DIFFERS from the source (see $out/diff-r$i.txt)"; exit 1; }
done
log "check: every follower folder and every rsync copy is identical to the source"

fan_m=$(median "${fan[@]}"); pull_m=$(median "${pull[@]}")
log ""
log "## summary (ratio = rsync time / caravan time)"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "| phase | caravan followers (s) | rsync -a pulls (s) | ratio | goal |"
log "|---|---|---|---|---|"
log "| initial, $FOLLOWERS at once | $initial_caravan | $initial_rsync | $(div "$initial_rsync" "$initial_caravan") | >= 1.0 |"
log "| $TOUCH_PCT % change, median of $ROUNDS | $fan_m | $pull_m | $(div "$pull_m" "$fan_m") | <= 2 s and >= 2.0 |"
log "peak RSS: caravan serve $(mib "$(hwm_kib "$serve_pid")") MiB, follower 1 $(mib "$(hwm_kib "${follower_pids[0]}")") MiB (VmHWM)"
log "results: $out"
