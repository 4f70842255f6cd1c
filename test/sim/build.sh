#!/usr/bin/env bash
# Builds the simulator's upstream binaries from the Go module proxy into $SIM_BIN
# (default .cache/sim/bin). Skips a binary that already reports the wanted version.
# Arguments: which to build (kube etcd kwok coredns cpa); none means all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIM_BIN:-$root/.cache/sim/bin}
KUBE_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
# The seeded image's tag (seed/coredns.yaml); the runner runs this binary for every coredns tag.
COREDNS_VERSION=v1.12.1
CPA_VERSION=v1.10.3
# The autoscaler's unmodified source: the Go module proxy refuses its module (see its SOURCE.md).
# shared/ sits beside the checkout (CI, /work/main) or two levels up (a worktree under /work/wt).
if [ -z "${CPA_SOURCE:-}" ]; then
  for CPA_SOURCE in {"$root/..","$root/../.."}/shared/upstream/cluster-proportional-autoscaler-$CPA_VERSION; do
    [ -f "$CPA_SOURCE/go.mod" ] && break
  done
fi
wanted=" ${*:-kube etcd kwok coredns cpa} "
want() { [[ $wanted == *" $1 "* ]]; }
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

say() { printf '[sim build] %s\n' "$*" >&2; }

has_version() { # binary, expected version string, version command...
  local file=$1 want=$2 out; shift 2
  # Output captured first: with pipefail, `grep -q` closing the pipe early would fail a
  # command that prints more than one line (coredns -version).
  [ -x "$file" ] && out=$("$@" 2>/dev/null) && grep -q -- "$want" <<<"$out"
}

# Runs a `go build -v`/`go install -v` command with its output in a log: prints the
# number of packages compiled so far every 30s (a cold build is long), and the log's
# tail if it fails.
run_go() { # name, command...
  local name=$1 log="$bin/$1.build.log" start=$SECONDS pid; shift
  "$@" >"$log" 2>&1 &
  pid=$!
  while ! wait_a_bit "$pid"; do say "  $name: $(grep -vc '^go: ' "$log" || true) packages compiled, $((SECONDS - start))s"; done
  if ! wait "$pid"; then
    say "$name build failed; last lines of $log:"
    tail -n 30 "$log" >&2
    exit 3
  fi
  say "  $name done in $((SECONDS - start))s"
}
wait_a_bit() { # pid: true once it has exited, false after 30s
  local i
  for i in $(seq 30); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
  return 1
}

# The pod network (test/sim/README.md): kube-proxy programs nftables through `nft` and
# clears UDP conntrack entries with `conntrack`; the runner wires namespaces with `ip`.
# Debian packages, installed when missing (CI runs as root).
missing_packages() {
  local tool package
  for tool in nft:nftables conntrack:conntrack ip:iproute2 nsenter:util-linux; do
    package=${tool#*:}; tool=${tool%%:*}
    command -v "$tool" >/dev/null || printf '%s ' "$package"
  done
}
packages=$(missing_packages)
if [ -n "$packages" ]; then
  say "installing Debian packages for the simulator's pod network: $packages"
  if ! { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && { apt-get install -y -qq $packages >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $packages >/dev/null 2>&1; }; }; }; then
    say "cannot install $packages (needs root and apt-get): install them and retry."
    exit 3
  fi
fi

if ! command -v go >/dev/null; then
  say "Go is not installed: the simulator builds Kubernetes from source. Install Go 1.26+ and retry."
  exit 3
fi

if ! want kube; then :
# `kube-proxy --version`: a binary built before kube-proxy joined it is rebuilt.
elif has_version "$bin/kube" "Kubernetes $KUBE_VERSION" "$bin/kube" kube-proxy --version; then
  say "kube $KUBE_VERSION up to date"
else
  say "building kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubectl $KUBE_VERSION (one binary; cold: see test/sim/README.md)"
  major=${KUBE_VERSION#v}; minor=${major#*.}; minor=${minor%%.*}; major=${major%%.*}
  date=$(date -u -d @0 +%Y-%m-%dT%H:%M:%SZ)
  ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  (cd "$here/go/kube" && run_go kube go build -v -ldflags "$ldflags" -o "$bin/kube" .)
fi
if want kube; then for name in kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubectl; do ln -sf kube "$bin/$name"; done; fi

if ! want etcd; then :
elif has_version "$bin/etcd" "${ETCD_VERSION#v}" "$bin/etcd" --version; then
  say "etcd $ETCD_VERSION up to date"
else
  say "building etcd $ETCD_VERSION"
  (cd "$here/go/etcd" && run_go etcd go build -v -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=release" -o "$bin/etcd" .)
fi

if ! want kwok; then :
elif has_version "$bin/kwok" "${KWOK_VERSION#v}" "$bin/kwok" --version; then
  say "kwok $KWOK_VERSION up to date"
else
  say "building kwok $KWOK_VERSION"
  run_go kwok env GOBIN="$bin" go install -v -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi

if ! want coredns; then :
elif has_version "$bin/coredns" "CoreDNS-${COREDNS_VERSION#v}" "$bin/coredns" -version; then
  say "coredns $COREDNS_VERSION up to date"
else
  say "building coredns $COREDNS_VERSION"
  run_go coredns env GOBIN="$bin" go install -v -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
fi

if ! want cpa; then :
elif has_version "$bin/cluster-proportional-autoscaler" "$CPA_VERSION" "$bin/cluster-proportional-autoscaler" --version; then
  say "cluster-proportional-autoscaler $CPA_VERSION up to date"
else
  say "building cluster-proportional-autoscaler $CPA_VERSION from $CPA_SOURCE"
  [ -f "$CPA_SOURCE/go.mod" ] || { say "the autoscaler's source is missing: $CPA_SOURCE"; exit 3; }
  # The source folder is read-only (in CI too): build from a copy.
  copy=$(mktemp -d)
  trap 'rm -rf "$copy"' EXIT
  cp -r "$CPA_SOURCE/." "$copy"
  chmod -R u+w "$copy"
  (cd "$copy" && run_go cluster-proportional-autoscaler go build -v -ldflags "-s -w -X github.com/kubernetes-sigs/cluster-proportional-autoscaler/pkg/version.VERSION=$CPA_VERSION" -o "$bin/cluster-proportional-autoscaler" ./cmd/cluster-proportional-autoscaler)
fi
