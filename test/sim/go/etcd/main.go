// Command etcd is upstream etcd's server main: `go install` of etcd itself fails on
// its replace directives, so this module requires the server and calls it.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
