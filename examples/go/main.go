// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// Command seed-go is the seed story from Go: cilium/ebpf loads the seed
// probe (bpf/seed_go.bpf.o) with the BTF `ucorebtf prepare` wrote for the
// target binary as its kernel types, attaches the uprobe on add_test, runs
// the binary and reads what the probe saw through the results map.
//
//	ucorebtf prepare --bundle seed.ucb --obj seed_go.bpf.o app_v2 -o app_v2.btf
//	seed-go [-j] [-btf app_v2.btf] seed_go.bpf.o app_v2
//
// Built against Debian 12's golang-github-cilium-ebpf-dev (0.9.1) in GOPATH
// mode, offline (Makefile: go-example; docs/runtime.md).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
)

// seedResult is struct seed_result of bpf/seed.h.
type seedResult struct {
	Hits uint32
	A    int32
	C    int32
	Sum  int32
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "Error: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	btfPath := flag.String("btf", "", "BTF file from `ucorebtf prepare` (kernel and library types;\n"+
		"without it, the running kernel's BTF, which lacks the library's types)")
	asJSON := flag.Bool("j", false, "print one JSON object")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: seed-go [-j] [-btf PREPARED.btf] OBJ BINARY")
		os.Exit(2)
	}
	objPath, binary := flag.Arg(0), flag.Arg(1)

	if err := rlimit.RemoveMemlock(); err != nil {
		fail("memlock: %v", err)
	}
	spec, err := ebpf.LoadCollectionSpec(objPath)
	if err != nil {
		fail("%s: %v", objPath, err)
	}
	// cilium/ebpf 0.9 knows a uprobe by its section prefix "uprobe/" only;
	// libbpf's bare SEC("uprobe") leaves the program without a type.
	prog := spec.Programs["add_test_entry"]
	if prog == nil {
		fail("%s: no program add_test_entry", objPath)
	}
	if prog.Type != ebpf.Kprobe {
		fail("%s: program add_test_entry in section %q is not a uprobe to this cilium/ebpf: "+
			"name the section \"uprobe/<symbol>\"", objPath, prog.SectionName)
	}
	// The prepared BTF replaces the kernel's for CO-RE: it holds the
	// target's library types and the kernel types the probe needs.
	var types *btf.Spec
	if *btfPath != "" {
		if types, err = btf.LoadSpec(*btfPath); err != nil {
			fail("%s: %v", *btfPath, err)
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		Programs: ebpf.ProgramOptions{KernelTypes: types},
	})
	if err != nil {
		fail("%s: load: %v", objPath, err)
	}
	defer coll.Close()

	exe, err := link.OpenExecutable(binary)
	if err != nil {
		fail("%s: %v", binary, err)
	}
	up, err := exe.Uprobe("add_test", coll.Programs["add_test_entry"], nil)
	if err != nil {
		fail("%s: attach uprobe add_test: %v", binary, err)
	}
	defer up.Close()

	cmd := exec.Command(binary)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			fail("%s: %v", binary, err)
		}
	}
	var r seedResult
	if err := coll.Maps["results"].Lookup(uint32(cmd.Process.Pid), &r); err != nil {
		fail("%s: the probe recorded nothing: %v", binary, err)
	}
	if *asJSON {
		fmt.Printf("{\"binary\":%q,\"hits\":%d,\"a\":%d,\"c\":%d,\"sum\":%d}\n", binary, r.Hits, r.A, r.C, r.Sum)
	} else {
		fmt.Printf("%s: add_test read a=%d c=%d: %d + %d = %d\n", binary, r.A, r.C, r.A, r.C, r.Sum)
	}
}
