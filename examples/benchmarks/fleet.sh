#!/usr/bin/env bash
# Fleet simulation: 2,000 workspaces pulling images over one simulated day through the credential
# helper's cache against the in-process fake (dev.oidcecr.examples.benchmarks.FleetSimulation).
# Prints the Markdown table recorded in BENCHMARKS.md ("Fleet simulation").
#
# Usage (from the repository root, after `./mvnw -B -o -q -pl examples -am package -DskipTests`):
#   examples/benchmarks/fleet.sh                        # 2,000 workspaces, seed 42
#   examples/benchmarks/fleet.sh --workspaces 500 --seed 7
#   examples/benchmarks/fleet.sh --no-manifests         # skip the registry GET after each get
# The JVM runs with C1 only (-XX:TieredStopAtLevel=1): the run is short and C2's compilations
# cost more CPU than they save here.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
jar="$root/examples/target/oidc-ecr-examples.jar"
[ -f "$jar" ] || { echo "fleet.sh: no $jar: run ./mvnw -B -o -q -pl examples -am package -DskipTests first" >&2; exit 2; }
exec java -XX:TieredStopAtLevel=1 -Xmx1g -cp "$jar:$root/examples/target/lib/*" \
    dev.oidcecr.examples.benchmarks.FleetSimulation "$@"
