#!/usr/bin/env bash
# sync.sh — `caravan sync --once` against `rsync -a` over its network protocol on loopback (issue 5).
#
# Source tree (generated once in $BENCH_DIR/src, reused): SMALL_FILES (10,000) text files of 1-8 KiB in
# 100 folders, plus one incompressible file of BIG_MIB MiB (1024; seeded AES-256-CTR keystream).
# Each round, in one run, with a fresh destination for each initial sync:
#   initial   caravan sync SRC --to http://127.0.0.1:SERVE --name mN --once --state-dir <fresh>
#               into  caravan serve --root INBOX  (mirror INBOX/mN; files land by temp file + rename)
#     vs      rsync -a SRC/ rsync://127.0.0.1:PORT/mod/rN/  into  rsync --daemon --no-detach --port PORT
#   touch     TOUCH_PCT (1) % of the small files get new content (16 bytes longer, new mtime)
#   re-sync   the same two commands again (caravan with the same --state-dir and mirror name)
# The order of caravan and rsync alternates every round; before each run `sync` runs and the source is
# read once (warm page cache). The first round's trees are compared with the source (diff -r, untimed).
# Goals: initial sync at least as fast as rsync (ratio rsync_time / caravan_time >= 1.0); the re-sync
# within 2x rsync's time (ratio >= 0.5). Medians of ROUNDS (>= 3) rounds, after one warm-up round.
# Also reported: peak RSS of `caravan sync` (/usr/bin/time -v) and of the receiver (VmHWM), CPU seconds of
# each side, the time a bare JVM start of the launcher takes (`caravan --version`), and which receiver
# threads were running (R) or in disk wait (D) during the timed caravan runs (sampled every 0.2 s).
# For reference (not the goal's comparison): after the rounds, a watching `caravan sync` (no --once) gets the
# same 1 % rewrite ROUNDS times; printed is the time until every rewritten file has its new size on the
# mirror (its default --settle of 400 ms included), and the mirror is checked with diff -r afterwards.
# Note: rsync -a writes without fsync (no --fsync); caravan serve fsyncs what it publishes.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir, default
# /tmp/caravan-bench-sync; never inside the repository), SMALL_FILES (10000), BIG_MIB (1024), TOUCH_PCT
# (1), ROUNDS (3), JAVA_OPTS (given to both JVMs; unset: the launcher's default).
# Results: $BENCH_DIR/results/sync-<UTC time>/summary.txt and logs; mirrors are deleted at the end.
set -euo pipefail
export LC_ALL=C

CARAVAN=${CARAVAN:-$(dirname "$0")/../caravan}
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-sync}
SMALL_FILES=${SMALL_FILES:-10000}
BIG_MIB=${BIG_MIB:-1024}
TOUCH_PCT=${TOUCH_PCT:-1}
ROUNDS=${ROUNDS:-3}

here=$(cd "$(dirname "$0")" && pwd)
# shared helpers: log, median, div, now, elapsed, mib, free_port, thread_ticks, sample_states, ...
source "$here/lib.sh"
missing=()
for tool in rsync curl openssl awk java python3 diff /usr/bin/time; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "sync.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y rsync curl openssl mawk python3 diffutils time openjdk-17-jre-headless" >&2
  exit 1
