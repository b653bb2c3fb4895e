#!/usr/bin/env bash
# memory.sh — peak memory of `caravan pack` and `caravan unpack` on one file far larger than the heap.
#
# Goal: Caravan streams (tar -> codec -> parts, and back) with bounded memory, so a 4 GiB file packs and
# unpacks under JAVA_OPTS=-Xmx64m, the unpacked file's SHA-256 equals the original's, and the peak RSS
# stays flat (JVM + one chunk + codec windows; it must not grow with the input size).
# Steps: generate SIZE_GIB GiB of seeded incompressible data (AES-256-CTR keystream, openssl) hashed
# while written; `caravan pack FILE --out PARTS -q` (default codec zstd level 3, chunk 8 MiB; add
# options with PACK_ARGS); `caravan unpack PARTS DEST -q`; compare SHA-256 (openssl); print wall time,
# user/sys CPU, MB/s and peak RSS ("Maximum resident set size" of /usr/bin/time -v) of each step, and
# the RSS sampled over time (flat = bounded; rising towards the end = grows with the input).
# The big files are deleted at the end, also on failure.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir, default
# /tmp/caravan-bench; never inside the repository), SIZE_GIB (4), JAVA_OPTS (-Xmx64m), PACK_ARGS ("").
# Results go to $BENCH_DIR/results/memory-<UTC time>/ (summary.txt, time-v/, *.rss timelines).
set -euo pipefail

CARAVAN=${CARAVAN:-$(dirname "$0")/../caravan}
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench}
SIZE_GIB=${SIZE_GIB:-4}
export JAVA_OPTS=${JAVA_OPTS:--Xmx64m}
PACK_ARGS=${PACK_ARGS:-}

here=$(cd "$(dirname "$0")" && pwd)
missing=()
for tool in /usr/bin/time openssl sha256sum head tee awk java; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "memory.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y time openssl coreutils mawk openjdk-17-jre-headless" >&2
  exit 1
