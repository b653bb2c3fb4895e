#!/usr/bin/env bash
# corpus.sh DIR [SIZE_MIB] — builds the benchmark corpus that bench/pack.sh packs and unpacks.
#
# Goal: one deterministic, realistic mixed tree of about SIZE_MIB MiB (default 1024) so Caravan and
# its unix peer (tar | zstd | split) are compared on the same bytes:
#   text/    ~35% of the rest: generated log lines and CSV (compresses ~5-10x with zstd -1)
#   bin/     ~30% of the rest: real ELF binaries and libraries copied from /usr/lib/x86_64-linux-gnu,
#            /usr/lib/jvm and /usr/bin, taken in sorted path order until the budget is reached
#            (semi-compressible, ~2x; identical on machines of the same OS image; setuid bits dropped)
#   random/  ~35% of the rest: incompressible bytes from a seeded AES-256-CTR keystream (openssl)
#   small/   10,000 files of 1-8 KiB (two thirds text, one third random) in 1,000 nested folders
#            (small/aNN/bNN/cNN/), about 44 MiB: the per-file-cost part of the test
# Everything except bin/ is a pure function of the seeds below. The tree is reused if it was
# already generated with the same SIZE_MIB (marker DIR/.corpus-info); it is built in DIR.partial and
# renamed into place only once complete. Needs: awk, openssl, find, sort, tar, head.
set -euo pipefail

usage() { echo "usage: $0 DIR [SIZE_MIB]   (default SIZE_MIB 1024)" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
dir=${1%/}
size_mib=${2:-1024}
[[ $size_mib =~ ^[0-9]+$ ]] && (( size_mib >= 64 )) || { echo "corpus.sh: SIZE_MIB must be an integer >= 64" >&2; exit 2; }
small_files=10000
version=2
marker_line="caravan-bench-corpus v$version size_mib=$size_mib small_files=$small_files"

for tool in awk openssl find sort tar head sha256sum; do
  command -v "$tool" >/dev/null || { echo "corpus.sh: '$tool' is missing (apt-get install -y coreutils tar openssl mawk findutils)" >&2; exit 1; }
done

if [[ -f $dir/.corpus-info ]] && [[ $(head -n1 "$dir/.corpus-info") == "$marker_line" ]]; then
  echo "corpus.sh: reusing $dir ($(sed -n 2p "$dir/.corpus-info"))" >&2
  exit 0
fi
if [[ -e $dir ]]; then
  if [[ -f $dir/.corpus-info ]]; then
    echo "corpus.sh: $dir holds a corpus of other parameters; removing it" >&2
    rm -rf -- "$dir"
  else
    echo "corpus.sh: $dir exists and is not a corpus made by this script; remove it or choose another DIR" >&2
    exit 1
  fi
fi

work=$dir.partial
rm -rf -- "$work"
mkdir -p "$work"/{text,bin,random,small}
mib=$((1024 * 1024))

# Seeded keystream: AES-256-CTR over zeros, key and IV derived from the seed string.
keystream() { # SEED BYTES
  local key iv
  key=$(printf '%s' "key-$1" | sha256sum | cut -c1-64)
  iv=$(printf '%s' "iv-$1" | sha256sum | cut -c1-32)
  # openssl dies of SIGPIPE when head has enough: that is the normal end (sizes are checked below)
  { openssl enc -aes-256-ctr -K "$key" -iv "$iv" </dev/zero 2>/dev/null || true; } | head -c "$2"
}

# ---- small files: sizes and paths first (deterministic), then contents --------------------------
echo "corpus.sh: generating $small_files small files ..." >&2
awk -v n="$small_files" 'BEGIN {
  srand(7001)
  for (i = 0; i < n; i++) {
    d = int(i / 10)
    size = 1024 + int(rand() * 7169)            # 1 KiB .. 8 KiB
    kind = (i % 3 == 2) ? "bin" : "txt"
    ext = (kind == "bin") ? ".dat" : (i % 3 == 0 ? ".java" : ".md")
    printf "%d %s small/a%02d/b%02d/c%02d/f%05d%s\n", size, kind, int(d / 100), int(d / 10) % 10, d % 10, i, ext
  }
}' > "$work.small-list"
awk '{ sub(/\/[^\/]*$/, "", $3); print $3 }' "$work.small-list" | sort -u | (cd "$work" && xargs mkdir -p)
# text small files: source-like lines written by awk, cut at the exact size
awk -v root="$work" 'BEGIN {
  srand(7002)
  nw = split("public private static final class interface return void int long String List Map new if else for while try catch throw import package override this null true false buffer stream chunk part manifest digest codec level size offset entry folder file path link mode time route exchange body header", w, " ")
}
$2 == "txt" {
  path = root "/" $3; want = $1; s = ""
  while (length(s) < want) {
    indent = substr("                ", 1, 4 * int(rand() * 4))
    line = indent
    k = 3 + int(rand() * 9)
    for (j = 0; j < k; j++) line = line w[1 + int(rand() * nw)] (j + 1 < k ? " " : "")
    s = s line (rand() < 0.3 ? ";" : "") "\n"
  }
  printf "%s", substr(s, 1, want) > path
  close(path)
}' "$work.small-list"
# binary small files: consecutive slices of one seeded keystream (head -c reads exactly N bytes)
awk '$2 == "bin" { total += $1 } END { print total }' "$work.small-list" > "$work.small-total"
keystream small "$(cat "$work.small-total")" > "$work.small-pool"
awk '$2 == "bin" { print $1, $3 }' "$work.small-list" | {
  exec 3<"$work.small-pool"
  while read -r size path; do head -c "$size" <&3 > "$work/$path"; done
}
rm -f "$work.small-list" "$work.small-total" "$work.small-pool"

