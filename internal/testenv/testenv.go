// Package testenv owns the one rule for tests that need root, a namespace or a Debian tool:
// on a developer machine they skip loudly, and in CI they fail, so the gate never counts a
// skipped test as a pass.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the test runs in CI (CI set to anything but "", "false" or "0").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// SkipOrFail stops the test for a missing requirement: a loud skip outside CI, a failure in CI.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s; in CI (CI=%s) this test must run: `make test` as root installs what it needs", msg, os.Getenv("CI"))
	}
	t.Skipf("SKIPPED LOUDLY (not a pass): %s; this test runs in CI (`make test` as root)", msg)
}
