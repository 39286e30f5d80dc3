package commands

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/vfs"
)

// Differential tests: the same small tree is built on the host (real files, fixed mtimes) and
// in a vfs image at the same absolute path; every command line runs once with Debian's real
// programs (this host is Debian 12) and once with the emulation, and stdout, stderr and the
// exit status must be byte-identical. Only test code runs host programs.

// diffTree describes the fixture: path (relative) -> content; dirs end in "/"; "@target"
// content makes a symlink.
var diffTree = []struct {
	name string
	data string
	mode fs.FileMode
	old  bool
}{
	{"a.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\nalpha beta\n", 0o644, false},
	{"b.txt", "one two three\nfour five\n\nsix\n", 0o644, true},
	{"nums.txt", "10\n9\n100\n-3\n2.5\n10\n1e3\n0x10\n", 0o644, false},
	{"words.txt", "pear apple\nApple pie\nbanana\ncherry pie\napple\n", 0o600, false},
	{"csv.txt", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbob:x:1000:1000:Bob,,,:/home/bob:/bin/bash\n", 0o644, true},
	{"tabs.txt", "a\tb\tc\n\x01ctrl\x7f\n\n\n\nend", 0o644, false},
	{"exec.sh", "#!/bin/sh\necho hi\n", 0o755, false},
	{"empty", "", 0o644, true},
	{"big.bin", strings.Repeat("0123456789abcdef", 700), 0o640, false},
	{"sub/", "", 0o755, false},
	{"sub/c.txt", "inner file\nline two\n", 0o644, false},
	{"sub/deep/", "", 0o700, true},
	{"sub/deep/d.log", "log line 1\nERROR bad thing\nlog line 3\n", 0o644, false},
	{".hidden", "secret\n", 0o644, false},
	{"link", "@a.txt", 0o777, false},
	{"dangling", "@nowhere", 0o777, false},
	{"dirlink", "@sub", 0o777, false},
}

type diffEnv struct {
	root string // absolute path of the tree on the host, and in the vfs
	img  *vfs.MemImage
}

// buildDiffEnv creates the host tree and the matching vfs image.
func buildDiffEnv(t testing.TB) *diffEnv {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "t")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	recent := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
	old := time.Date(2023, 3, 14, 15, 9, 26, 0, time.UTC)
	for _, e := range diffTree {
		p := filepath.Join(root, e.name)
		switch {
		case strings.HasSuffix(e.name, "/"):
			if err := os.Mkdir(p, e.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, e.mode)
		case strings.HasPrefix(e.data, "@"):
			if err := os.Symlink(e.data[1:], p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(e.data), e.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, e.mode)
		}
	}
	// Times last, deepest first, so directory mtimes stay fixed.
	for i := len(diffTree) - 1; i >= 0; i-- {
		e := diffTree[i]
		if strings.HasPrefix(e.data, "@") {
			continue
		}
		tm := recent
		if e.old {
			tm = old
		}
		os.Chtimes(filepath.Join(root, e.name), tm, tm)
	}
	os.Chtimes(root, recent, recent)
	env := &diffEnv{root: root, img: vfs.NewMemImage()}
	env.snapshot(t, base, false)
	env.snapshot(t, root, true)
	for _, f := range []string{"/etc/passwd", "/etc/group"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		env.img.Add(f, vfs.Meta{Mode: 0o644, Size: int64(len(data))}, data)
	}
	return env
}

func metaOf(t testing.TB, p string) vfs.Meta {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	m := vfs.Meta{
		Name: fi.Name(), Mode: fi.Mode(), UID: st.Uid, GID: st.Gid, Size: st.Size,
		MTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec), ATime: time.Unix(st.Atim.Sec, st.Atim.Nsec),
		CTime: time.Unix(st.Ctim.Sec, st.Ctim.Nsec), Nlink: uint32(st.Nlink), Ino: st.Ino,
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		m.Target, _ = os.Readlink(p)
	}
	return m
}

// snapshot copies p (and, when deep, everything under it) into the image.
func (e *diffEnv) snapshot(t testing.TB, p string, deep bool) {
	t.Helper()
	// Ancestors first, with their real metadata.
	parts := strings.Split(strings.TrimPrefix(filepath.Dir(p), "/"), "/")
	cur := ""
	for _, part := range parts {
		if part == "" {
			continue
		}
		cur += "/" + part
		e.img.Add(cur, metaOf(t, cur), nil)
	}
	add := func(q string) {
		m := metaOf(t, q)
		var data []byte
		if m.Mode.IsRegular() {
			data, _ = os.ReadFile(q)
		}
		e.img.Add(q, m, data)
	}
	add(p)
	if !deep {
		return
	}
	filepath.Walk(p, func(q string, _ os.FileInfo, err error) error {
		if err == nil && q != p {
			add(q)
		}
		return nil
	})
}

