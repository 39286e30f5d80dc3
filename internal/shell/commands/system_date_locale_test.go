package commands

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/testenv"
)

// hostLocale skips (loudly) when the host lacks a compiled locale the comparison needs.
func hostLocale(t *testing.T, name string) {
	t.Helper()
	out, err := exec.Command(hostTool(t, "locale"), "-a").Output()
	if err != nil || !strings.Contains(string(out), name) {
		testenv.SkipOrFail(t, "locale %s is not compiled here; run `localedef -i %s -f UTF-8 %s.UTF-8`",
			name, strings.Split(name, ".")[0], strings.Split(name, ".")[0])
	}
}

// TestDateLocaleMatchesHost: with LANG from /etc/default/locale (en_US.UTF-8 on the
// reference), date's default output, %c, %x, %X, %r and %p follow glibc's LC_TIME.
func TestDateLocaleMatchesHost(t *testing.T) {
	hostLocale(t, "en_US.utf8")
	hostLocale(t, "en_GB.utf8")
	e := newTestEnv(t)
	e.img.AddFile("/etc/locale.gen", "# en_DK.UTF-8 UTF-8\nen_GB.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n", 0o644)
	for _, lang := range []string{"en_US.UTF-8", "en_GB.UTF-8", "C.UTF-8", "C", "en_US.utf8"} {
		for _, epoch := range []string{"1795150207", "1795193107", "1795132800", "1795176000", "951782400"} {
			for _, f := range [][]string{{}, {"+%c"}, {"+%x"}, {"+%X"}, {"+%r"}, {"+%p %P"}, {"+%Ec|%Ex|%EX|%Oy|%OH"}, {"-R"}} {
				args := append([]string{"-u", "-d", "@" + epoch}, f...)
				want, wantErr, _ := hostRun(t, []string{"PATH=/usr/bin:/bin", "LANG=" + lang, "TZ=UTC"}, "date", args...)
				e.env["LANG"] = lang
				got, gotErr, _ := e.run(append([]string{"date"}, args...)...)
				if got != want || gotErr != wantErr {
					t.Errorf("LANG=%s date %q:\n got  %q %q\n want %q %q", lang, args, got, gotErr, want, wantErr)
				}
			}
		}
	}
}

// TestDateLocaleNotCompiled: a LANG the persona never compiled is the C locale.
func TestDateLocaleNotCompiled(t *testing.T) {
	e := newTestEnv(t)
	e.env["LANG"] = "en_US.UTF-8"
	e.expect([]string{"date"}, "Thu Nov 26 05:35:28 UTC 2026\n", "", 0)
	e.img.AddFile("/etc/locale.gen", "en_US.UTF-8 UTF-8\n", 0o644)
	e.fs = nil
	e.expect([]string{"date"}, "Thu Nov 26 05:35:28 AM UTC 2026\n", "", 0)
	e.env["LC_ALL"] = "C"
	e.expect([]string{"date"}, "Thu Nov 26 05:35:28 UTC 2026\n", "", 0)
}
