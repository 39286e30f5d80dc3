package shell

import (
	"go/build"
	"strings"
	"testing"
)

// TestNoHostImports proves from the package's own imports that the interpreter cannot
// open host files, run host programs, look up host users or open sockets: everything goes
// through the vfs, the registry and the persona.
func TestNoHostImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Imports) == 0 {
		t.Fatal("no imports found: the check would be vacuous")
	}
	forbidden := map[string]bool{"os": true, "os/exec": true, "os/user": true, "os/signal": true,
		"net": true, "net/http": true, "syscall": true, "unsafe": true, "plugin": true,
		"io/ioutil": true, "path/filepath": true, "golang.org/x/sys/unix": true,
		"mvdan.cc/sh/v3/interp": true}
	for _, imp := range pkg.Imports {
		if forbidden[imp] || strings.HasPrefix(imp, "net/") {
			t.Errorf("package shell imports %q", imp)
		}
	}
}
