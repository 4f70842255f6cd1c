#!/usr/bin/env bash
# Builds the simulator's upstream binaries from the Go module proxy into $SIM_BIN
# (default .cache/sim/bin). Skips a binary that already reports the wanted version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIM_BIN:-$root/.cache/sim/bin}
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

say() { printf '[sim build] %s\n' "$*" >&2; }
timed() { local start=$SECONDS; "$@"; say "  done in $((SECONDS - start))s"; }

has_version() { # binary, expected version string, version command...
  local file=$1 want=$2; shift 2
  [ -x "$file" ] && "$@" 2>/dev/null | grep -q -- "$want"
}

if ! command -v go >/dev/null; then
  say "Go is not installed: the simulator builds Kubernetes from source. Install Go 1.26+ and retry."
  exit 3
fi

if has_version "$bin/kube" "$KUBE_VERSION" "$bin/kube" kubectl version --client; then
  say "kube $KUBE_VERSION up to date"
else
  say "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $KUBE_VERSION (cold: ~30 min on 2 cores)"
  major=${KUBE_VERSION#v}; minor=${major#*.}; minor=${minor%%.*}; major=${major%%.*}
  date=$(date -u -d @0 +%Y-%m-%dT%H:%M:%SZ)
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  (cd "$here/go/kube" && timed go build -v -ldflags "$ldflags" -o "$bin/kube" . 2>&1 | awk '{ if (++n % 200 == 0) print "[sim build]   " n " packages compiled" > "/dev/stderr" }')
  [ -x "$bin/kube" ] || { say "kube build failed"; exit 3; }
fi
for name in kube-apiserver kube-controller-manager kube-scheduler kubectl; do ln -sf kube "$bin/$name"; done

if has_version "$bin/etcd" "${ETCD_VERSION#v}" "$bin/etcd" --version; then
  say "etcd $ETCD_VERSION up to date"
else
  say "building etcd $ETCD_VERSION"
  (cd "$here/go/etcd" && timed go build -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=release" -o "$bin/etcd" .)
fi

if has_version "$bin/kwok" "${KWOK_VERSION#v}" "$bin/kwok" --version; then
  say "kwok $KWOK_VERSION up to date"
else
  say "building kwok $KWOK_VERSION"
  timed env GOBIN="$bin" go install -ldflags "-s -w " "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi
