#!/usr/bin/env bash
# Start-up of the standalone fake AWS against moto_server, side by side on this machine: the
# time from launching the process to its first HTTP answer (an STS GetCallerIdentity POST to /),
# polled every 10 ms with curl. Three sides, interleaved run by run:
#   fake      java -jar oidc-ecr-testing-<version>-standalone.jar --port P
#   fake+cds  the same with an AppCDS archive (-XX:SharedArchiveFile), trained once by this script
#             with the jar's own recipe: java -XX:ArchiveClassesAtExit=fake.jsa -jar <jar> --train
#   moto      moto_server -p P (moto's standalone server), when python3 can import moto
#
# Usage (from the repository root, after `./mvnw -B -o package -DskipTests`):
#   examples/benchmarks/fake-startup.sh [runs]      # default 10 runs of each side
# Prints the median and the mean of each side in milliseconds, and the ratio to moto.
# Only 127.0.0.1 is contacted.
set -euo pipefail

runs=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
fake_jar=$(ls "$root"/testing/target/oidc-ecr-testing-*-standalone.jar 2>/dev/null | head -1)
[ -n "$fake_jar" ] || { echo "fake-startup: no standalone jar in testing/target: run ./mvnw -B package -DskipTests first" >&2; exit 2; }
command -v curl >/dev/null || { echo "fake-startup: needs curl" >&2; exit 2; }
have_moto=no
if python3 -c 'import moto' 2>/dev/null && command -v moto_server >/dev/null; then
  have_moto=yes
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { date +%s%3N; }

# Starts "$@" (with PORT replaced), waits for its first answer, prints the milliseconds taken.
first_answer() {
  local port start cmd=()
  port=$(free_port)
  for a in "$@"; do cmd+=("${a//PORT/$port}"); done
  start=$(now_ms)
  "${cmd[@]}" >"$work/out" 2>"$work/err" &
  pid=$!
  until curl -s -o /dev/null --max-time 1 -X POST "http://127.0.0.1:$port/" \
      -d 'Action=GetCallerIdentity&Version=2011-06-15'; do
    kill -0 "$pid" 2>/dev/null || { echo "fake-startup: ${cmd[*]} exited: $(head -c 300 "$work/err")" >&2; exit 1; }
    sleep 0.01
  done
  echo $(( $(now_ms) - start ))
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}

# Train the AppCDS archive once, as a user would: --train serves a client's first requests to
# itself on free ports and exits, and the JVM dumps the archive at that exit.
jsa="$work/fake.jsa"
java -XX:ArchiveClassesAtExit="$jsa" -jar "$fake_jar" --train >"$work/train.out" 2>&1 \
  || { echo "fake-startup: the --train run failed: $(tail -c 300 "$work/train.out")" >&2; exit 1; }
[ -s "$jsa" ] || { echo "fake-startup: the CDS training run dumped no archive" >&2; exit 1; }

declare -a fake=() cds=() moto=()
for _ in $(seq "$runs"); do
  fake+=("$(first_answer java -jar "$fake_jar" --port PORT)")
  cds+=("$(first_answer java -XX:SharedArchiveFile="$jsa" -Xshare:auto -jar "$fake_jar" --port PORT)")
  if [ "$have_moto" = yes ]; then
    moto+=("$(first_answer moto_server -p PORT)")
  fi
done

stats() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1; s+=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%d %d", m, s/NR}'
}
read -r fm fa <<<"$(stats "${fake[@]}")"
read -r cm ca <<<"$(stats "${cds[@]}")"
echo "runs: $runs each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s median %5d ms  mean %5d ms\n' fake "$fm" "$fa" fake+cds "$cm" "$ca"
if [ "$have_moto" = yes ]; then
  read -r mm ma <<<"$(stats "${moto[@]}")"
  printf '%-10s median %5d ms  mean %5d ms  (moto %s)\n' moto "$mm" "$ma" \
    "$(python3 -c 'import moto; print(moto.__version__)')"
  awk -v f="$fm" -v c="$cm" -v m="$mm" 'BEGIN {printf "median ratio to moto: fake %.2fx, fake+cds %.2fx\n", f/m, c/m}'
else
  echo "moto: not installed (python3 -c 'import moto' failed): no comparison"
fi