// runReal runs line with bash in the host tree.
func (e *diffEnv) runReal(t testing.TB, line, stdin string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", line)
	cmd.Dir = e.root
	cmd.Env = []string{"LANG=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TZ=UTC", "HOME=/root", "POSIXLY_CORRECT_UNSET=1"}
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %q: %v", line, err)
	}
	return so.String(), se.String(), status
}

// miniShell runs simple command lines (words with quotes, pipelines, &&, ||, ;, and
// "< file" / "> file" redirections) over the registry, for tests that have no real shell.
type miniShell struct {
	reg *Registry
	fs  *vfs.FS
	dir string
	env map[string]string
	tty bool
}

func (s *miniShell) run(ctx context.Context, line string, stdin io.Reader, stdout, stderr io.Writer) int {
	toks := shellWords(line)
	status := 0
	// Split on ; && ||.
	var seq [][]string
	var ops []string
	cur := []string{}
	for _, tk := range toks {
		if tk == "\x00;" || tk == "\x00&&" || tk == "\x00||" {
			seq = append(seq, cur)
			ops = append(ops, tk[1:])
			cur = []string{}
			continue
		}
		cur = append(cur, tk)
	}
	seq = append(seq, cur)
	for i, part := range seq {
		if i > 0 {
			if ops[i-1] == "&&" && status != 0 {
				continue
			}
			if ops[i-1] == "||" && status == 0 {
				continue
			}
		}
		status = s.pipeline(ctx, part, stdin, stdout, stderr)
	}
	return status
}

func (s *miniShell) pipeline(ctx context.Context, toks []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cmds [][]string
	cur := []string{}
	for _, tk := range toks {
		if tk == "\x00|" {
			cmds = append(cmds, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, tk)
	}
	cmds = append(cmds, cur)
	// Stages run concurrently over pipes; a finished reader closes its pipe so the writer's
	// next write fails, as SIGPIPE would end it.
	stderr = &lockedWriter{w: stderr}
	statuses := make([]int, len(cmds))
	done := make(chan struct{}, len(cmds))
	in := stdin
	for i, args := range cmds {
		var w io.Writer = stdout
		var pw *io.PipeWriter
		var nextIn *io.PipeReader
		if i < len(cmds)-1 {
			nextIn, pw = io.Pipe()
			w = pw
		}
		stageIn := in
		go func(i int, args []string, stageIn io.Reader, w io.Writer, pw *io.PipeWriter) {
			defer func() { done <- struct{}{} }()
			var redirOut string
			var appendOut bool
			var words []string
			for j := 0; j < len(args); j++ {
				switch args[j] {
				case "\x00<":
					j++
					data, _ := s.fs.ReadFile(s.abs(args[j]))
					stageIn = bytes.NewReader(data)
				case "\x00>", "\x00>>":
					appendOut = args[j] == "\x00>>"
					j++
					redirOut = args[j]
				case "\x002>&1":
				default:
					words = append(words, args[j])
				}
			}
			var fileOut bytes.Buffer
			if redirOut != "" {
				w = &fileOut
			}
			statuses[i] = s.exec(ctx, words, stageIn, w, stderr)
			if redirOut != "" {
				if appendOut {
					s.fs.AppendFile(s.abs(redirOut), fileOut.Bytes(), 0o644)
				} else {
					s.fs.WriteFile(s.abs(redirOut), fileOut.Bytes(), 0o644)
				}
			}
			if pw != nil {
				pw.Close()
			}
			if pr, ok := stageIn.(*io.PipeReader); ok {
				pr.CloseWithError(io.ErrClosedPipe)
			}
		}(i, args, stageIn, w, pw)
		if nextIn != nil {
			in = nextIn
		}
	}
	for range cmds {
		<-done
	}
	return statuses[len(statuses)-1]
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (s *miniShell) abs(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return s.dir + "/" + p
}

func (s *miniShell) exec(ctx context.Context, words []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(words) == 0 {
		return 0
	}
	name := filepath.Base(words[0])
	switch name {
	case "echo":
		io.WriteString(stdout, strings.Join(words[1:], " ")+"\n")
		return 0
	case "true":
		return 0
	case "false":
		return 1
	case "printf":
		io.WriteString(stdout, strings.ReplaceAll(strings.ReplaceAll(strings.Join(words[1:], " "), `\n`, "\n"), `\t`, "\t"))
		return 0
	}
	f, ok := s.reg.Lookup(name)
	if !ok {
		io.WriteString(stderr, "bash: line 1: "+words[0]+": command not found\n")
		return 127
	}
	p := &Proc{
		Ctx: ctx, Args: words, Stdin: stdin, Stdout: stdout, Stderr: stderr,
		StdoutTTY: s.tty, Columns: 80, FS: s.fs, Dir: s.dir, Env: s.env, Umask: 0o022,
		Sub: func(ctx context.Context, script string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			return s.run(ctx, script, stdin, stdout, stderr)
		},
	}
	return f(p)
}

// shellWords splits a line into words, honouring single and double quotes and backslashes,
// and returns operators (| ; && || < > >> 2>&1) as their own tokens.
func shellWords(line string) []string {
	var out []string
	var cur strings.Builder
	has := false
	flush := func() {
		if has {
			out = append(out, cur.String())
			cur.Reset()
			has = false
		}
	}
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			has = true
		case ch == '"':
			i++
			for i < len(line) && line[i] != '"' {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(line[i])
				i++
			}
			has = true
		case ch == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			has = true
		case ch == ' ' || ch == '\t':
			flush()
		case ch == '|' || ch == ';' || ch == '&' || ch == '<' || ch == '>':
			flush()
			switch {
			case strings.HasPrefix(line[i:], "&&"), strings.HasPrefix(line[i:], "||"), strings.HasPrefix(line[i:], ">>"):
				out = append(out, "\x00"+line[i:i+2])
				i++
			default:
				out = append(out, "\x00"+string(ch))
			}
		case ch == '2' && strings.HasPrefix(line[i:], "2>&1") && !has:
			out = append(out, "\x002>&1")
			i += 3
		default:
			cur.WriteByte(ch)
			has = true
		}
	}
	flush()
	return out
}

