package commands

import (
	"regexp"
	"strings"
	"testing"
)

// statNormalize removes what the vfs cannot know about the host tree: birth times (the image
// records none, so the emulation prints "-") and the host's device numbers.
var (
	statBirthRe  = regexp.MustCompile(`(?m)^ Birth: .*$`)
	statDeviceRe = regexp.MustCompile(`Device: [0-9]+,[0-9]+\t`)
)

func statNormalize(s string) string {
	s = statBirthRe.ReplaceAllString(s, " Birth: X")
	return statDeviceRe.ReplaceAllString(s, "Device: X\t")
}

func TestDiffStat(t *testing.T) {
	env := buildDiffEnv(t)
	// Building the image read every file, which moved their access times (relatime); a
	// second snapshot records the settled times.
	env.snapshot(t, env.root, true)
	cases := []string{
		"stat a.txt",
		"stat empty sub link dangling",
		"stat -L link",
		"stat -L dangling",
		"stat nope",
		"stat a.txt nope b.txt",
		"stat",
		"stat -z a.txt",
		"stat --frob a.txt",
		"stat -c '%n %s %a %A %U %G %u %g %F %i %h %b %B %o' a.txt sub link big.bin exec.sh words.txt",
		"stat -c '%y|%x|%z|%X|%Y|%Z' b.txt",
		"stat -c %N link a.txt",
		"stat --format='%-10n|%10s|%#a|%05u|%f' a.txt sub",
		"stat --printf='%n\\t%s\\n' a.txt b.txt",
		"stat --printf='%s' a.txt",
		"stat -c '%q %' a.txt",
		"stat -c %s",
		"stat -c",
		"stat -c '%n %s %b %f %u %g %i %h %t %T %X %Y %Z %o' a.txt sub",
		"stat -c '%t %T' a.txt",
		"stat -f -c '%n %l %s %S' .",
	}
	for _, line := range cases {
		t.Run(line, func(t *testing.T) {
			wo, we, ws := env.runReal(t, line, "")
			gor, ge, gs := env.runEmu(t, line, "")
			wo, gor = statNormalize(wo), statNormalize(gor)
			if wo != gor || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%s\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%s\nstderr:\n%q", line, ws, wo, we, gs, gor, ge)
			}
		})
	}
}

// TestStatNoBirth checks what the image cannot compare with the host: no birth time.
func TestStatNoBirth(t *testing.T) {
	env := buildDiffEnv(t)
	out, _, st := env.runEmu(t, "stat -c '%w|%W' a.txt", "")
	if st != 0 || out != "-|0\n" {
		t.Errorf("stat -c '%%w|%%W' = %q (status %d), want \"-|0\\n\"", out, st)
	}
	out, _, _ = env.runEmu(t, "stat a.txt", "")
	if !strings.HasSuffix(out, " Birth: -\n") {
		t.Errorf("default format should end with an unknown birth time:\n%s", out)
	}
	out, _, _ = env.runEmu(t, "stat -t a.txt", "")
	if f := strings.Fields(out); len(f) != 16 || f[14] != "0" || f[3] != "81a4" {
		t.Errorf("stat -t a.txt = %q", out)
	}
}
