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
