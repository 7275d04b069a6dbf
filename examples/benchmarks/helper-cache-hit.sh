#!/usr/bin/env bash
# Credential helper `get` on a cache hit, side by side: docker-credential-oidc-ecr (answered by
# the launcher's shell fast path from the entry its JVM wrote) against awslabs'
# docker-credential-ecr-login answering from its own cache (~/.ecr/cache.json, seeded here).
#
# Usage (from the repository root, after `./mvnw -B package -DskipTests`):
#   examples/benchmarks/helper-cache-hit.sh [runs]     # default 50 runs of each, interleaved
# Environment:
#   ECR_LOGIN  the Go helper (default: docker-credential-ecr-login on PATH; Debian package
#              amazon-ecr-credential-helper). Without it, only our side is measured.
#   OIDC_ECR   our helper (default: core/target/oidc-ecr/bin/docker-credential-oidc-ecr)
#   AWS_CLI    the AWS CLI that seeds the fake (default: aws on PATH)
#
# Our entry comes from a real first `get` against the standalone fake (STS + ECR over
# 127.0.0.1); the Go helper's entry is written in its cache format (version 1.0: key
# <region>-<base64(access key id || md5 of nothing)>-<registry id>, as its 0.6 sources build it),
# with made-up static credentials that it never sends anywhere on a hit.
# Prints the median, mean and 90th percentile wall time of one `get` (bash's EPOCHREALTIME
# around the process, the same pipe into each).
set -euo pipefail

runs=${1:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
aws_cli=${AWS_CLI:-aws}
helper=${OIDC_ECR:-$root/core/target/oidc-ecr/bin/docker-credential-oidc-ecr}
ecr_login=${ECR_LOGIN:-$(command -v docker-credential-ecr-login || true)}
[ -x "$helper" ] || { echo "helper-cache-hit: no helper at $helper: run ./mvnw -B package -DskipTests first" >&2; exit 2; }
command -v "$aws_cli" >/dev/null || { echo "helper-cache-hit: needs the AWS CLI to seed the fake (AWS_CLI)" >&2; exit 2; }
me=helper-cache-hit
. "$root/examples/benchmarks/lib/fake.sh"

fake_work
fake_start
fake_isolate_env
unset AWS_REGION OIDC_ECR_TOKEN IDP_AWS_ROLE_ARN GITPOD_WORKSPACE_ID OIDC_ECR_FAST OIDC_ECR_DEBUG \
  OIDC_ECR_JAVA_OPTS

cat >"$work/permissions.json" <<EOF
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}
EOF
fake_seed "$work/permissions.json" ecr-login
fake_mint_token "$work/token"

# Our side: the environment Docker would pass on, and one real `get` (a miss: the JVM, STS, ECR).
mkdir -p "$work/home"
ours() {
  HOME=$work/home OIDC_ECR_ROLE_ARN=$role_arn AWS_WEB_IDENTITY_TOKEN_FILE=$work/token \
    AWS_ENDPOINT_URL=$endpoint OIDC_ECR_CDS=off "$helper" get
}
printf '%s\n' "$registry" | ours >"$work/first" || { cat "$work/first" >&2; exit 1; }
printf '%s\n' "$registry" | ours >"$work/second"
cmp -s "$work/first" "$work/second" || { echo "helper-cache-hit: the hit differs from the miss" >&2; exit 1; }

# The Go helper's side, seeded.
theirs() {
  HOME=$work/go-home AWS_ECR_CACHE_DIR=$work/go-cache AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
    AWS_SECRET_ACCESS_KEY=not-used AWS_REGION=$region "$ecr_login" get
}
if [ -n "$ecr_login" ]; then
  mkdir -p "$work/go-cache" "$work/go-home"
  python3 - "$work/go-cache/cache.json" "$region" "$account" <<'EOF'
import base64, datetime, hashlib, json, sys
path, region, account = sys.argv[1:4]
# The 0.6 sources: base64 of md5.New().Sum(accessKeyID), i.e. the key's bytes then md5("").
sum_ = base64.b64encode(b"AKIAIOSFODNN7EXAMPLE" + hashlib.md5(b"").digest()).decode()
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
fmt = lambda t: t.isoformat().replace("+00:00", "Z")
entry = {"AuthorizationToken": base64.b64encode(b"AWS:seeded-password").decode(),
         "RequestedAt": fmt(now), "ExpiresAt": fmt(now + datetime.timedelta(hours=12)),
         "ProxyEndpoint": "https://%s.dkr.ecr.%s.amazonaws.com" % (account, region),
         "Service": "ecr"}
json.dump({"Registries": {"%s-%s-%s" % (region, sum_, account): entry}, "Version": "1.0"},
          open(path, "w"))
EOF
  chmod 600 "$work/go-cache/cache.json"
  printf '%s\n' "$registry" | theirs >"$work/go-first" 2>/dev/null \
    && grep -q seeded-password "$work/go-first" \
    || { echo "helper-cache-hit: $ecr_login did not answer from the seeded cache; measuring our side only" >&2; ecr_login=; }
else
  echo "helper-cache-hit: no docker-credential-ecr-login (Debian package amazon-ecr-credential-helper); measuring our side only" >&2
fi

measure() { # name function -> appends one wall time in ms to $work/<name>.ms
  local t0 t1
  t0=$EPOCHREALTIME
  printf '%s\n' "$registry" | "$2" >/dev/null 2>&1
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }' >>"$work/$1.ms"
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$runs"); do
  if [ $((i % 2)) -eq 1 ] || [ -z "$ecr_login" ]; then
    measure ours ours; [ -n "$ecr_login" ] && measure theirs theirs
  else
    measure theirs theirs; measure ours ours
  fi
done
stats() { # file -> "median mean p90"
  sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    p = v[int(NR * 0.9 + 0.5)]; printf "%.1f %.1f %.1f", m, s / NR, p }'
}
echo "docker-credential-oidc-ecr: $helper"
[ -n "$ecr_login" ] && echo "docker-credential-ecr-login: $ecr_login ($("$ecr_login" version 2>&1 | head -1))"
echo "runs: $runs each, interleaved; load average before/after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %10s %10s %10s\n' side "median" "mean" "p90"
read -r m a p <<<"$(stats "$work/ours.ms")"
printf '%-36s %8sms %8sms %8sms\n' "oidc-ecr get (cache hit, no JVM)" "$m" "$a" "$p"
if [ -n "$ecr_login" ]; then
  read -r gm ga gp <<<"$(stats "$work/theirs.ms")"
  printf '%-36s %8sms %8sms %8sms\n' "ecr-login get (cache hit)" "$gm" "$ga" "$gp"
  awk -v a="$m" -v b="$gm" 'BEGIN { printf "ratio oidc-ecr/ecr-login: %.2f (median)\n", a / b }'
fi
