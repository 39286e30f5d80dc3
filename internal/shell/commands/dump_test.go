package commands

import (
	"strings"
	"testing"
)

func TestDiffDump(t *testing.T) {
	env := buildDiffEnv(t)
	env.addHostFiles(t, map[string]string{
		"x":     "hello world, this is xxd\x00\x01\xff\n",
		"zeros": strings.Repeat("\x00", 70) + "tail",
		"hex":   "68656c6c6f0a\n",
	}, nil)
	cases := []diffCase{
		{line: "xxd x"}, {line: "xxd -p x"}, {line: "xxd -l 5 x"}, {line: "xxd -s 3 -l 10 x"},
		{line: "xxd -c 8 x"}, {line: "xxd -g 1 -c 4 x"}, {line: "xxd -g 4 x"}, {line: "xxd -u x"},
		{line: "xxd -g 0 x"}, {line: "xxd -c 5 x"}, {line: "xxd -g 3 x"}, {line: "xxd -c5 -g2 x"},
		{line: "xxd -r -p hex"}, {line: "xxd -p x | xxd -r -p"}, {line: "xxd x | xxd -r"},
		{line: "xxd nope"}, {line: "xxd -z x"}, {line: "xxd empty"}, {line: "xxd -i x"},
		{line: "xxd -b x"}, {line: "xxd -s -4 x"}, {line: "xxd -p -c 4 x"}, {line: "xxd a.txt b.txt c"},
		{line: "xxd -a zeros"}, {line: "xxd zeros"}, {line: "xxd -d x"}, {line: "xxd -e x"},
		{line: "xxd", stdin: "from stdin\n"}, {line: "xxd -s 0x10 big.bin"}, {line: "xxd -l 0x20 -c 0x8 big.bin"},
		{line: "od x"}, {line: "od -c x"}, {line: "od -x x"}, {line: "od -A x -t x1 x"}, {line: "od -t x1 x"},
		{line: "od -An -t x1 x"}, {line: "od -A d -c x"}, {line: "od nope"}, {line: "od -z"},
		{line: "od empty"}, {line: "od -t x2 x"}, {line: "od -t x4 x"}, {line: "od -b x"}, {line: "od -c", stdin: "abc"},
		{line: "od -c zeros"}, {line: "od -v -c zeros"}, {line: "od -t d2 x"}, {line: "od -t u1 x"},
		{line: "od -t a x"}, {line: "od -t x1 -c x"}, {line: "od -N 4 -j 2 -c x"}, {line: "od -w8 -c x"},
		{line: "od -A x -t x1z x"}, {line: "od -t x1z -t c x"}, {line: "od -t x2z x"}, {line: "od -t cz -w8 x"}, {line: "od -t x1z", stdin: "abc"},
		{line: "od -i x"}, {line: "od -d x"}, {line: "od -t x8 x"}, {line: "od -t o1 x"}, {line: "od -s x"},
		{line: "od -A q x"}, {line: "od x a.txt"}, {line: "od -t d x"}, {line: "od -t d1 x"},
	}
	runDiffCasesEnv(t, env, cases)
}

// runDiffCasesEnv is runDiffCases over an environment the caller prepared (read-only cases).
func runDiffCasesEnv(t *testing.T, env *diffEnv, cases []diffCase) {
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			wo, we, ws := env.runReal(t, tc.line, tc.stdin)
			gor, ge, gs := env.runEmu(t, tc.line, tc.stdin)
			if wo != gor || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%s\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%s\nstderr:\n%q", tc.line, ws, wo, we, gs, gor, ge)
			}
		})
	}
}

// FuzzXxdRevert feeds arbitrary dumps to xxd -r: attacker-controlled addresses must neither
// panic nor allocate without bound.
func FuzzXxdRevert(f *testing.F) {
	f.Add([]byte("00000000: 6865 6c6c 6f0a  hello.\n"), int64(0))
	f.Add([]byte("ffffffffff: 00\n"), int64(-5))
	f.Add([]byte("00000010: 41\n00000000: 42\n"), int64(3))
	f.Fuzz(func(t *testing.T, data []byte, seek int64) {
		out := xxdRevert(data, false, seek)
		if len(out) > xxdMaxRevert+len(data) {
			t.Fatalf("revert produced %d bytes", len(out))
		}
		_ = xxdRevert(data, true, seek)
	})
}
