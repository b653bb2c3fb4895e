#!/usr/bin/env bash
# e2e.sh — end-to-end throughput of `caravan send` -> `caravan serve` on loopback against the unix
# pipeline a person would type and against seed 002's reference design (issue 4's acceptance).
#
# Part "corpus": the ~1 GiB mixed corpus of bench/corpus.sh (text, binaries, incompressible data,
# 10,000 small files), from start until the tree is extracted at the destination:
#   caravan  caravan send CORPUS corpus-rN --to http://127.0.0.1:SERVE --codec zstd --level 1 --no-dedup
#            --state-dir <fresh> -q  into  caravan serve --root INBOX  (SHA-256 per chunk, fsync,
#            verified and published as INBOX/corpus-rN; each run a new remote name, the previous one deleted)
#   peer     tar -cf - corpus | zstd -1 -T0 | tee >(openssl sha256) | split -b 8M --filter
#            'curl -sS --fail -T - http://127.0.0.1:NGINX/parts/$FILE'   (nginx WebDAV PUT to disk)
#            then  cat parts/* | tee >(openssl sha256) | zstd -d | tar -x -C DEST  and the two digests
#            compared (so the peer verifies end to end too; sha256 by openssl at ~1.8 GB/s, not coreutils)
#   Goal: caravan MB/s >= 1.0 x peer (below 0.8 issue 4 is not done).
# Part "big": one incompressible file of BIG_MIB MiB (default 1024), --codec none:
#   caravan  caravan send BIG big-rN --codec none --no-dedup --state-dir <fresh> -q (SHA-256 + fsync on)
#   flask    bench/peers/flask_client.py -> bench/peers/flask_server.py (seed 002's design: Flask server
#            writing each PUT /upload/<sid>/<idx> body to a chunk file, POST /finish concatenating;
#            requests client doing sequential 1 MiB PUTs; no hashing, no fsync)
#   nginx    curl -sS --fail -T BIG http://127.0.0.1:NGINX/big/big-rN.bin (WebDAV PUT to disk; the
#            loopback-plus-disk ceiling, no fsync)
#   Goals: caravan >= 2.5 x flask and >= 0.8 x nginx.
# Method: the servers (caravan serve, nginx, Flask) start once per script run on free ports and stop in
# a trap. Per part: one warm-up run of each target (results checked against the source with diff/cmp,
# not timed), then ROUNDS (>= 3) rounds with the order of the targets rotated every round; before each
# run the previous outputs are deleted, `sync` runs and the inputs are read once (warm page cache).
# Medians and ratios of medians are printed. Peak RSS: each `caravan send` under /usr/bin/time -v; the
# receiver's VmHWM (/proc/<pid>/status), reset through /proc/<pid>/clear_refs before each part. Where the
# time goes: CPU seconds by thread group of the receiver and of the sender during the timed caravan runs.
#
# Environment: CARAVAN (launcher, default ../caravan beside this script), BENCH_DIR (work dir, default
# /tmp/caravan-bench-e2e; never inside the repository), CORPUS_DIR (default $BENCH_DIR/corpus; made or
# reused by bench/corpus.sh), CORPUS_MIB (1024), BIG_MIB (1024), ROUNDS (3), PARTS ("corpus big"),
# JAVA_OPTS (given to both JVMs by the launcher; unset: the launcher's default), PYTHON (/usr/bin/python3,
# must import flask and requests). Results: $BENCH_DIR/results/e2e-<UTC time>/summary.txt and logs.
set -euo pipefail
export LC_ALL=C

CARAVAN=${CARAVAN:-$(dirname "$0")/../caravan}
BENCH_DIR=${BENCH_DIR:-/tmp/caravan-bench-e2e}
CORPUS_MIB=${CORPUS_MIB:-1024}
BIG_MIB=${BIG_MIB:-1024}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-corpus big}
PYTHON=${PYTHON:-/usr/bin/python3}

