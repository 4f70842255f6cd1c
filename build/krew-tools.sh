#!/usr/bin/env bash
# Builds real krew (as the kubectl plugin kubectl-krew) and krew's manifest validator
# from the Go module proxy into .cache/krew/bin. The proxy serves sigs.k8s.io/krew
# v0.4.3 as its latest version (v0.4.4+ are not published there); override with KREW_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${KREW_VERSION:-v0.4.3}
bin=$PWD/.cache/krew/bin
if [ -x "$bin/kubectl-krew" ] && [ -x "$bin/validate-krew-manifest" ]; then
  exit 0
fi
mkdir -p "$bin"
echo "[krew-tools] building sigs.k8s.io/krew@$version (cmd/krew, cmd/validate-krew-manifest)"
# Both in one `go install`: the packages share most of their dependencies.
GOBIN=$bin go install -ldflags "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$version" \
  "sigs.k8s.io/krew/cmd/krew@$version" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$version"
mv "$bin/krew" "$bin/kubectl-krew"
echo "[krew-tools] ready in $bin"
