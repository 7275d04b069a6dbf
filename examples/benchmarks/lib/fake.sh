# Shared by the benchmark scripts (sourced, not run): a temporary folder, the standalone fake AWS
# started on 127.0.0.1, an environment that keeps every AWS client away from the user's
# configuration, and the fake seeded as a platform engineer would, with the AWS CLI.
#
# The sourcing script sets `root` (the repository root), `aws_cli` and `me` (its name, for
# messages) first, then calls, in this order:
#   fake_work                      make $work (removed on exit, with the fake stopped)
#   fake_start                     start the fake; sets endpoint, region, account, issuer,
#                                  issuer_host, role, role_arn, registry
#   fake_isolate_env               no AWS configuration, profile, credentials or endpoint variables
#   fake_seed PERMISSIONS POLICY   IAM OIDC provider, role $role trusting acme/app, inline policy
#   fake_admin ARGS...             the AWS CLI as the fake's admin, output discarded
#   fake_mint_token FILE           a token for https://github.com/acme/app, from POST /_fake/tokens

fake_jar=$(ls "$root"/testing/target/oidc-ecr-testing-*-standalone.jar 2>/dev/null | head -1)
[ -n "$fake_jar" ] || { echo "$me: no standalone fake jar in testing/target: run ./mvnw -B package -DskipTests first" >&2; exit 2; }

fake_pid=
fake_cleanup() {
  if [ -n "$fake_pid" ]; then
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}

fake_work() {
  work=$(mktemp -d)
  trap fake_cleanup EXIT
  trap 'exit 130' INT TERM
}

fake_field() { printf '%s' "$fake_json" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

fake_start() {
  # The fake prints one JSON line once it serves.
  java -jar "$fake_jar" --port 0 >"$work/fake.out" 2>"$work/fake.err" &
  fake_pid=$!
  for _ in $(seq 300); do
    [ -s "$work/fake.out" ] && break
    kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake.err" >&2; exit 1; }
    sleep 0.1
  done
  fake_json=$(head -1 "$work/fake.out")
  port=$(fake_field endpoint | sed 's/.*://')
  endpoint=http://127.0.0.1:$port
  region=$(fake_field region)
  account=$(fake_field accountId)
  issuer=$(fake_field issuer)
  issuer_host=${issuer#https://}
  role=gitpod-ecr-pull
  role_arn=arn:aws:iam::$account:role/$role
  registry=$account.dkr.ecr.$region.amazonaws.com
}

fake_isolate_env() {
  : >"$work/aws-config"
  export AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=$work/aws-config
  export AWS_DEFAULT_REGION=$region AWS_REGION=$region AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
  unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
    AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_ECR AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN
}

fake_admin() {
  AWS_ACCESS_KEY_ID=$(fake_field accessKeyId) AWS_SECRET_ACCESS_KEY=$(fake_field secretAccessKey) \
    "$aws_cli" --endpoint-url "$endpoint" "$@" >/dev/null
}

fake_seed() { # permissions-json-file policy-name
  cat >"$work/trust.json" <<JSON
{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"Federated":"arn:aws:iam::$account:oidc-provider/$issuer_host"},
 "Action":"sts:AssumeRoleWithWebIdentity",
 "Condition":{"StringEquals":{"$issuer_host:aud":"sts.amazonaws.com"},
  "StringLike":{"$issuer_host:sub":["https://github.com/acme/app","https://github.com/acme/app/*"]}}}]}
JSON
  fake_admin iam create-open-id-connect-provider --url "$issuer" --client-id-list sts.amazonaws.com \
    --thumbprint-list 0000000000000000000000000000000000000000
  fake_admin iam create-role --role-name "$role" --assume-role-policy-document "file://$work/trust.json"
  fake_admin iam put-role-policy --role-name "$role" --policy-name "$2" --policy-document "file://$1"
}

fake_mint_token() { # file
  curl -fsS -X POST -H 'Content-Type: application/json' \
    -d '{"sub":"https://github.com/acme/app"}' "$endpoint/_fake/tokens" \
    | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' >"$1"
  [ -s "$1" ] || { echo "$me: the fake minted no token" >&2; exit 1; }
}
