#!/bin/sh
# Builds the jars twice from clean and compares them byte for byte (reproducible builds: the
# timestamp of every entry is project.build.outputTimestamp). Not part of .ci/run: two full
# packages take minutes on a busy machine. Run: sh .ci/reproducible.sh
set -eu
cd "$(dirname "$0")/.."
out=${TMPDIR:-/tmp}/oidc-ecr-reproducible.$$
mkdir -p "$out/first"
trap 'rm -rf "$out"' EXIT
build() {
  ./mvnw -B -q -o clean package -DskipTests -Doidc-ecr.cds.skip=true >"$out/build.log" 2>&1 \
    || { cat "$out/build.log"; exit 1; }
}
build
# testing/ is left out: its pom explains why its jars are not reproducible yet.
for jar in policies/target/*.jar core/target/*.jar; do
  cp "$jar" "$out/first/"
done
build
status=0
for jar in "$out"/first/*.jar; do
  name=$(basename "$jar")
  again=$(ls policies/target/"$name" core/target/"$name" 2>/dev/null | head -1)
  if cmp -s "$jar" "$again"; then
    echo "same      $name"
  else
    echo "DIFFERENT $name"
    status=1
  fi
done
exit $status
