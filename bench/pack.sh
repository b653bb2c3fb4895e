#!/usr/bin/env bash
# pack.sh — wall time of `caravan pack` / `caravan unpack` against the unix pipeline a person would
# type, on the ~1 GiB mixed corpus of bench/corpus.sh.
#
# Goal: Caravan (tar -> zstd level 1 -> 8 MiB SHA-256-checked parts, and back with verification)
# should be at least as fast as its peer: ratio = peer_time / caravan_time >= 1.0.
#   pack    caravan pack corpus --out X --codec zstd --level 1 --force  (default chunk 8 MiB)
#     vs    tar -cf - corpus | zstd -1 -T0 | split -b 8M -a 4 -d - X.part && sha256sum X.part* > X.sha256
#     and   the same with `openssl sha256 -r` (coreutils sha256sum does not use the CPU's SHA
#           extensions: 180-320 MB/s here; openssl does: ~700 MB/s per file here, startup included)
#   unpack  caravan unpack X DEST                                       (verifies every part)
#     vs    cat X.part* | zstd -d | tar -x -C DEST                      (no verification)
#     and   sha256sum -c X.sha256 && cat X.part* | zstd -d | tar -x -C DEST
# Two measurements, both in this one run, after warm-up runs (the vCPUs' speed drifts):
#   1. hyperfine --warmup 1 --runs RUNS (>= 5), exported as JSON/CSV/markdown; hyperfine runs one
#      command's runs back to back, then the next command's.
#   2. an interleaved pass of PAIRS rounds (caravan and peers alternate, order reversed every round)
#      under /usr/bin/time -v, giving a per-round ratio (median reported) and the peak RSS of every run.
# Both report a wall-time ratio and a CPU ratio (user+sys seconds), the latter being less disturbed
# by other load on the machine. Unpacked trees are compared with the corpus (diff -r) at the end.
# DEST and the part folders are emptied before every run (hyperfine --prepare, outside the timing).
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir,
# default /tmp/caravan-bench; never inside the repository), CORPUS_MIB (1024), RUNS (5), PAIRS (5,
# 0 skips the interleaved pass), JAVA_OPTS (-Xmx256m), PHASES ("pack unpack"; "unpack" alone reuses
# the parts of an earlier run), UNPACK_DIR (where DESTs go, default $BENCH_DIR/unpack; e.g. a folder
# on /dev/shm to take this ext4's file-creation slow mode out of the picture, see RESULTS.md).
# CACHE (warm: each run's inputs are read in its --prepare, so all start from a warm page cache;
# cold: caches dropped before each run, needs root; asis). Every --prepare ends with `sync`, so one
# run's deletions and writeback are not billed to the next.
# Results go to $BENCH_DIR/results/pack-<UTC time>/ (summary.txt, *.json, *.csv, *.md, time-v/). The
# unpacked copies are deleted at the end; corpus and parts stay in $BENCH_DIR for the next run.
set -euo pipefail

CARAVAN=${CARAVAN:-$(dirname "$0")/../caravan}
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench}
CORPUS_MIB=${CORPUS_MIB:-1024}
RUNS=${RUNS:-5}
PAIRS=${PAIRS:-5}
PHASES=${PHASES:-pack unpack}
CACHE=${CACHE:-warm}
UNPACK_DIR=${UNPACK_DIR:-}
export JAVA_OPTS=${JAVA_OPTS:--Xmx256m}

here=$(cd "$(dirname "$0")" && pwd)
missing=()
for tool in hyperfine /usr/bin/time zstd tar split sha256sum openssl awk java; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "pack.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y hyperfine time zstd tar coreutils openssl mawk openjdk-17-jre-headless" >&2
  exit 1
