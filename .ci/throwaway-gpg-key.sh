#!/bin/sh
# Creates a throwaway GPG signing key (no passphrase, valid one day) in the folder $1 unless it
# already holds a secret key. The release profile signs with it when no real key is given, so
# that CI and developers can check the signed staging layout; a real release passes
# -Dgpg.homedir=... -Dgpg.keyname=... instead.
set -eu
dir=$1
mkdir -p "$dir"
chmod 700 "$dir"
if gpg --batch --homedir "$dir" --list-secret-keys 2>/dev/null | grep -q '^sec'; then
  exit 0
fi
gpg --batch --homedir "$dir" --passphrase '' --pinentry-mode loopback \
  --quick-gen-key 'oidc-ecr throwaway test key <release-check@oidc-ecr.invalid>' ed25519 sign 1d