small_bytes=$(find "$work/small" -type f -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }')
rest=$(( size_mib * mib - small_bytes ))
(( rest > 0 )) || { echo "corpus.sh: SIZE_MIB too small for $small_files small files" >&2; exit 2; }
text_budget=$(( rest * 35 / 100 ))
bin_budget=$(( rest * 30 / 100 ))
random_budget=$(( rest - text_budget - bin_budget ))

# ---- text: log lines and CSV in 40 files of varied size ----------------------------------------
echo "corpus.sh: generating $((text_budget / mib)) MiB of text ..." >&2
awk -v root="$work/text" -v budget="$text_budget" 'BEGIN {
  srand(7003)
  nf = 40; tw = 0
  for (i = 0; i < nf; i++) { wt[i] = 1 + (i * 7) % 13; tw += wt[i] }
  nlev = split("INFO INFO INFO INFO DEBUG DEBUG WARN ERROR TRACE INFO", lev, " ")
  ncomp = split("io.caravan.pack.Packer io.caravan.unpack.Unpacker org.apache.camel.impl.engine.DefaultRoute org.apache.camel.component.file.FileConsumer io.caravan.transfer.Uploader io.caravan.transfer.Receiver com.example.billing.InvoiceService com.example.auth.TokenFilter", comp, " ")
  nw = split("the a chunk part parcel manifest upload download retry verified checksum mismatch received sent queued started finished failed timeout connection peer route exchange file folder bytes record customer order invoice account session token expired refreshed cache hit miss database query slow pool waiting idle", w, " ")
  nu = split("alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter", user, " ")
  t = 1767225600; done = 0
  for (i = 0; i < nf; i++) {
    want = (i == nf - 1) ? budget - done : int(budget * wt[i] / tw)
    csv = (i % 5 == 4)
    path = sprintf("%s/%s-%02d.%s", root, csv ? "export" : "app", i, csv ? "csv" : "log")
    got = 0
    if (csv) { hdr = "id,timestamp,customer,amount,currency,status,region\n"; printf "%s", hdr > path; got += length(hdr) }
    while (got < want) {
      t += int(rand() * 3)
      if (csv) {
        line = sprintf("%d,%d,%s,%d.%02d,%s,%s,%s\n", 100000 + int(got / 7), t, user[1 + int(rand() * nu)], int(rand() * 5000), int(rand() * 100), rand() < 0.8 ? "EUR" : "USD", rand() < 0.9 ? "paid" : "open", rand() < 0.5 ? "eu-west" : "us-east")
      } else {
        msg = ""
        k = 4 + int(rand() * 10)
        for (j = 0; j < k; j++) msg = msg " " w[1 + int(rand() * nw)]
        line = sprintf("%s.%03dZ %-5s [worker-%d] %s -%s (user=%s, id=%d, took=%dms)\n", strftime_(t), int(rand() * 1000), lev[1 + int(rand() * nlev)], int(rand() * 16), comp[1 + int(rand() * ncomp)], msg, user[1 + int(rand() * nu)], int(rand() * 1000000), int(rand() * 900))
      }
      if (got + length(line) > want) line = substr(line, 1, want - got)
      printf "%s", line > path
      got += length(line)
    }
    close(path)
    done += got
  }
}
# awk has no portable strftime: a fixed-format timestamp from seconds since 2026-01-01
function strftime_(s,   d, h, m, x) {
  x = s - 1767225600; d = int(x / 86400); x -= d * 86400; h = int(x / 3600); m = int((x % 3600) / 60)
  return sprintf("2026-%02d-%02dT%02d:%02d:%02d", 1 + int(d / 28) % 12, 1 + d % 28, h, m, x % 60)
}'