func (e *diffEnv) runEmu(t testing.TB, line, stdin string) (string, string, int) {
	t.Helper()
	s := &miniShell{reg: Default(), fs: vfs.NewMemFS(e.img), dir: e.root, env: map[string]string{"LANG": "C", "TZ": "UTC", "HOME": "/root", "PATH": "/usr/bin:/bin"}}
	var so, se bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st := s.run(ctx, line, strings.NewReader(stdin), &so, &se)
	return so.String(), se.String(), st
}

type diffCase struct {
	line  string
	stdin string
}

func runDiffCases(t *testing.T, cases []diffCase) {
	for _, tool := range []string{"bash", "ls", "grep", "sed", "mawk"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("differential tests need Debian's %s on the host: %v", tool, err)
		}
	}
	env := buildDiffEnv(t)
	for _, tc := range cases {
		parent := t
		t.Run(tc.line, func(t *testing.T) {
			// Each case gets a fresh tree on both sides, so mutating commands compare too.
			wo, we, ws := env.runReal(t, tc.line, tc.stdin)
			go_, ge, gs := env.runEmu(t, tc.line, tc.stdin)
			if wo != go_ || we != ge || ws != gs {
				t.Errorf("%s\n--- real (status %d)\nstdout:\n%q\nstderr:\n%q\n--- emulated (status %d)\nstdout:\n%q\nstderr:\n%q", tc.line, ws, wo, we, gs, go_, ge)
			}
			// Restore the host tree for the next case if this one changed it.
			if isMutating(tc.line) {
				env = buildDiffEnv(parent)
			}
		})
	}
}

func isMutating(line string) bool {
	for _, w := range []string{"cp ", "mv ", "rm ", "mkdir ", "rmdir ", "touch ", "chmod ", "chown ", "chgrp ", "ln ", "tee ", "sed -i", ">", "-delete", "mktemp"} {
		if strings.Contains(line, w) {
			return true
		}
	}
	return false
}