fi
[[ -x $CARAVAN ]] || { echo "memory.sh: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
[[ $SIZE_GIB =~ ^[0-9]+$ ]] && (( SIZE_GIB >= 1 )) || { echo "memory.sh: SIZE_GIB must be a whole number >= 1" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
repo=$(cd "$here/.." && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "memory.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac

bytes=$(( SIZE_GIB * 1024 * 1024 * 1024 ))
need_kib=$(( bytes * 3 / 1024 + 1024 * 1024 ))   # original + parts + unpacked copy, plus 1 GiB slack
free_kib=$(df -Pk "$BENCH_DIR" | awk 'NR == 2 { print $4 }')
(( free_kib >= need_kib )) || { echo "memory.sh: needs $(( need_kib / 1024 / 1024 )) GiB free in $BENCH_DIR, has $(( free_kib / 1024 / 1024 )) GiB" >&2; exit 1; }

work=$BENCH_DIR/memory
out=$BENCH_DIR/results/memory-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/time-v"
cleanup() { rm -rf -- "$work"; }
trap cleanup EXIT
rm -rf -- "$work"
mkdir -p "$work/src"

log() { echo "$*" | tee -a "$out/summary.txt"; }
log "# memory.sh $(date -u)"
log "caravan: $CARAVAN  JAVA_OPTS=$JAVA_OPTS  PACK_ARGS=${PACK_ARGS:-(none: zstd level 3, 8 MiB chunks)}"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1)"

echo "memory.sh: generating $SIZE_GIB GiB of seeded incompressible data ..." >&2
key=$(printf '%s' key-memory | sha256sum | cut -c1-64)
iv=$(printf '%s' iv-memory | sha256sum | cut -c1-32)
# openssl dies of SIGPIPE once head has enough; the size is checked below
{ openssl enc -aes-256-ctr -K "$key" -iv "$iv" </dev/zero 2>/dev/null || true; } | head -c "$bytes" \
  | tee "$work/src/big.bin" | openssl sha256 -r | cut -d' ' -f1 > "$work/src.sha256"
[[ $(stat -c %s "$work/src/big.bin") == "$bytes" ]] || { echo "memory.sh: generated file has the wrong size" >&2; exit 1; }
log "input: $work/src/big.bin, $bytes bytes, SHA-256 $(cat "$work/src.sha256")"
sync

# RSS timeline: samples the JVM's VmRSS every 0.5 s, to tell a flat peak from one that grows with
# the input (the launcher execs java, so the child of /usr/bin/time is the JVM).
sample_rss() { # TIME_PID FILE
  local child="" start
  start=$(date +%s.%N)
  while kill -0 "$1" 2>/dev/null; do
    [[ -z $child ]] && child=$(awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null || true)
    if [[ -n $child ]]; then
      awk -v t="$(date +%s.%N)" -v s="$start" '/^VmRSS/ { printf "%.1f %d\n", t - s, $2 }' "/proc/$child/status" 2>/dev/null >> "$2" || true
    fi
    sleep 0.5
  done
}

rss_profile() { # FILE -> "RSS MiB at 10% / 25% / 50% / 75% / 90% of the run, max"
  awk '{ t[NR] = $1; r[NR] = $2; if ($2 > m) m = $2 }
    END { if (NR == 0) { print "  (no RSS samples)"; exit }
      printf "  RSS timeline (%d samples): at 10%% %.0f MiB, 25%% %.0f, 50%% %.0f, 75%% %.0f, 90%% %.0f, max %.0f MiB\n", NR,
        r[int(NR * 0.1) + 1] / 1024, r[int(NR * 0.25) + 1] / 1024, r[int(NR * 0.5) + 1] / 1024, r[int(NR * 0.75) + 1] / 1024, r[int(NR * 0.9) + 1] / 1024, m / 1024 }' "$1"
}

step() { # NAME CMD... : runs under /usr/bin/time -v, prints one line of figures
  local name=$1; shift
  local f="$out/time-v/$name.txt" pid rc=0
  /usr/bin/time -v -o "$f" "$@" > "$out/$name.out" 2>&1 &
  pid=$!
  sample_rss "$pid" "$out/$name.rss" &
  wait "$pid" || rc=$?
  wait
  if (( rc != 0 )); then
    echo "memory.sh: '$name' failed:" >&2; cat "$out/$name.out" "$f" >&2; exit 1
  fi
  awk -v name="$name" -v bytes="$bytes" -F': ' '
    /Elapsed \(wall clock\)/ { k = split($2, t, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident set size/ { m = $2 }
    END { printf "%-7s wall %7.2f s  user %7.2f s  sys %6.2f s  %6.0f MB/s  peak RSS %6.1f MiB\n", name, w, u, s, bytes / 1e6 / w, m / 1024 }' "$f" \
    | tee -a "$out/summary.txt"
  rss_profile "$out/$name.rss" | tee -a "$out/summary.txt"
}

log ""
step pack "$CARAVAN" pack "$work/src/big.bin" --out "$work/parts/big" -q $PACK_ARGS
log "  $(grep -m1 '^packed' "$out/pack.out" || true)"
parts=$(ls "$work/parts" | grep -c '\.part')
log "  $parts parts, $(cat "$work"/parts/big.part* | wc -c) bytes"
sync
step unpack "$CARAVAN" unpack "$work/parts/big" "$work/dest" -q
log "  $(grep -m1 '^unpacked' "$out/unpack.out" || true)"

got=$(openssl sha256 -r "$work/dest/big.bin" | cut -d' ' -f1)
if [[ $got == "$(cat "$work/src.sha256")" ]]; then
  log "check: unpacked big.bin SHA-256 equals the original ($got)"
else
  log "check: MISMATCH: unpacked big.bin SHA-256 $got, original $(cat "$work/src.sha256")"
  exit 1
fi
log "results: $out (big files in $work deleted)"
