#!/bin/sh
# Builds every module twice from clean with the release profile's artifacts (binary, sources and
# javadoc jars, the testing module's standalone jar, the examples jar, core's distribution
# archives) and compares each of them byte for byte: every zip entry gets the time
# project.build.outputTimestamp. Each jar is also checked to be a readable zip, since a broken
# shade once wrote corrupt jars with a fixed entry time. Signing (verify) is not run: signatures
# are not expected to be reproducible. Not part of .ci/run: two full packages take minutes on a
# busy machine. Run: sh .ci/reproducible.sh   (MVN_ARGS="-o" by default; set MVN_ARGS= online)
set -eu
cd "$(dirname "$0")/.."
out=${TMPDIR:-/tmp}/oidc-ecr-reproducible.$$
mkdir -p "$out/first"
trap 'rm -rf "$out"' EXIT
build() {
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVN_ARGS--o} -P release clean package -DskipTests -Doidc-ecr.cds.skip=true \
    >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
}
artifacts() {
  ls -1 ./*/target/*.jar ./*/target/*.tar.gz ./*/target/*.zip 2>/dev/null | sort
}
build
artifacts >"$out/first.list"
if [ ! -s "$out/first.list" ]; then
  echo "The build made no jar: nothing to compare." >&2
  exit 1
fi
while read -r f; do
  mkdir -p "$out/first/$(dirname "$f")"
  cp "$f" "$out/first/$f"
done <"$out/first.list"
build
artifacts >"$out/second.list"
status=0
if ! cmp -s "$out/first.list" "$out/second.list"; then
  echo "The two builds made different sets of artifacts:"
  diff "$out/first.list" "$out/second.list" || true
  status=1
fi
while read -r f; do
  if [ ! -f "$f" ]; then
    continue
  fi
  case "$f" in
    *.jar | *.zip)
      if ! unzip -tqq "$f" >/dev/null 2>&1; then
        echo "CORRUPT   $f (unzip -t fails)"
        status=1
        continue
      fi
      ;;
  esac
  if cmp -s "$out/first/$f" "$f"; then
    echo "same      $f"
  else
    echo "DIFFERENT $f"
    status=1
  fi
done <"$out/first.list"
exit $status