here=$(cd "$(dirname "$0")" && pwd)
# shared helpers: log, median, div, now, elapsed, mib, free_port, thread_ticks, sample_states, ...
source "$here/lib.sh"
missing=()
for tool in curl openssl zstd tar split cmp diff nginx awk java "$PYTHON" /usr/bin/time; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if command -v "$PYTHON" >/dev/null && ! "$PYTHON" -c 'import flask, requests' 2>/dev/null; then
  missing+=("python3-flask/python3-requests for $PYTHON")
fi
if command -v nginx >/dev/null && ! nginx -V 2>&1 | grep -q -- --with-http_dav_module; then
  missing+=("nginx with the WebDAV module")
fi
if (( ${#missing[@]} )); then
  echo "e2e.sh: missing: ${missing[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y curl openssl zstd tar coreutils diffutils nginx-light python3-flask python3-requests time mawk openjdk-17-jre-headless" >&2
  exit 1
fi
[[ -x $CARAVAN ]] || { echo "e2e.sh: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
for n in ROUNDS CORPUS_MIB BIG_MIB; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "e2e.sh: $n must be a whole number" >&2; exit 2; }
done
(( ROUNDS >= 3 )) || { echo "e2e.sh: ROUNDS must be >= 3" >&2; exit 2; }
for p in $PARTS; do [[ $p == corpus || $p == big ]] || { echo "e2e.sh: PARTS holds '$p'; use corpus and/or big" >&2; exit 2; }; done

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
CORPUS_DIR=${CORPUS_DIR:-$BENCH_DIR/corpus}
repo=$(cd "$here/.." && pwd)
case "$BENCH_DIR/" in "$repo"/*) echo "e2e.sh: BENCH_DIR must not be inside the repository ($repo)" >&2; exit 2 ;; esac

w=$BENCH_DIR/work          # everything the runs write; deleted at the end
inbox=$w/inbox
ng=$w/nginx
flaskdir=$w/flask
out=$BENCH_DIR/results/e2e-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out/time-v"
rm -rf -- "$w"
mkdir -p "$w" "$ng/root" "$ng/tmp" "$flaskdir"

serve_pid= nginx_pid= flask_pid=
cleanup() {
  set +e
  for p in $serve_pid $nginx_pid $flask_pid; do kill "$p" 2>/dev/null; done
  for p in $serve_pid $nginx_pid $flask_pid; do wait "$p" 2>/dev/null; done
  rm -rf -- "$w"
  return 0
}
trap cleanup EXIT

mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s / 1e6 }'; }
reset_hwm() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || echo "e2e.sh: cannot reset the peak RSS of $1; VmHWM covers the whole run" >&2; }
wait_url() {  # url pid name
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { echo "e2e.sh: $3 exited; see $out/$3.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "e2e.sh: $3 did not answer $1 within 60 s" >&2; exit 1
}
wait_path() {  # path: until it exists (a receiver publishes by rename), at most 10 minutes
  for _ in $(seq 1 60000); do [[ -e $1 ]] && return 0; sleep 0.01; done
  echo "e2e.sh: $1 did not appear" >&2; exit 1
}
# while the JVM under /usr/bin/time (child of $1) lives, keep its latest thread-group ticks in $2
sample_threads() {
  local jpid=
  for _ in $(seq 1 200); do jpid=$(pgrep -P "$1" java || true); [[ -n $jpid ]] && break; sleep 0.05; done
  [[ -n $jpid ]] || return 0
  while kill -0 "$jpid" 2>/dev/null; do thread_ticks "$jpid" > "$2.tmp" 2>/dev/null && mv "$2.tmp" "$2"; sleep 0.3; done
}
# accumulate "group ticks" deltas: add_ticks BEFORE AFTER ACC
add_ticks() { join -t $'\t' -a 2 -e 0 -o '0,1.2,2.2' "$1" "$2" | awk -F'\t' '{ print $1 "\t" $3 - $2 }' >> "$3"; }
report_ticks() {  # file label
  local hz; hz=$(getconf CLK_TCK)
  log "  $2:"
  awk -F'\t' -v hz="$hz" '{ d[$1] += $2; t += $2 } END { for (k in d) if (d[k] > 0) printf "    %8.2f  %s\n", d[k] / hz, k; printf "    %8.2f  (total)\n", t / hz }' "$1" \
    | sort -rn | head -n 10 | tee -a "$out/summary.txt"
}

log "# e2e.sh $(date -u)"
caravan_version=$("$CARAVAN" --version 2>/dev/null | head -n1)
log "caravan: $CARAVAN ($caravan_version)  JAVA_OPTS=${JAVA_OPTS:-unset, the launcher default}"
log "machine: $(nproc) vCPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1), $(free -g | awk '/^Mem:/ { print $2 " GiB" }'), $(java -version 2>&1 | head -n1)"
flask_version=$("$PYTHON" -c 'from importlib.metadata import version; print(version("flask"), version("requests"))')
log "tools: $(zstd --version | head -n1); $(curl --version | head -n1 | cut -d' ' -f1-2); $(nginx -v 2>&1); $(openssl version | cut -d' ' -f1-2); Flask and requests $flask_version"
log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
log "parts: $PARTS; $ROUNDS rounds after one warm-up run per target, order rotated every round"

# --- servers -------------------------------------------------------------------------------------
serve_port=$(free_port)
"$CARAVAN" serve --host 127.0.0.1 --port "$serve_port" --root "$inbox" > "$out/serve.log" 2>&1 &
serve_pid=$!   # the launcher execs java: this is the receiver's JVM
serve_url=http://127.0.0.1:$serve_port
wait_url "$serve_url/health" "$serve_pid" serve

nginx_port=$(free_port)
{
  echo "daemon off; worker_processes 2; pid $ng/nginx.pid; error_log $ng/error.log warn;"
  (( $(id -u) == 0 )) && echo "user root root;"
  cat <<CONF
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $ng/tmp;
  proxy_temp_path $ng/tmp/proxy; fastcgi_temp_path $ng/tmp/fastcgi; uwsgi_temp_path $ng/tmp/uwsgi; scgi_temp_path $ng/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $ng/root;
    location = /health { return 200 "ok"; }
    location / {
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 0;
    }
  }
}
CONF
} > "$ng/nginx.conf"
nginx -e "$ng/error.log" -p "$ng" -c "$ng/nginx.conf" > "$out/nginx.log" 2>&1 &
nginx_pid=$!
nginx_url=http://127.0.0.1:$nginx_port
wait_url "$nginx_url/health" "$nginx_pid" nginx

flask_port=$(free_port)
"$PYTHON" "$here/peers/flask_server.py" "$flask_port" "$flaskdir" > "$out/flask.log" 2>&1 &
flask_pid=$!
wait_url "http://127.0.0.1:$flask_port/health" "$flask_pid" flask
log "servers: caravan serve pid $serve_pid :$serve_port (inbox $inbox); nginx pid $nginx_pid :$nginx_port; flask pid $flask_pid :$flask_port"
log ""

# --- one timed run: run_target PART TARGET TAG -> prints seconds; send's time -v in $out/time-v -------
acc_send=$w/send.ticks acc_serve=$w/serve.ticks
run_target() {
  local part=$1 target=$2 tag=$3 t0 s tv=$out/time-v/$1-$2-$3.txt
  case $part/$target in
    corpus/caravan)
      rm -rf -- "$w/state-$tag"
      find "$CORPUS_DIR" -type f -print0 | xargs -0 cat > /dev/null; sync
      thread_ticks "$serve_pid" > "$w/serve.before"
      t0=$(now)
      /usr/bin/time -v -o "$tv" "$CARAVAN" send "$CORPUS_DIR" "corpus-$tag" --to "$serve_url" --codec zstd --level 1 \
        --no-dedup --state-dir "$w/state-$tag" -q > "$out/send-corpus-$tag.log" 2>&1 &
      local tpid=$!
      sample_threads "$tpid" "$w/send.last" > /dev/null 2>&1 &
      local spid=$!
      [[ $tag == warm ]] || { sample_states "$serve_pid" "$tpid" "$w/serve.states.$part" > /dev/null 2>&1 & }
      local qpid=$!
      wait "$tpid" || { echo "e2e.sh: caravan send failed; see $out/send-corpus-$tag.log" >&2; exit 1; }
      wait_path "$inbox/corpus-$tag"
      s=$(elapsed "$t0")
      wait "$spid" "$qpid" || true ;;
    corpus/peer)
      rm -rf -- "$ng/root/parts" "$w/peer-dest"; mkdir -p "$w/peer-dest"
      find "$CORPUS_DIR" -type f -print0 | xargs -0 cat > /dev/null; sync
      t0=$(now)
      /usr/bin/time -v -o "$tv" bash -c '
        set -euo pipefail
        src=$1 url=$2 parts=$3 dest=$4 sums=$5
        rm -f "$sums".fifo*; mkfifo "$sums.fifo1" "$sums.fifo2"
        openssl sha256 -r < "$sums.fifo1" > "$sums.sent" & h=$!
        tar -cf - -C "$(dirname "$src")" "$(basename "$src")" | zstd -1 -T0 -q | tee "$sums.fifo1" \
          | split -b 8M -a 4 -d --filter "curl -sS --fail -T - $url/parts/\$FILE" - X.part
        wait $h
        openssl sha256 -r < "$sums.fifo2" > "$sums.received" & h=$!
        cat "$parts"/X.part* | tee "$sums.fifo2" | zstd -d -q | tar -x -C "$dest"
        wait $h
        rm -f "$sums".fifo*
        cmp -s "$sums.sent" "$sums.received" || { echo "digests differ" >&2; exit 1; }
      ' peer "$CORPUS_DIR" "$nginx_url" "$ng/root/parts" "$w/peer-dest" "$w/peer" > "$out/peer-corpus-$tag.log" 2>&1 \
        || { echo "e2e.sh: the peer pipeline failed; see $out/peer-corpus-$tag.log" >&2; exit 1; }
      s=$(elapsed "$t0") ;;
    big/caravan)
      rm -rf -- "$w/state-$tag"
      cat "$w/big.bin" > /dev/null; sync
      thread_ticks "$serve_pid" > "$w/serve.before"
      t0=$(now)
      /usr/bin/time -v -o "$tv" "$CARAVAN" send "$w/big.bin" "big-$tag" --to "$serve_url" --codec none \
        --no-dedup --state-dir "$w/state-$tag" -q > "$out/send-big-$tag.log" 2>&1 &
      local tpid=$!
      sample_threads "$tpid" "$w/send.last" > /dev/null 2>&1 &
      local spid=$!
      [[ $tag == warm ]] || { sample_states "$serve_pid" "$tpid" "$w/serve.states.$part" > /dev/null 2>&1 & }
      local qpid=$!
      wait "$tpid" || { echo "e2e.sh: caravan send failed; see $out/send-big-$tag.log" >&2; exit 1; }
      wait_path "$inbox/big-$tag"
      s=$(elapsed "$t0")
      wait "$spid" "$qpid" || true ;;
    big/flask)
      rm -rf -- "${flaskdir:?}"/*
      cat "$w/big.bin" > /dev/null; sync
      t0=$(now)
      /usr/bin/time -v -o "$tv" "$PYTHON" "$here/peers/flask_client.py" "$w/big.bin" "http://127.0.0.1:$flask_port" \
        > "$w/flask.final" 2> "$out/flask-client-$tag.log" || { echo "e2e.sh: the flask client failed" >&2; exit 1; }
      s=$(elapsed "$t0") ;;
    big/nginx)
      rm -rf -- "$ng/root/big"
      cat "$w/big.bin" > /dev/null; sync
      t0=$(now)
      /usr/bin/time -v -o "$tv" curl -sS --fail -T "$w/big.bin" "$nginx_url/big/big-$tag.bin" > /dev/null \
        || { echo "e2e.sh: curl -T to nginx failed" >&2; exit 1; }
      s=$(elapsed "$t0") ;;
  esac
  if [[ $target == caravan && $tag != warm ]]; then
    thread_ticks "$serve_pid" > "$w/serve.after"
    add_ticks "$w/serve.before" "$w/serve.after" "$acc_serve.$part"
    [[ -f $w/send.last ]] && awk -F'\t' '{ print $1 "\t" $2 }' "$w/send.last" >> "$acc_send.$part"
  fi
  rm -f "$w/send.last"
  echo "$s"
}
# outputs of the previous run of a target are deleted before its next run and after the part
clear_outputs() {
  rm -rf -- "$inbox"/corpus-* "$inbox"/big-* "$w"/peer-dest "$ng/root/parts" "$ng/root/big" "$w"/state-*
  rm -rf -- "${flaskdir:?}"/*
}

declare -A results=()
run_part() {  # part bytes targets...
  local part=$1 bytes=$2; shift 2
  local targets=("$@") round k target s
  reset_hwm "$serve_pid"
  : > "$acc_serve.$part"; : > "$acc_send.$part"
  for target in "${targets[@]}"; do
    s=$(run_target "$part" "$target" warm)
    log "warm-up $part/$target ${s}s"
  done
  check_part "$part"
  clear_outputs; sync
  for round in $(seq 1 "$ROUNDS"); do
    k=$(( (round - 1) % ${#targets[@]} ))
    for target in "${targets[@]:k}" "${targets[@]:0:k}"; do
      clear_outputs
      s=$(run_target "$part" "$target" "r$round")
      results[$part/$target]+="$s "
      local extra=""
      [[ $target == caravan ]] && extra="  send peak RSS $(mib "$(maxrss_kib "$out/time-v/$part-$target-r$round.txt")") MiB"
      log "round $round $part/$target ${s}s $(mbps "$bytes" "$s") MB/s$extra"
    done
  done
  clear_outputs; sync
  serve_hwm[$part]=$(hwm_kib "$serve_pid")
}
declare -A serve_hwm=()

check_part() {
  case $1 in
    corpus)
      diff -r "$CORPUS_DIR" "$inbox/corpus-warm" > "$out/diff-caravan.txt" 2>&1 \
        && log "check: caravan's tree ($inbox/corpus-warm) is identical to the corpus" \
        || { log "check: caravan's tree DIFFERS from the corpus (see $out/diff-caravan.txt)"; exit 1; }
      diff -r "$CORPUS_DIR" "$w/peer-dest/$(basename "$CORPUS_DIR")" > "$out/diff-peer.txt" 2>&1 \
        && log "check: the peer's tree is identical to the corpus" \
        || { log "check: the peer's tree DIFFERS from the corpus (see $out/diff-peer.txt)"; exit 1; } ;;
    big)
      cmp "$w/big.bin" "$inbox/big-warm" && cmp "$w/big.bin" "$(cat "$w/flask.final")" \
        && cmp "$w/big.bin" "$ng/root/big/big-warm.bin" \
        && log "check: caravan's, flask's and nginx's copies are identical to the source" \
        || { log "check: a copy of the big file DIFFERS from the source"; exit 1; } ;;
  esac
}

summary_line() {  # part target bytes
  local m; m=$(median ${results[$1/$2]})
  printf '%s' "$m"
}

if [[ " $PARTS " == *" corpus "* ]]; then
  "$here/corpus.sh" "$CORPUS_DIR" "$CORPUS_MIB"
  corpus_bytes=$(find "$CORPUS_DIR" -type f -printf '%s\n' | awk '{ t += $1 } END { printf "%d", t }')
  corpus_files=$(find "$CORPUS_DIR" -type f | wc -l)
  log "## corpus: $CORPUS_DIR, $corpus_files files, $corpus_bytes bytes ($(sed -n 2p "$CORPUS_DIR/.corpus-info"))"
  run_part corpus "$corpus_bytes" caravan peer
fi
if [[ " $PARTS " == *" big "* ]]; then
  big_bytes=$(( BIG_MIB * 1024 * 1024 ))
  echo "generating $BIG_MIB MiB of incompressible data ..." >&2
  ( set +o pipefail
    openssl enc -aes-256-ctr -nosalt -pass pass:caravan-bench-e2e -pbkdf2 -in /dev/zero 2>/dev/null | head -c "$big_bytes" > "$w/big.bin" )
  (( $(stat -c %s "$w/big.bin") == big_bytes )) || { echo "e2e.sh: generating the big file failed" >&2; exit 1; }
  log ""
  log "## big: one incompressible file of $big_bytes bytes"
  run_part big "$big_bytes" caravan flask nginx
fi

log ""
log "## summary (medians of $ROUNDS rounds; MB/s = 10^6 bytes of input per second; ratio = caravan MB/s / other MB/s)"
log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "| part | target | median s | MB/s | ratio caravan/target | goal | runs (s) |"
log "|---|---|---|---|---|---|---|"
if [[ -n ${results[corpus/caravan]:-} ]]; then
  c=$(median ${results[corpus/caravan]}); p=$(median ${results[corpus/peer]})
  log "| corpus | caravan send -> serve | $c | $(mbps "$corpus_bytes" "$c") | | | ${results[corpus/caravan]}|"
  log "| corpus | tar\\|zstd\\|split+curl -> nginx, cat\\|zstd -d\\|tar -x | $p | $(mbps "$corpus_bytes" "$p") | $(div "$p" "$c") | >= 1.0 (>= 0.8 minimum) | ${results[corpus/peer]}|"
fi
if [[ -n ${results[big/caravan]:-} ]]; then
  c=$(median ${results[big/caravan]}); f=$(median ${results[big/flask]}); n=$(median ${results[big/nginx]})
  log "| big | caravan send --codec none -> serve | $c | $(mbps "$big_bytes" "$c") | | | ${results[big/caravan]}|"
  log "| big | flask (seed 002) | $f | $(mbps "$big_bytes" "$f") | $(div "$f" "$c") | >= 2.5 | ${results[big/flask]}|"
  log "| big | curl -T -> nginx WebDAV | $n | $(mbps "$big_bytes" "$n") | $(div "$n" "$c") | >= 0.8 | ${results[big/nginx]}|"
fi
log ""
for part in $PARTS; do
  peaks=$(for f in "$out"/time-v/"$part"-caravan-r*.txt; do maxrss_kib "$f"; done | sort -n | tail -n1)
  log "peak RSS ($part): caravan send $(mib "$peaks") MiB (max over the timed runs, /usr/bin/time -v); caravan serve $(mib "${serve_hwm[$part]}") MiB (VmHWM over the part's runs)"
done
log ""
log "CPU seconds by thread group during the $ROUNDS timed caravan runs of each part ($(nproc) vCPUs):"
for part in $PARTS; do
  report_ticks "$acc_send.$part" "$part: caravan send (sampled every 0.3 s, last sample before exit)"
  report_ticks "$acc_serve.$part" "$part: caravan serve"
done
log ""
log "receiver threads seen running (R) or in uninterruptible disk wait (D), sampled every 0.2 s during the timed caravan runs:"
for part in $PARTS; do
  f=$w/serve.states.$part
  [[ -f $f ]] || continue
  n=$(grep -c '^-$' "$f" || true)
  log "  $part ($n samples; share of samples in which the group had a thread in that state):"
  awk -F'\t' -v n="$n" '$0 == "-" { for (k in seen) c[k]++; delete seen; next } { seen[$1 " " $2] = 1 }
    END { for (k in c) printf "    %5.1f%%  %s\n", 100 * c[k] / n, k }' "$f" | sort -rn | head -n 8 | tee -a "$out/summary.txt"
done
log "results: $out"