func TestDiffFileutils(t *testing.T) {
	runDiffCases(t, []diffCase{
		{line: "ls"},
		{line: "ls -a"},
		{line: "ls -A"},
		{line: "ls -l"},
		{line: "ls -la"},
		{line: "ls -lA"},
		{line: "ls -lh"},
		{line: "ls -lah"},
		{line: "ls -1"},
		{line: "ls -lt"},
		{line: "ls -ltr"},
		{line: "ls -lS"},
		{line: "ls -lSr"},
		{line: "ls -r"},
		{line: "ls -R"},
		{line: "ls -lR"},
		{line: "ls -d sub"},
		{line: "ls -ld sub"},
		{line: "ls -F"},
		{line: "ls -p"},
		{line: "ls -lF"},
		{line: "ls -ln"},
		{line: "ls -li"},
		{line: "ls -i"},
		{line: "ls -s"},
		{line: "ls -ls"},
		{line: "ls -C"},
		{line: "ls -x"},
		{line: "ls -m"},
		{line: "ls -Ca"},
		{line: "ls -lg"},
		{line: "ls -lo"},
		{line: "ls -lG"},
		{line: "ls --color=always"},
		{line: "ls -l --color=always"},
		{line: "ls --color=never -l"},
		{line: "ls /nope"},
		{line: "ls -l /nope a.txt"},
		{line: "ls sub a.txt"},
		{line: "ls sub sub/deep"},
		{line: "ls -z"},
		{line: "ls --colr"},
		{line: "ls --c"},
		{line: "ls --all=x"},
		{line: "ls -l link dirlink dangling"},
		{line: "ls dirlink"},
		{line: "ls -L"},
		{line: "ls -l --full-time a.txt"},
		{line: "ls -l --time-style=long-iso"},
		{line: "ls -X"},
		{line: "ls -lv"},
		{line: "ls --group-directories-first"},
		{line: "ls -w 40 -C"},
		{line: "cat a.txt"},
		{line: "cat a.txt b.txt"},
		{line: "cat -n a.txt b.txt"},
		{line: "cat -b b.txt"},
		{line: "cat -A tabs.txt"},
		{line: "cat -e tabs.txt"},
		{line: "cat -T tabs.txt"},
		{line: "cat -s tabs.txt"},
		{line: "cat -v tabs.txt"},
		{line: "cat /nope"},
		{line: "cat sub"},
		{line: "cat a.txt /nope b.txt"},
		{line: "cat", stdin: "from stdin\n"},
		{line: "cat - a.txt", stdin: "x\n"},
		{line: "cat -z"},
		{line: "head a.txt"},
		{line: "head -n 2 a.txt"},
		{line: "head -2 a.txt"},
		{line: "head -n -2 a.txt"},
		{line: "head -c 5 a.txt"},
		{line: "head -c -5 a.txt"},
		{line: "head a.txt b.txt"},
		{line: "head -q a.txt b.txt"},
		{line: "head -v a.txt"},
		{line: "head -n abc a.txt"},
		{line: "head /nope a.txt"},
		{line: "tail a.txt"},
		{line: "tail -n 2 a.txt"},
		{line: "tail -2 a.txt"},
		{line: "tail -n +3 a.txt"},
		{line: "tail +3 a.txt"},
		{line: "tail -c 7 a.txt"},
		{line: "tail a.txt b.txt"},
		{line: "tail -n 1 tabs.txt"},
		{line: "wc a.txt"},
		{line: "wc -l a.txt"},
		{line: "wc -w a.txt b.txt"},
		{line: "wc -c big.bin"},
		{line: "wc a.txt b.txt sub"},
		{line: "wc -m tabs.txt"},
		{line: "wc -L a.txt"},
		{line: "wc", stdin: "one two\nthree\n"},
		{line: "wc -l", stdin: "one two\nthree\n"},
		{line: "wc /nope"},
		{line: "cat a.txt | wc -l"},
		{line: "basename /usr/bin/ls"},
		{line: "basename /usr/lib/ .so"},
		{line: "basename a.txt .txt"},
		{line: "basename -a /x/y /z/w"},
		{line: "basename"},
		{line: "dirname /usr/bin/ls"},
		{line: "dirname a.txt"},
		{line: "dirname / /a/ //x"},
		{line: "readlink link"},
		{line: "readlink a.txt"},
		{line: "readlink -f link"},
		{line: "readlink -f dangling"},
		{line: "readlink -f sub/../a.txt"},
		{line: "realpath link sub/deep"},
		{line: "realpath /nope/x"},
		{line: "mkdir newdir && ls -ld newdir | cut -c1-10"},
		{line: "mkdir sub"},
		{line: "mkdir x/y/z"},
		{line: "mkdir -p x/y/z && ls -R x"},
		{line: "mkdir -pv x/y"},
		{line: "mkdir -m 700 m && ls -ld m | cut -c1-10"},
		{line: "mkdir"},
		{line: "rmdir sub"},
		{line: "rmdir sub/deep/d.log"},
		{line: "rmdir /nope"},
		{line: "rm a.txt && ls"},
		{line: "rm sub"},
		{line: "rm /nope"},
		{line: "rm -f /nope"},
		{line: "rm -r sub && ls"},
		{line: "rm -rf sub nope && ls"},
		{line: "rm -v a.txt b.txt"},
		{line: "rm"},
		{line: "rm -rf ."},
		{line: "rm -d sub/deep/"},
		{line: "cp a.txt c.txt && cat c.txt"},
		{line: "cp sub x"},
		{line: "cp -r sub x && ls -R x"},
		{line: "cp /nope x"},
		{line: "cp a.txt"},
		{line: "cp"},
		{line: "cp a.txt b.txt sub/deep && ls sub/deep"},
		{line: "cp a.txt b.txt empty"},
		{line: "cp a.txt a.txt"},
		{line: "cp -v a.txt z.txt"},
		{line: "cp -p exec.sh e2 && ls -l e2"},
		{line: "mv a.txt z.txt && ls"},
		{line: "mv /nope x"},
		{line: "mv sub sub/deep"},
		{line: "mv -v b.txt sub"},
		{line: "touch newfile && ls newfile"},
		{line: "touch -d '2020-01-02 03:04:05' a.txt && ls -l a.txt"},
		{line: "touch -t 202201020304 a.txt && ls -l a.txt"},
		{line: "touch /nope/x"},
		{line: "touch -h -d '2020-01-02 03:04:05' link && stat -c '%n %Y' link a.txt"},
		{line: "touch -h nofile; ls nofile"},
		{line: "touch -hc nofile && ls"},
		{line: "chmod 600 a.txt && ls -l a.txt"},
		{line: "chmod u+x,go-r a.txt && ls -l a.txt"},
		{line: "chmod a=r a.txt && ls -l a.txt"},
		{line: "chmod -R g+w sub && ls -lR sub"},
		{line: "chmod +x a.txt && ls -l a.txt"},
		{line: "chmod 4755 a.txt && ls -l a.txt"},
		{line: "chmod 1777 sub && ls -ld sub"},
		{line: "chmod xyz a.txt"},
		{line: "chmod 755"},
		{line: "chmod 755 /nope"},
		{line: "chmod -v 644 exec.sh"},
		{line: "chown root:root a.txt && ls -l a.txt"},
		{line: "chmod 6755 a.txt && chown root a.txt && ls -l a.txt"}, {line: "chmod 6745 a.txt && chown :root a.txt && ls -l a.txt"},
		{line: "chown nosuchuser a.txt"},
		{line: "chgrp daemon a.txt && ls -l a.txt"},
		{line: "ln -s a.txt l2 && ls -l l2"},
		{line: "ln -s a.txt link"},
		{line: "ln -sf b.txt link && readlink link"},
		{line: "find sub | sort"},
		{line: "find sub -name '*.log'"},
		{line: "find . -maxdepth 1 -name '*.txt' -type f | sort"},
		{line: "find sub -type d | sort"},
		{line: "find sub -type f -size -1k"},
		{line: "find /nope"},
		{line: "find . -foo"},
		{line: "find . -name"},
		{line: "find sub -name c.txt -exec cat {} \\;"},
		{line: "find sub -perm 644 | sort"},
		{line: "find sub -empty"},
		{line: "find sub/deep -print"},
		{line: "find sub -mindepth 1 -maxdepth 1 | sort"},
		{line: "find sub -not -name '*.txt'"},
		{line: "find sub -name '*.log' -delete && find sub | sort"},
		{line: "du -s sub"},
		{line: "du -sh sub"},
		{line: "du sub"},
		{line: "du -a sub | sort"},
		{line: "du -c sub a.txt"},
		{line: "seq 5"},
		{line: "seq 2 4"},
		{line: "seq 1 3 10"},
		{line: "seq 5 -1 1"},
		{line: "seq -w 8 11"},
		{line: "seq -s , 3"},
		{line: "seq 0.5 0.5 2"},
		{line: "seq 1 0 3"},
		{line: "seq"},
		{line: "seq -f %03g 3"},
		{line: "yes | head -3"},
		{line: "yes abc | head -2"},
		{line: "echo hello | tee out.txt && cat out.txt"},
		{line: "echo more | tee -a a.txt && cat a.txt"},
	})
}