fi
[[ -x $CARAVAN ]] || { echo "sync.sh: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
for n in SMALL_FILES BIG_MIB TOUCH_PCT ROUNDS; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "sync.sh: $n must be a whole number" >&2; exit 2; }
done
(( ROUNDS >= 3 )) || { echo "sync.sh: ROUNDS must be >= 3" >&2; exit 2; }
(( SMALL_FILES >= 100 )) || { echo "sync.sh: SMALL_FILES must be >= 100" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
repo=$(cd "$here/.." && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "sync.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac

src=$BENCH_DIR/src
w=$BENCH_DIR/work
inbox=$w/inbox
rdest=$w/rsync-dest
out=$BENCH_DIR/results/sync-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/time-v"
rm -rf -- "$w"
mkdir -p "$w" "$rdest"

serve_pid= rsyncd_pid=
cleanup() {
  set +e
  for p in $serve_pid $rsyncd_pid ${watch_pid:-}; do kill "$p" 2>/dev/null; done
  for p in $serve_pid $rsyncd_pid ${watch_pid:-}; do wait "$p" 2>/dev/null; done
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT

cpu_of() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$1"; }

log "# sync.sh $(date -u)"
caravan_version=$("$CARAVAN" --version 2>/dev/null | head -n1)
log "caravan: $CARAVAN ($caravan_version)  JAVA_OPTS=${JAVA_OPTS:-unset, the launcher default}"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1); $(rsync --version | head -n1)"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- source tree ---------------------------------------------------------------------------------
marker="caravan-bench-sync-src small_files=$SMALL_FILES big_mib=$BIG_MIB"
if [[ ! -f $src/.sync-src-info ]] || [[ $(head -n1 "$src/.sync-src-info") != "$marker" ]]; then
  echo "generating $SMALL_FILES small files and a $BIG_MIB MiB file in $src ..." >&2
  rm -rf -- "$src" "$src.partial"
  mkdir -p "$src.partial"
  awk -v root="$src.partial" -v n="$SMALL_FILES" 'BEGIN {
    srand(9001)
    nw = split("sync mirror folder file chunk parcel rename delete create modify settle watch rescan worker receiver sender manifest digest size mtime mode link path entry batch event queue retry backoff", w, " ")
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
  ( set +o pipefail
    openssl enc -aes-256-ctr -nosalt -pass pass:caravan-bench-sync -pbkdf2 -in /dev/zero 2>/dev/null \
      | head -c $(( BIG_MIB * 1024 * 1024 )) > "$src.partial/big.bin" )
  (( $(stat -c %s "$src.partial/big.bin") == BIG_MIB * 1024 * 1024 )) || { echo "sync.sh: generating big.bin failed" >&2; exit 1; }
  printf '%s\n%s\n' "$marker" "generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by bench/sync.sh" > "$src.partial/.sync-src-info"
  mv -- "$src.partial" "$src"
fi
src_files=$(find "$src" -type f | wc -l)
src_bytes=$(find "$src" -type f -printf '%s\n' | awk '{ t += $1 } END { printf "%d", t }')
touch_n=$(( SMALL_FILES * TOUCH_PCT / 100 ))
log "source: $src, $src_files files, $src_bytes bytes ($SMALL_FILES small files of 1-8 KiB + big.bin of $BIG_MIB MiB); re-sync after rewriting $touch_n small files ($TOUCH_PCT%)"

# --- servers -------------------------------------------------------------------------------------
serve_port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$serve_port" --root "$inbox" > "$out/serve.log" 2>&1 &
serve_pid=$!
serve_url=http://127.0.0.1:$serve_port
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "$serve_url/health" 2>/dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "sync.sh: caravan serve exited; see $out/serve.log" >&2; exit 1; }
  sleep 0.1
done
rsync_port=$(free_port)
{
  echo "pid file = $w/rsyncd.pid"
  echo "log file = $out/rsyncd.log"
  echo "use chroot = no"
  echo "[mod]"
  echo "  path = $rdest"
  echo "  read only = false"
  if (( $(id -u) == 0 )); then echo "  uid = root"; echo "  gid = root"; fi
} > "$w/rsyncd.conf"
rsync --daemon --no-detach --address 127.0.0.1 --port "$rsync_port" --config "$w/rsyncd.conf" &
rsyncd_pid=$!
for _ in $(seq 1 100); do
  rsync "rsync://127.0.0.1:$rsync_port/" > /dev/null 2>&1 && break
  kill -0 "$rsyncd_pid" 2>/dev/null || { echo "sync.sh: rsync --daemon exited; see $out/rsyncd.log" >&2; exit 1; }
  sleep 0.1
done
rsync_url=rsync://127.0.0.1:$rsync_port/mod
log "servers: caravan serve pid $serve_pid :$serve_port (inbox $inbox); rsync --daemon pid $rsyncd_pid :$rsync_port (module mod -> $rdest)"

# JVM start floor of the launcher
jvm=()
for _ in 1 2 3; do t0=$(now); "$CARAVAN" --version > /dev/null; jvm+=("$(elapsed "$t0")"); done
jvm_floor=$(median "${jvm[@]}")
log "launcher + JVM start (caravan --version), median of 3: ${jvm_floor}s"
log ""

warm() { find "$src" -type f -print0 | xargs -0 cat > /dev/null; sync; }
# run TARGET PHASE ROUND -> seconds (time -v output in $out/time-v/TARGET-PHASE-ROUND.txt)
run() {
  local target=$1 phase=$2 r=$3 t0 s tv=$out/time-v/$1-$2-$3.txt
  warm
  case $target in
    caravan)
      [[ $phase == initial ]] && rm -rf -- "$w/state-$r"
      local c0; c0=$(proc_ticks "$serve_pid")
      t0=$(now)
      /usr/bin/time -v -o "$tv" "$CARAVAN" sync "$src" --to "$serve_url" --name "m$r" --once --state-dir "$w/state-$r" \
        > "$out/caravan-$phase-$r.log" 2>&1 &
      local tpid=$!
      [[ $r == warm ]] || { sample_states "$serve_pid" "$tpid" "$w/serve.states.$phase" > /dev/null 2>&1 & }
      local qpid=$!
      wait "$tpid" || { echo "sync.sh: caravan sync failed; see $out/caravan-$phase-$r.log" >&2; exit 1; }
      s=$(elapsed "$t0")
      wait "$qpid" || true
      echo "$(proc_ticks "$serve_pid") $c0" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($1 - $2) / hz }' > "$w/serve.cpu" ;;
    rsync)
      t0=$(now)
      /usr/bin/time -v -o "$tv" rsync -a "$src/" "$rsync_url/r$r/" > "$out/rsync-$phase-$r.log" 2>&1 \
        || { echo "sync.sh: rsync failed; see $out/rsync-$phase-$r.log" >&2; exit 1; }
      s=$(elapsed "$t0") ;;
  esac
  echo "$s"
}
# rewrite TOUCH files (every (100/TOUCH_PCT)-th small file, shifted by the round): new content, 16 bytes longer
touch_files() {
  local r=$1
  find "$src" -name 'f*.txt' | sort | awk -v step=$(( SMALL_FILES / touch_n )) -v off="$r" '(NR + off) % step == 0' | head -n "$touch_n" > "$w/touched"
  awk -v seed="$(( 4242 + ${#r} * 7 + $(printf '%s' "$r" | cksum | cut -d' ' -f1) % 1000 ))" 'BEGIN { srand(seed) }
    { path = $0; size = 0
      while ((getline line < path) > 0) size += length(line) + 1
      close(path)
      s = ""; while (length(s) < size + 16) s = s sprintf("rewritten %d %.6f\n", NR, rand())
      printf "%s", substr(s, 1, size + 16) > path; close(path) }' "$w/touched"
}
clear_dests() { rm -rf -- "$inbox"/m* "$rdest"/r* "$w"/state-*; sync; }

