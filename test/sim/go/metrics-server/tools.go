//go:build tools

// Package tools pins metrics-server's module: build.sh builds its own main,
// sigs.k8s.io/metrics-server/cmd/metrics-server, from this module so that its
// Kubernetes libraries (v0.33) stay apart from the simulator's (v0.35).
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