# ---- bin: real binaries, sorted by path, until the budget --------------------------------------
echo "corpus.sh: copying $((bin_budget / mib)) MiB of system binaries ..." >&2
find /usr/lib/x86_64-linux-gnu /usr/lib/jvm /usr/bin -type f -size +4k -readable -printf '%s %p\n' 2>/dev/null \
  | LC_ALL=C sort -k2 \
  | awk -v budget="$bin_budget" '{ if (t + $1 <= budget) { t += $1; sub(/^[0-9]+ \//, ""); print } }' > "$work.bin-list"
tar -cf - -C / --no-recursion -T "$work.bin-list" | tar -xf - -C "$work/bin"
bin_bytes=$(find "$work/bin" -type f -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }')
rm -f "$work.bin-list"
# no setuid/setgid programs in a scratch tree (Caravan would also warn about and drop those bits)
chmod -R u-s,g-s "$work/bin"
# top up with seeded semi-compressible data (hex text of random bytes, ~2x) if the system is small
if (( bin_bytes < bin_budget )); then
  { keystream bin-topup $(( (bin_budget - bin_bytes) / 2 + 1 )) | od -An -v -tx1 | tr -d ' \n' || true; } \
    | head -c $(( bin_budget - bin_bytes )) > "$work/bin/topup.hex"
fi

# ---- random: incompressible, 6 files from 5% to 40% of the budget -------------------------------
echo "corpus.sh: generating $((random_budget / mib)) MiB of incompressible data ..." >&2
weights=(40 25 15 10 5 5)
done_bytes=0
for i in "${!weights[@]}"; do
  if (( i == ${#weights[@]} - 1 )); then n=$(( random_budget - done_bytes )); else n=$(( random_budget * weights[i] / 100 )); fi
  keystream "random-$i" "$n" > "$work/random/blob-$i.bin"
  done_bytes=$(( done_bytes + n ))
done

# ---- marker and publish --------------------------------------------------------------------------
files=$(find "$work" -type f | wc -l)
bytes=$(find "$work" -type f -printf '%s\n' | awk '{ t += $1 } END { printf "%d", t }')
if (( bytes != size_mib * mib )); then
  echo "corpus.sh: generated $bytes bytes instead of $(( size_mib * mib )): a generator failed; $work kept for a look" >&2
  exit 1
fi
{
  echo "$marker_line"
  echo "$files files, $bytes bytes ($(( bytes / mib )) MiB): text $(( text_budget / mib )) MiB, bin $(( bin_budget / mib )) MiB, random $(( random_budget / mib )) MiB, small $small_files files $(( small_bytes / 1024 )) KiB"
  echo "generated $(date -u +%Y-%m-%dT%H:%M:%SZ) by bench/corpus.sh"
} > "$work/.corpus-info"
mv -- "$work" "$dir"
echo "corpus.sh: done: $dir ($(sed -n 2p "$dir/.corpus-info"))" >&2