declare -A res=()
rounds=(warm $(seq 1 "$ROUNDS"))
for r in "${rounds[@]}"; do
  clear_dests
  if [[ $r == warm ]] || (( r % 2 == 1 )); then order=(caravan rsync); else order=(rsync caravan); fi
  for phase in initial resync; do
    [[ $phase == resync ]] && touch_files "$r"
    for target in "${order[@]}"; do
      s=$(run "$target" "$phase" "$r")
      extra="client CPU $(cpu_of "$out/time-v/$target-$phase-$r.txt")s, peak RSS $(mib "$(maxrss_kib "$out/time-v/$target-$phase-$r.txt")") MiB"
      [[ $target == caravan ]] && extra="$extra; receiver CPU $(cat "$w/serve.cpu")s"
      log "round $r $phase $target ${s}s ($extra)"
      [[ $r == warm ]] || res[$phase/$target]+="$s "
    done
    if [[ $r == warm || $r == 1 ]]; then
      for d in "$inbox/m$r" "$rdest/r$r"; do
        diff -r "$src" "$d" > "$out/diff-$phase-$r-$(basename "$d").txt" 2>&1 \
          && log "check ($phase, round $r): $d is identical to the source" \
          || { log "check ($phase, round $r): $d DIFFERS from the source (see $out/diff-*.txt)"; exit 1; }
      done
    fi
    # order reversed within the round too, so neither target always goes first
    order=("${order[1]}" "${order[0]}")
  done
done
clear_dests

