#!/bin/sh
# Starts JShell with oidc-ecr on the class path and its facade imported:
#   examples/jshell/jshell.sh                  interactive
#   examples/jshell/jshell.sh --fake           also import the fakes (FakeAws, FakeOidcIssuer)
#   examples/jshell/jshell.sh --fake FILE.jsh  run a script
# Builds the project first when examples/target/lib is missing (set OIDC_ECR_REBUILD=1 to force).
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -d "$root/examples/target/lib" ] || [ -n "$OIDC_ECR_REBUILD" ]; then
  (cd "$root" && ./mvnw -B -q -DskipTests package) >&2
fi
cp="$root/examples/target/oidc-ecr-examples.jar"
for jar in "$root"/examples/target/lib/*.jar; do cp="$cp:$jar"; done
startup="--startup DEFAULT --startup $here/startup.jsh"
if [ "$1" = "--fake" ]; then
  startup="$startup --startup $here/fake.jsh"
  shift
fi
jshell=jshell
[ -n "$JAVA_HOME" ] && jshell="$JAVA_HOME/bin/jshell"
# shellcheck disable=SC2086
exec "$jshell" --class-path "$cp" $startup "$@"
