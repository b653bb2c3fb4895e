# lib.sh — helpers shared by the benchmark scripts (sourced; expects $out for log).
log() { echo "$*" | tee -a "$out/summary.txt"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
maxrss_kib() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
proc_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# KiB -> whole MiB
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
free_port() { "${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Samplers run while something is timed: they read /proc with bash builtins only (no process per
# thread; forking cat/sed/awk for each of a JVM's threads every 0.2 s took a good part of a vCPU).
shopt -s extglob
# CPU ticks (user + system) of each thread group of process $1 (thread names with digits as N), sorted by group
thread_ticks() {
  local t comm stat f
  for t in /proc/"$1"/task/*; do
    { read -r comm < "$t/comm" && read -r stat < "$t/stat"; } 2>/dev/null || continue
    read -ra f <<< "${stat##*) }"
    printf '%s\t%s\n' "${comm//+([0-9])/N}" "$(( f[11] + f[12] ))"
  done | awk -F'\t' '{ s[$1] += $2 } END { for (k in s) print k "\t" s[k] }' | sort -t $'\t' -k1,1
}
# while process $2 lives, every 0.2 s append "group<TAB>state" of each thread of $1 in R or D state
# (running / uninterruptible, i.e. mostly disk waits such as fsync) to $3, then a "-" line: a poor man's `top -H`
sample_states() {
  local t comm stat
  while kill -0 "$2" 2>/dev/null; do
    for t in /proc/"$1"/task/*; do
      { read -r comm < "$t/comm" && read -r stat < "$t/stat"; } 2>/dev/null || continue
      stat=${stat##*) }; stat=${stat%% *}
      [[ $stat == R || $stat == D ]] && printf '%s\t%s\n' "${comm//+([0-9])/N}" "$stat"
    done >> "$3"
    echo "-" >> "$3"
    sleep 0.2
  done
}

# --- helpers of peers.sh and link.sh (usable by any script; each needs $out for log) ----------------
# MB/s of $1 bytes in $2 seconds (10^6 bytes)
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s / 1e6 }'; }
# the items $2... rotated left by $1 places, one a line: round r runs `rotated $((r - 1)) a b c`
rotated() { local k=$1; shift; local a=("$@"); k=$(( k % ${#a[@]} )); printf '%s\n' "${a[@]:k}" "${a[@]:0:k}"; }
# zero the peak RSS (VmHWM) of process $1, so that it covers only what runs from now on
reset_hwm() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || echo "cannot reset the peak RSS of $1; its VmHWM covers its whole life" >&2; }
# read a file or every file under a folder once (warm page cache), then write back what is dirty
warm_cache() { find "$@" -type f -print0 | xargs -0 cat > /dev/null; sync; }
# the tools a script needs, or a message naming them and the apt-get line, and exit 1: need NAME "apt packages" tool...
need() {
  local name=$1 pkgs=$2 miss=() t; shift 2
  for t in "$@"; do command -v "$t" > /dev/null || miss+=("$t"); done
  (( ${#miss[@]} == 0 )) && return 0
  echo "$name: missing: ${miss[*]}" >&2
  echo "  install with: apt-get update && apt-get install -y $pkgs" >&2
  exit 1
}
# CARAVAN=<absolute launcher>; when it is this repository's launcher, build target/caravan.jar offline
# (mvn -q -o package -DskipTests) if it is missing or older than the sources, as the launcher would, so
# that no timed run starts with a build. Usage: caravan_launcher NAME (NAME prefixes the messages).
caravan_launcher() {
  local root
  CARAVAN=${CARAVAN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/caravan}
  [[ -x $CARAVAN ]] || { echo "$1: CARAVAN=$CARAVAN is not an executable launcher" >&2; exit 1; }
  CARAVAN=$(cd "$(dirname "$CARAVAN")" && pwd)/$(basename "$CARAVAN")
  root=$(dirname "$CARAVAN")
  if [[ -f $root/pom.xml ]] && { [[ ! -f $root/target/caravan.jar ]] \
      || [[ -n $(find "$root/pom.xml" "$root/src/main" -newer "$root/target/caravan.jar" -print -quit 2>/dev/null) ]]; }; then
    echo "$1: building $root/target/caravan.jar (mvn -q -o package -DskipTests) ..." >&2
    (cd "$root" && mvn -q -o package -DskipTests >&2) || { echo "$1: the build failed" >&2; exit 1; }
  fi
}
# an incompressible file of $2 MiB at $1 (seeded AES-256-CTR keystream, seed $3); kept if it has the size
make_big() {
  local bytes=$(( $2 * 1024 * 1024 ))
  [[ -f $1 && $(stat -c %s "$1") == "$bytes" ]] && return 0
  echo "generating $2 MiB of incompressible data in $1 ..." >&2
  # openssl dies of SIGPIPE when head has enough: the normal end (the size is checked below)
  { openssl enc -aes-256-ctr -nosalt -pass "pass:$3" -pbkdf2 -in /dev/zero 2>/dev/null || true; } | head -c "$bytes" > "$1.partial"
  [[ $(stat -c %s "$1.partial") == "$bytes" ]] || { echo "generating $1 failed" >&2; exit 1; }
  mv -- "$1.partial" "$1"
}
# bytes and files of a tree
tree_bytes() { find "$1" -type f -printf '%s\n' | awk '{ t += $1 } END { printf "%d", t }'; }
tree_files() { find "$1" -type f | wc -l; }
# until URL $1 answers (curl -f, extra curl arguments after $4), while process $2 lives; $3 names it,
# $4 is a command prefix run before curl (e.g. "ip netns exec NS"; "" for none). At most 60 s.
wait_http() {
  local url=$1 pid=$2 name=$3 pre=$4; shift 4
  for _ in $(seq 1 600); do
    $pre curl -fsS -o /dev/null "$@" "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$name exited; see $out/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not answer $url within 60 s" >&2; exit 1
}
# until path $1 exists (receivers publish by rename), at most 10 minutes
wait_path() {
  for _ in $(seq 1 60000); do [[ -e $1 ]] && return 0; sleep 0.01; done
  echo "$1 did not appear" >&2; exit 1
}
# until process $1 stops using CPU (less than 2 ticks in 0.5 s), at most 60 s: a receiver's work after
# a publish (such as indexing what it published) must not fall into the next tool's timed run
wait_idle() {
  local a b
  for _ in $(seq 1 120); do
    a=$(proc_ticks "$1") || return 0; sleep 0.5; b=$(proc_ticks "$1") || return 0
    (( b - a < 2 )) && return 0
  done
  echo "process $1 still busy after 60 s; going on" >&2
}
# rsyncd.conf for one writable module "mod" at folder $2, written to $1 (uid/gid root when run as root,
# or the daemon cannot write as the nobody it switches to)
rsyncd_conf() {
  {
    echo "pid file = $1.pid"
    echo "log file = $1.log"
    echo "use chroot = no"
    echo "[mod]"
    echo "  path = $2"
    echo "  read only = false"
    if (( $(id -u) == 0 )); then echo "  uid = root"; echo "  gid = root"; fi
  } > "$1"
}
# until an rsync daemon lists its modules at rsync://$1:$2/, while process $3 lives; $4: command prefix
wait_rsyncd() {
  for _ in $(seq 1 100); do
    $4 rsync "rsync://$1:$2/" > /dev/null 2>&1 && return 0
    kill -0 "$3" 2>/dev/null || { echo "rsync --daemon exited; see its log in $out" >&2; exit 1; }
    sleep 0.1
  done
  echo "rsync --daemon did not answer on $1:$2" >&2; exit 1
}
# the peak RSS in MiB over the /usr/bin/time -v files given
max_rss_mib() { local f; for f in "$@"; do maxrss_kib "$f"; done | sort -n | tail -n1 | { read -r k; mib "${k:-0}"; }; }
# user + system CPU seconds in a /usr/bin/time -v file
cpu_s() { awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$1"; }
# tool $2 from Debian package $3, installed with apt-get when missing and running as root; $1 names the script
apt_tool() {
  command -v "$2" > /dev/null && return 0
  (( $(id -u) == 0 )) || { echo "$1: '$2' is missing: apt-get install -y $3" >&2; exit 1; }
  echo "$1: installing $3 (apt-get) ..." >&2
  { apt-get install -y "$3" || { apt-get update && apt-get install -y "$3"; }; } > "$out/apt-$3.log" 2>&1 \
    || { echo "$1: apt-get install $3 failed; see $out/apt-$3.log" >&2; exit 1; }
}
# median seconds of 3 bare starts of the launcher (`caravan --version`): the JVM start-up within each send
# jit_cpu_s CMD...: the JIT compilers' CPU seconds (HotSpot's -XX:+CITime total) in one run of CMD, a caravan
# command line; printed as a bound beside the figures: a short-lived JVM compiles its hot code while it works,
# on the same 2 vCPUs (the SHA-256 instructions are only used once C2 has compiled the digest's loop).
jit_cpu_s() {
  JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:+CITime" "$@" 2>&1 | sed -n 's/^ *Total compilation time *: *\([0-9.]*\) s.*/\1/p' | head -n1
}
launcher_start_s() { local t0 v=(); for _ in 1 2 3; do t0=$(now); "$CARAVAN" --version > /dev/null; v+=("$(elapsed "$t0")"); done; median "${v[@]}"; }

# shaped_link TX RX TX_IF RX_IF SENDER_IP RECEIVER_IP RATE: two network namespaces joined by a veth pair
# (SENDER_IP/30 in TX, RECEIVER_IP/30 in RX), each end shaped by `tc ... tbf rate RATE` (this kernel has tbf,
# not netem). The caller records TX and RX in made_ns before calling, so its cleanup deletes them (deleting a
# namespace deletes its veth end).
shaped_link() {
  local tx=$1 rx=$2 tx_if=$3 rx_if=$4 sender_ip=$5 receiver_ip=$6 rate=$7
  ip netns add "$tx"
  ip netns add "$rx"
  ip link add "$tx_if" type veth peer name "$rx_if"
  ip link set "$tx_if" netns "$tx"
  ip link set "$rx_if" netns "$rx"
  ip -n "$tx" addr add "$sender_ip/30" dev "$tx_if"
  ip -n "$rx" addr add "$receiver_ip/30" dev "$rx_if"
  local ns
  for ns in "$tx" "$rx"; do ip -n "$ns" link set lo up; done
  ip -n "$tx" link set "$tx_if" up
  ip -n "$rx" link set "$rx_if" up
  ip netns exec "$tx" tc qdisc add dev "$tx_if" root tbf rate "$rate" burst 256kbit latency 50ms
  ip netns exec "$rx" tc qdisc add dev "$rx_if" root tbf rate "$rate" burst 256kbit latency 50ms
}