fi
[[ -x $CARAVAN ]] || { echo "pack.sh: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
(( RUNS >= 5 )) || { echo "pack.sh: RUNS must be >= 5" >&2; exit 2; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
repo=$(cd "$here/.." && pwd)
UNPACK_DIR=${UNPACK_DIR:-$BENCH_DIR/unpack}
mkdir -p "$UNPACK_DIR"
UNPACK_DIR=$(cd "$UNPACK_DIR" && pwd)
for d in "$BENCH_DIR" "$UNPACK_DIR"; do
  case "$d/" in "$repo"/*) echo "pack.sh: $d must not be inside the repository ($repo)" >&2; exit 2 ;; esac
done
for p in $PHASES; do [[ $p == pack || $p == unpack ]] || { echo "pack.sh: PHASES holds '$p'; use pack and/or unpack" >&2; exit 2; }; done
if [[ " $PHASES " != *" pack "* ]] && ! [[ -f $BENCH_DIR/pack/caravan/X.manifest.json && -f $BENCH_DIR/pack/peer/X.sha256 ]]; then
  echo "pack.sh: PHASES=unpack needs the parts of an earlier pack run in $BENCH_DIR/pack" >&2; exit 2
fi

"$here/corpus.sh" "$BENCH_DIR/corpus" "$CORPUS_MIB"
cd "$BENCH_DIR"
corpus_bytes=$(find corpus -type f -printf '%s\n' | awk '{ t += $1 } END { printf "%d", t }')
corpus_files=$(find corpus -type f | wc -l)
out=$BENCH_DIR/results/pack-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/time-v" pack

log() { echo "$*" | tee -a "$out/summary.txt"; }
log "# pack.sh $(date -u)"
log "caravan: $CARAVAN  ($("$CARAVAN" --version 2>/dev/null | head -n1))  JAVA_OPTS=$JAVA_OPTS"
log "phases: $PHASES; page cache: $CACHE; unpack destination: $UNPACK_DIR ($(df -T "$UNPACK_DIR" | awk 'NR == 2 { print $2 }'))"
log "corpus: $BENCH_DIR/corpus, $corpus_files files, $corpus_bytes bytes ($(sed -n 2p corpus/.corpus-info))"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1)"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on this machine share its 2 vCPUs)"
log "tools: $(hyperfine --version), $(zstd --version | head -n1), $(tar --version | head -n1), $(openssl version | cut -d' ' -f1-2)"
log ""

# ---- commands -----------------------------------------------------------------------------------
pack_names=(caravan peer-sha256sum peer-openssl)
pack_cmds=(
  "'$CARAVAN' pack corpus --out pack/caravan/X --codec zstd --level 1 --force -q >/dev/null"
  "tar -cf - corpus | zstd -1 -T0 -q | split -b 8M -a 4 -d - pack/peer/X.part && (cd pack/peer && sha256sum X.part* > X.sha256)"
  "tar -cf - corpus | zstd -1 -T0 -q | split -b 8M -a 4 -d - pack/peer-openssl/X.part && (cd pack/peer-openssl && openssl sha256 -r X.part* > X.sha256)"
)
# Page cache before each run: warm = the run's inputs are read once in --prepare (kdamond on these
# VMs evicts idle page cache within ~30 s, which otherwise bills cold reads to whichever command
# runs after a pause); cold = all caches dropped; asis = leave it alone.
case $CACHE in
  warm) warm_corpus="find corpus -type f -print0 | xargs -0 cat > /dev/null"
        warm_caravan="cat pack/caravan/X.* > /dev/null"
        warm_peer="cat pack/peer/X.* > /dev/null" ;;
  cold) warm_corpus="sync && echo 3 > /proc/sys/vm/drop_caches"
        warm_caravan=$warm_corpus warm_peer=$warm_corpus ;;
  asis) warm_corpus=true warm_caravan=true warm_peer=true ;;
  *) echo "pack.sh: CACHE must be warm, cold or asis" >&2; exit 2 ;;
esac
pack_preps=(
  "rm -rf pack/caravan && mkdir -p pack/caravan && $warm_corpus && sync"
  "rm -rf pack/peer && mkdir -p pack/peer && $warm_corpus && sync"
  "rm -rf pack/peer-openssl && mkdir -p pack/peer-openssl && $warm_corpus && sync"
)
unpack_names=(caravan peer peer-sha256sum-c)
unpack_cmds=(
  "'$CARAVAN' unpack pack/caravan/X '$UNPACK_DIR/caravan' -q >/dev/null"
  "mkdir -p '$UNPACK_DIR/peer' && cat pack/peer/X.part* | zstd -d -q | tar -x -C '$UNPACK_DIR/peer'"
  "(cd pack/peer && sha256sum -c --quiet X.sha256) && mkdir -p '$UNPACK_DIR/peer-sha256sum-c' && cat pack/peer/X.part* | zstd -d -q | tar -x -C '$UNPACK_DIR/peer-sha256sum-c'"
)
unpack_preps=(
  "rm -rf '$UNPACK_DIR/caravan' && $warm_caravan && sync"
  "rm -rf '$UNPACK_DIR/peer' && $warm_peer && sync"
  "rm -rf '$UNPACK_DIR/peer-sha256sum-c' && $warm_peer && sync"
)

# ---- 1. hyperfine --------------------------------------------------------------------------------
run_hyperfine() { # PHASE  (uses the PHASE_names/cmds/preps arrays)
  local phase=$1 args=() i
  local -n names=${phase}_names cmds=${phase}_cmds preps=${phase}_preps
  for i in "${!names[@]}"; do args+=(--prepare "${preps[i]}"); done
  for i in "${!names[@]}"; do args+=(--command-name "${names[i]}" "${cmds[i]}"); done
  hyperfine --style basic --warmup 1 --runs "$RUNS" "${args[@]}" \
    --export-json "$out/$phase.json" --export-csv "$out/$phase.csv" --export-markdown "$out/$phase.md" \
    | tee -a "$out/hyperfine-$phase.log"
}

ratio_table() { # PHASE: ratios of each peer against caravan from hyperfine's CSV (mean and median)
  awk -F, -v bytes="$corpus_bytes" -v phase="$1" '
    NR == 1 { next }
    { name[NR] = $1; mean[$1] = $2; sd[$1] = $3; med[$1] = $4; usr[$1] = $5; sys[$1] = $6; order[++n] = $1 }
    END {
      printf "%-7s %-18s %9s %8s %9s %9s %9s %8s %11s %10s\n", phase, "command", "mean s", "+- s", "median s", "user s", "sys s", "MB/s", "wall ratio", "CPU ratio"
      for (i = 1; i <= n; i++) {
        c = order[i]
        r = (c == "caravan") ? "" : sprintf("%.2f", mean[c] / mean["caravan"])
        cr = (c == "caravan") ? "" : sprintf("%.2f", (usr[c] + sys[c]) / (usr["caravan"] + sys["caravan"]))
        printf "%-7s %-18s %9.2f %8.2f %9.2f %9.2f %9.2f %8.0f %11s %10s\n", phase, c, mean[c], sd[c], med[c], usr[c], sys[c], bytes / 1e6 / mean[c], r, cr
      }
      for (i = 1; i <= n; i++) {
        c = order[i]; if (c == "caravan") continue
        r = mean[c] / mean["caravan"]
        printf "  %s %s: ratio %.2f (median-based %.2f): ", phase, c, r, med[c] / med["caravan"]
        if (r >= 1) printf "Caravan is %.0f%% faster\n", (r - 1) * 100
        else printf "Caravan is SLOWER: it takes %.0f%% more time (%.2fx)\n", (1 / r - 1) * 100, 1 / r
      }
    }' "$out/$1.csv"
}

for phase in $PHASES; do
  echo "== hyperfine: $phase ($RUNS runs + 1 warm-up each) ==" >&2
  run_hyperfine "$phase"
done

# ---- 2. interleaved rounds under /usr/bin/time -v ----------------------------------------------
timed() { # PHASE NAME CMD PREP ROUND -> appends "phase name round wall user sys rss_kb load1" to interleaved.tsv
  local f="$out/time-v/$1-$2-$5.txt" load
  bash -c "$4"
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v -o "$f" bash -c "$3"
  awk -v p="$1" -v n="$2" -v r="$5" -v load="$load" -F': ' '
    /Elapsed \(wall clock\)/ { k = split($2, t, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + t[i] }
    /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident set size/ { m = $2 }
    END { printf "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d\t%s\n", p, n, r, w, u, s, m, load }' "$f" >> "$out/interleaved.tsv"
}

if (( PAIRS > 0 )); then
  echo "== interleaved: $PAIRS rounds of pack then unpack, order reversed every round ==" >&2
  printf 'phase\tcommand\tround\twall_s\tuser_s\tsys_s\tmaxrss_kb\tload1\n' > "$out/interleaved.tsv"
  for phase in $PHASES; do
    declare -n names=${phase}_names cmds=${phase}_cmds preps=${phase}_preps
    for round in $(seq 1 "$PAIRS"); do
      idx=("${!names[@]}")
      (( round % 2 == 0 )) && idx=($(printf '%s\n' "${idx[@]}" | tac))
      for i in "${idx[@]}"; do timed "$phase" "${names[i]}" "${cmds[i]}" "${preps[i]}" "$round"; done
    done
    unset -n names cmds preps
  done
fi

# ---- correctness: what was unpacked equals the corpus -------------------------------------------
check=""
if [[ " $PHASES " == *" unpack "* ]]; then
  for d in caravan peer; do
    if diff -rq corpus "$UNPACK_DIR/$d/corpus" >/dev/null 2>&1; then check+="$UNPACK_DIR/$d identical to corpus; "
    else check+="$UNPACK_DIR/$d DIFFERS from corpus; "; fi
  done
  # the unpacked copies are no longer needed (3 GiB, possibly in RAM on tmpfs); the parts stay for PHASES=unpack
  for d in caravan peer peer-sha256sum-c; do rm -rf -- "${UNPACK_DIR:?}/$d"; done
  rmdir -- "$UNPACK_DIR" 2>/dev/null || true
else
  check="skipped (no unpack phase)"
fi

# ---- summary ------------------------------------------------------------------------------------
log "## hyperfine (warm-up 1, $RUNS runs; wall ratio = peer mean / caravan mean, >= 1.0 means Caravan is at least as fast;"
log "## CPU ratio = peer user+sys / caravan user+sys; MB/s = corpus bytes / 1e6 / mean)"
for phase in $PHASES; do ratio_table "$phase" | tee -a "$out/summary.txt"; done
log ""
if (( PAIRS > 0 )); then
  log "## interleaved ($PAIRS rounds, /usr/bin/time -v; wall ratio = median over rounds of peer/caravan wall time in the same round;"
  log "## CPU ratio = the same for user+sys CPU seconds, which other load on the machine disturbs less)"
  awk -F'\t' -v bytes="$corpus_bytes" '
    NR == 1 { next }
    { k = $1 SUBSEP $2; w[k, $3] = $4; cpu[k, $3] = $5 + $6; rounds[$3] = 1; if (!(k in seen)) { seen[k] = 1; ord[++n] = k }
      sw[k] += $4; su[k] += $5; ss[k] += $6; cnt[k]++; if ($7 > rss[k]) rss[k] = $7 }
    function median(a, m,   i, j, t) { for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
    END {
      printf "%-7s %-18s %9s %9s %9s %9s %8s %12s %12s %10s\n", "phase", "command", "mean s", "median s", "user s", "sys s", "MB/s", "peak RSS MiB", "wall ratio", "CPU ratio"
      for (i = 1; i <= n; i++) {
        split(ord[i], pc, SUBSEP); p = pc[1]; c = pc[2]; ck = p SUBSEP "caravan"
        m = 0; delete rr; delete cr; delete ww
        for (r in rounds) if (((ord[i], r) in w) && ((ck, r) in w)) { m++; rr[m] = w[ord[i], r] / w[ck, r]; cr[m] = cpu[ord[i], r] / cpu[ck, r]; ww[m] = w[ord[i], r] }
        printf "%-7s %-18s %9.2f %9.2f %9.2f %9.2f %8.0f %12.1f %12s %10s\n", p, c, sw[ord[i]] / cnt[ord[i]], median(ww, m), su[ord[i]] / cnt[ord[i]], ss[ord[i]] / cnt[ord[i]],
          bytes / 1e6 / (sw[ord[i]] / cnt[ord[i]]), rss[ord[i]] / 1024, c == "caravan" ? "" : sprintf("%.2f", median(rr, m)), c == "caravan" ? "" : sprintf("%.2f", median(cr, m))
      }
    }' "$out/interleaved.tsv" | tee -a "$out/summary.txt"
  log "(peak RSS of a pipeline is that of its largest process, not the sum; full /usr/bin/time -v output in $out/time-v/)"
  log ""
fi
[[ " $PHASES " == *" pack "* ]] && log "parts: caravan $(ls pack/caravan | grep -c '\.part') parts $(cat pack/caravan/X.part* | wc -c) bytes; peer $(ls pack/peer | grep -c '\.part') parts $(cat pack/peer/X.part* | wc -c) bytes"
log "check: $check"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "results: $out"
