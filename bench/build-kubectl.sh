#!/usr/bin/env bash
# The benchmarks' anchor: kubectl built alone, of the simulator's Kubernetes version, the
# way Kubernetes release builds make it (hack/lib/golang.sh and hack/lib/version.sh of
# k8s.io/kubernetes): its own main (cmd/kubectl), static (CGO_ENABLED=0), -trimpath,
# tags selinux,notest,grpcnotrace, symbols stripped (-s -w), version stamped with -X.
# Built from the simulator's Go module (test/sim/go/kube: same pinned dependencies, same
# module cache) into .cache/bench/bin/kubectl (BENCH_BIN to change); skipped when that
# binary already reports the version. Prints the binary's path on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${BENCH_BIN:-$root/.cache/bench/bin}
# One version for the simulator and its anchor: the one test/sim/build.sh builds.
KUBE_VERSION=$(sed -n 's/^KUBE_VERSION=//p' "$root/test/sim/build.sh")
kubectl="$bin/kubectl"

if [ -x "$kubectl" ] && "$kubectl" version --client 2>/dev/null | grep -qx "Client Version: $KUBE_VERSION"; then
  echo "$kubectl"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "[bench] Go is needed to build the anchor kubectl (test/sim/README.md)" >&2
  exit 3
fi
mkdir -p "$bin"
major=${KUBE_VERSION#v}; minor=${major#*.}; minor=${minor%%.*}; major=${major%%.*}
ldflags=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
echo "[bench] building kubectl $KUBE_VERSION alone, as a release build (cold: several minutes) …" >&2
start=$SECONDS
(
  cd "$root/test/sim/go/kube"
  CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -installsuffix=static -tags=selinux,notest,grpcnotrace \
    -ldflags "all=$ldflags -s -w" -o "$kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
)
mv "$kubectl.tmp" "$kubectl"
echo "[bench] kubectl built in $((SECONDS - start))s: $("$kubectl" version --client | head -1)" >&2
echo "$kubectl"
