#!/usr/bin/env bash
# A load run against the standalone fake AWS that records its memory: the fake's RSS (VmRSS of
# /proc/<pid>/status) sampled every 10 s while a client process (FakeLoad, in the testing
# module's test classes) runs `threads` loops of AssumeRoleWithWebIdentity,
# GetAuthorizationToken and a chunked registry blob upload (POST, PATCH, PUT) for `seconds`.
#
# Usage (from the repository root):
#   ./mvnw -B -o -q -pl testing -am package -DskipTests
#   examples/benchmarks/fake-load.sh [seconds] [threads]     # default 300 s, 8 threads
#   FAKE_JAVA_OPTS=-Xmx256m examples/benchmarks/fake-load.sh  # JVM options for the fake
# Prints each RSS sample, then RSS first/peak/last, the client's calls per second, and (with
# jcmd) the fake's live heap after a full GC at the end: RSS alone also counts garbage the
# JVM has not collected yet, and the default heap may grow to a quarter of the machine's RAM.
# Not part of the test suite. Only 127.0.0.1 is contacted.
set -euo pipefail

seconds=${1:-300}
threads=${2:-8}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fake_jar=$(ls testing/target/oidc-ecr-testing-*-standalone.jar 2>/dev/null | head -1)
[ -n "$fake_jar" ] || { echo "fake-load: no standalone jar: run ./mvnw -B -o -q -pl testing -am package -DskipTests" >&2; exit 2; }

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# test-compile in the same reactor, so that the sibling modules resolve to their classes.
./mvnw -B -o -q -pl testing -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >/dev/null
# Copies, so that a rebuild during the run does not change what runs.
cp -r testing/target/test-classes "$work/test-classes"
cp -r testing/target/classes "$work/classes"
cp "$fake_jar" "$work/fake.jar"
cp="$work/test-classes:$work/classes:$(cat "$work/cp.txt")"

# shellcheck disable=SC2086 # FAKE_JAVA_OPTS holds several options
java ${FAKE_JAVA_OPTS:-} -jar "$work/fake.jar" --port 0 >"$work/info.json" 2>"$work/fake.err" &
pid=$!
for _ in $(seq 300); do [ -s "$work/info.json" ] && break; sleep 0.1; done
[ -s "$work/info.json" ] || { echo "fake-load: the fake did not start: $(head -c 300 "$work/fake.err")" >&2; exit 1; }

rss() { awk '/^VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
samples=("$(rss)")
echo "fake pid $pid, RSS at start ${samples[0]} MiB; load: $threads threads for $seconds s"
java -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn dev.oidcecr.testing.bench.FakeLoad \
  "$work/info.json" "$threads" "$seconds" >"$work/client.out" 2>"$work/client.err" &
client=$!
elapsed=0
while kill -0 "$client" 2>/dev/null; do
  sleep 10
  elapsed=$((elapsed + 10))
  samples+=("$(rss)")
  echo "t=${elapsed}s RSS ${samples[-1]} MiB"
done
wait "$client" || { echo "fake-load: the client failed: $(tail -5 "$work/client.err")" >&2; exit 1; }
cat "$work/client.out"
[ -s "$work/client.err" ] && head -5 "$work/client.err"
if command -v jcmd >/dev/null; then
  jcmd "$pid" GC.run >/dev/null
  echo "live heap after a full GC: $(jcmd "$pid" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") print $(i + 1); exit}')"
fi
peak=$(printf '%s\n' "${samples[@]}" | sort -n | tail -1)
echo "RSS (MiB): start ${samples[0]}, first under load ${samples[1]:-?}, peak $peak, last ${samples[-1]}"
echo "fake JVM options: ${FAKE_JAVA_OPTS:-(none)}; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
