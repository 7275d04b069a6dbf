#!/usr/bin/env bash
# Cold login, side by side: a new `oidc-ecr login` JVM (token file to Docker auth written) against
# the AWS CLI doing the same two steps (sts assume-role-with-web-identity, then
# ecr get-login-password with the session's credentials), both against one standalone fake AWS.
#
# Usage (from the repository root, after `./mvnw -B package -DskipTests`):
#   examples/benchmarks/cold-login.sh [runs]        # default 10 runs of each side, interleaved
# Environment:
#   AWS_CLI            the AWS CLI to compare with (default: aws on PATH), e.g. /usr/bin/aws
#   OIDC_ECR           the launcher (default: core/target/oidc-ecr/bin/oidc-ecr)
#   OIDC_ECR_JAVA_OPTS extra JVM options for the launcher (to compare settings)
#
# Prints, for each side, the median and mean wall time and the median CPU time (user + system,
# of the process and its children): on a loaded machine the CPU time is the steadier figure.
# Only 127.0.0.1 is contacted: the fake binds it, and both clients get it as endpoint.
set -euo pipefail

runs=${1:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
aws_cli=${AWS_CLI:-aws}
launcher=${OIDC_ECR:-$root/core/target/oidc-ecr/bin/oidc-ecr}
[ -x "$launcher" ] || { echo "cold-login: no launcher at $launcher: run ./mvnw -B package -DskipTests first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "cold-login: needs GNU time at /usr/bin/time (Debian package time)" >&2; exit 2; }
me=cold-login
. "$root/examples/benchmarks/lib/fake.sh"

fake_work
fake_start
# Neither side may read the user's AWS configuration or reach for instance metadata.
fake_isolate_env

# Seed the fake as a platform engineer would, with the admin identity and the AWS CLI.
cat >"$work/permissions.json" <<EOF
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
 {"Effect":"Allow","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],
  "Resource":"arn:aws:ecr:$region:$account:repository/acme/app"}]}
EOF
fake_seed "$work/permissions.json" ecr-pull
fake_admin ecr create-repository --repository-name acme/app
fake_mint_token "$work/token"

# The two sides. Each is one command that /usr/bin/time can measure with its children.
cat >"$work/java-side.sh" <<EOF
#!/bin/sh
set -e
rm -rf "$work/docker"
"$launcher" login --role-arn "$role_arn" --registry "$registry" --token-file "$work/token" \\
  --docker-config "$work/docker" --endpoint-url "$endpoint" >"$work/java.err" 2>&1
grep -q '"auth"' "$work/docker/config.json"
EOF
cat >"$work/cli-side.sh" <<EOF
#!/bin/sh
set -e
creds=\$("$aws_cli" sts assume-role-with-web-identity --role-arn "$role_arn" \\
  --role-session-name cold-login --web-identity-token "file://$work/token" \\
  --endpoint-url "$endpoint" --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' \\
  --output text)
set -- \$creds
AWS_ACCESS_KEY_ID=\$1 AWS_SECRET_ACCESS_KEY=\$2 AWS_SESSION_TOKEN=\$3 \\
  "$aws_cli" ecr get-login-password --endpoint-url "$endpoint" >"$work/password"
[ -s "$work/password" ]
EOF
chmod +x "$work/java-side.sh" "$work/cli-side.sh"

measure() { # side -> appends "wall cpu" in seconds to $work/<side>.times
  /usr/bin/time -f '%e %U %S' -o "$work/$1.time" "$work/$1-side.sh" || {
    echo "cold-login: the $1 side failed:" >&2; cat "$work/java.err" >&2 2>/dev/null; exit 1; }
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$work/$1.time" >>"$work/$1.times"
}

# One untimed run of each warms the page cache; then interleave, alternating who goes first.
"$work/java-side.sh" && "$work/cli-side.sh" || { cat "$work/java.err" >&2; exit 1; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then measure java; measure cli; else measure cli; measure java; fi
done

stats() { # file column -> "median mean"
  sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c; s += $c }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f %.2f", m, s / NR }'
}
read -r jw_med jw_mean <<<"$(stats "$work/java.times" 1)"
read -r jc_med jc_mean <<<"$(stats "$work/java.times" 2)"
read -r cw_med cw_mean <<<"$(stats "$work/cli.times" 1)"
read -r cc_med cc_mean <<<"$(stats "$work/cli.times" 2)"

echo "oidc-ecr launcher: $launcher ${OIDC_ECR_JAVA_OPTS:+(OIDC_ECR_JAVA_OPTS=$OIDC_ECR_JAVA_OPTS)}"
echo "java: $(java -version 2>&1 | head -1)"
echo "AWS CLI: $("$aws_cli" --version 2>&1)"
echo "runs: $runs each, interleaved; load average before/after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %12s %12s %14s\n' side "wall median" "wall mean" "CPU median"
printf '%-28s %11ss %11ss %13ss\n' "oidc-ecr login (new JVM)" "$jw_med" "$jw_mean" "$jc_med"
printf '%-28s %11ss %11ss %13ss\n' "aws sts + aws ecr" "$cw_med" "$cw_mean" "$cc_med"
awk -v jw="$jw_med" -v cw="$cw_med" -v jc="$jc_med" -v cc="$cc_med" \
  'BEGIN { printf "ratio java/cli: %.2f (wall median), %.2f (CPU median)\n", jw / cw, jc / cc }'