# For reference, not part of the goal: the same 1 % change caught by a running, watching `caravan sync`
# (the seed's main mode; no JVM start per pass, but a --settle quiet time, 400 ms by default, before a
# changed file is sent). Timed from the end of the rewrite until every touched file has its new size on
# the mirror (files land there by rename, so a new size means the new content); checked with diff -r.
mirror_caught_up() {
  sed "s|^$src/|$inbox/mwatch/|" "$w/touched" > "$w/touched.mirror"
  [[ "$(xargs stat -c %s < "$w/touched" 2>/dev/null)" == "$(xargs stat -c %s < "$w/touched.mirror" 2>/dev/null)" ]]
}
watch=()
"$CARAVAN" sync "$src" --to "$serve_url" --name mwatch --state-dir "$w/state-watch" > "$out/caravan-watch.log" 2>&1 &
watch_pid=$!
until grep -q 'sync completed' "$out/caravan-watch.log"; do
  kill -0 "$watch_pid" 2>/dev/null || { echo "sync.sh: the watching caravan sync ended; see $out/caravan-watch.log" >&2; exit 1; }
  sleep 0.2
done
for r in $(seq 1 "$ROUNDS"); do
  sleep 1
  touch_files "watch$r"
  t0=$(now)
  until mirror_caught_up; do
    kill -0 "$watch_pid" 2>/dev/null || { echo "sync.sh: the watching caravan sync ended; see $out/caravan-watch.log" >&2; exit 1; }
    sleep 0.02
  done
  watch+=("$(elapsed "$t0")")
  log "watch round $r: the watching caravan sync caught up with $touch_n rewritten files in ${watch[-1]}s"
done
sleep 1
diff -r "$src" "$inbox/mwatch" > "$out/diff-watch.txt" 2>&1 \
  && log "check (watch): $inbox/mwatch is identical to the source" \
  || { log "check (watch): $inbox/mwatch DIFFERS from the source (see $out/diff-watch.txt)"; exit 1; }
kill "$watch_pid" 2>/dev/null; wait "$watch_pid" 2>/dev/null || true
rm -rf -- "$inbox/mwatch" "$w/state-watch"

log ""
log "## summary (medians of $ROUNDS rounds; ratio = rsync time / caravan time)"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "| phase | caravan sync --once (s) | rsync -a daemon (s) | ratio | goal | caravan runs | rsync runs |"
log "|---|---|---|---|---|---|---|"
for phase in initial resync; do
  c=$(median ${res[$phase/caravan]}); p=$(median ${res[$phase/rsync]})
  goal=">= 1.0"; [[ $phase == resync ]] && goal=">= 0.5 (within 2x)"
  log "| $phase | $c | $p | $(div "$p" "$c") | $goal | ${res[$phase/caravan]}| ${res[$phase/rsync]}|"
done
log "for reference: re-sync caught by a watching caravan sync (median of $ROUNDS): $(median "${watch[@]}")s, $(div "$(median ${res[resync/rsync]})" "$(median "${watch[@]}")") of rsync's re-sync time ratio (not the goal's comparison)"
log "initial sync MB/s: caravan $(awk -v b="$src_bytes" -v s="$(median ${res[initial/caravan]})" 'BEGIN { printf "%.1f", b / s / 1e6 }'), rsync $(awk -v b="$src_bytes" -v s="$(median ${res[initial/rsync]})" 'BEGIN { printf "%.1f", b / s / 1e6 }')"
peak=$(for f in "$out"/time-v/caravan-*-[0-9]*.txt; do maxrss_kib "$f"; done | sort -n | tail -n1)
log "peak RSS: caravan sync $(mib "$peak") MiB (max over the timed runs); caravan serve $(mib "$(hwm_kib "$serve_pid")") MiB (VmHWM over the whole script)"
log ""
log "receiver threads seen running (R) or in disk wait (D), sampled every 0.2 s during the timed caravan runs:"
for phase in initial resync; do
  f=$w/serve.states.$phase
  [[ -f $f ]] || continue
  n=$(grep -c '^-$' "$f" || true)
  log "  $phase ($n samples; share of samples in which the group had a thread in that state):"
  awk -F'\t' -v n="$n" '$0 == "-" { for (k in seen) c[k]++; delete seen; next } { seen[$1 " " $2] = 1 }
    END { for (k in c) printf "    %5.1f%%  %s\n", 100 * c[k] / n, k }' "$f" | sort -rn | head -n 8 | tee -a "$out/summary.txt"
done
log "results: $out"
