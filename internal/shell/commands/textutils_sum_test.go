package commands

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

// sumEnv runs programs of the default registry over the default persona, whose image keeps
// only the head of its binaries.
type sumEnv struct {
	t   *testing.T
	per *persona.Persona
	fs  *vfs.FS
}

func newSumEnv(t *testing.T) *sumEnv {
	t.Helper()
	p, err := persona.Default()
	if err != nil {
		t.Fatal(err)
	}
	return &sumEnv{t: t, per: p, fs: vfs.NewMemFS(p)}
}

func (e *sumEnv) run(args ...string) (string, string, int) {
	e.t.Helper()
	f, ok := Default().Lookup(args[0])
	if !ok {
		e.t.Fatalf("%s is not registered", args[0])
	}
	var out, errb bytes.Buffer
	p := &Proc{Ctx: context.Background(), Args: args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Columns: 80, FS: e.fs, Dir: "/root", Env: map[string]string{"LC_ALL": "C"}, Persona: e.per,
		User: persona.User{Name: "root", Home: "/root", Shell: "/bin/bash"}, Umask: 0o022,
		Session: &Session{ID: "t", Clock: func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) }}}
	st := f(p)
	return out.String(), errb.String(), st
}

func hexSum(sum []byte) string { return hex.EncodeToString(sum) }

func TestSumsOfTruncatedPersonaBinaries(t *testing.T) {
	e := newSumEnv(t)
	const bin = "/usr/bin/ls"
	fi, ok := e.per.Info(bin)
	if !ok || fi.Complete {
		t.Fatalf("%s should be a truncated image file: %+v %v", bin, fi, ok)
	}
	head, err := e.per.ReadFile(bin)
	if err != nil || int64(len(head)) >= fi.Size {
		t.Fatalf("image head of %s: %d bytes of %d (%v)", bin, len(head), fi.Size, err)
	}
	md5hex, sha1hex, sha256hex, ok := e.per.Hashes(bin)
	if !ok {
		t.Fatal("no recorded hashes")
	}
	headMD5 := md5.Sum(head)
	if hexSum(headMD5[:]) == md5hex {
		t.Fatal("test needs a file whose head hashes differently from the whole")
	}
	for _, c := range []struct{ prog, want string }{
		{"md5sum", md5hex}, {"sha1sum", sha1hex}, {"sha256sum", sha256hex},
	} {
		out, errs, st := e.run(c.prog, bin)
		if want := c.want + "  " + bin + "\n"; out != want || errs != "" || st != 0 {
			t.Errorf("%s %s = %q %q %d, want %q", c.prog, bin, out, errs, st, want)
		}
	}
	// Through a symlink (/bin -> usr/bin) and in BSD format, the same recorded digest.
	if out, _, _ := e.run("md5sum", "--tag", "/bin/ls"); out != "MD5 (/bin/ls) = "+md5hex+"\n" {
		t.Errorf("md5sum --tag /bin/ls = %q", out)
	}
	// ls -l shows the real size, as the digests describe the real file.
	out, _, _ := e.run("ls", "-l", bin)
	if f := strings.Fields(out); len(f) < 5 || f[4] != strconv.FormatInt(fi.Size, 10) {
		t.Errorf("ls -l %s = %q, want size %d", bin, out, fi.Size)
	}
	// md5sum -c agrees.
	if err := e.fs.WriteFile("/root/sums", []byte(md5hex+"  "+bin+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errs, st := e.run("md5sum", "-c", "/root/sums"); out != bin+": OK\n" || errs != "" || st != 0 {
		t.Errorf("md5sum -c = %q %q %d", out, errs, st)
	}
	// touch and chmod change the metadata, not the content: still the recorded digest.
	if _, errs, st := e.run("touch", bin); st != 0 {
		t.Fatalf("touch: %s", errs)
	}
	if _, errs, st := e.run("chmod", "700", bin); st != 0 {
		t.Fatalf("chmod: %s", errs)
	}
	if out, _, _ := e.run("md5sum", bin); out != md5hex+"  "+bin+"\n" {
		t.Errorf("after touch and chmod: %q, want the recorded %s", out, md5hex)
	}
	// No SHA-512 was recorded: that digest stays the one of what the image holds.
	h512 := sha512.Sum512(head)
	if out, _, _ := e.run("sha512sum", bin); out != hexSum(h512[:])+"  "+bin+"\n" {
		t.Errorf("sha512sum = %q", out)
	}
}

func TestSumsOfOverlayFiles(t *testing.T) {
	e := newSumEnv(t)
	if err := e.fs.WriteFile("/tmp/y", []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := md5.Sum([]byte("x\n"))
	if out, _, st := e.run("md5sum", "/tmp/y"); out != hexSum(want[:])+"  /tmp/y\n" || st != 0 {
		t.Errorf("md5sum /tmp/y = %q, want %x", out, want)
	}
	// A persona binary the attacker appended to is hashed as its overlay content.
	const bin = "/usr/bin/cat"
	recorded, _, _, ok := e.per.Hashes(bin)
	if !ok {
		t.Fatal("no recorded hashes for " + bin)
	}
	if err := e.fs.AppendFile(bin, []byte("payload\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := e.fs.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.Sum256(data)
	out, _, _ := e.run("sha256sum", bin)
	if out != hexSum(got[:])+"  "+bin+"\n" {
		t.Errorf("sha256sum of a modified binary = %q, want the digest of its overlay content %x", out, got)
	}
	if out, _, _ := e.run("md5sum", bin); strings.HasPrefix(out, recorded) {
		t.Errorf("modified binary still reports the recorded digest %s", recorded)
	}
	// A file replaced by another image file's content (same name, other bytes) is not
	// mistaken for the original.
	cat, err := e.per.ReadFile("/usr/bin/ls")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.fs.WriteFile("/usr/bin/id", cat, 0o755); err != nil {
		t.Fatal(err)
	}
	h1 := sha1.Sum(cat)
	if out, _, _ := e.run("sha1sum", "/usr/bin/id"); out != hexSum(h1[:])+"  /usr/bin/id\n" {
		t.Errorf("sha1sum of an overwritten binary = %q", out)
	}
	// Text files kept whole hash to their content, which is also what the persona recorded.
	_, _, rec, _ := e.per.Hashes("/etc/passwd")
	if out, _, _ := e.run("sha256sum", "/etc/passwd"); out != rec+"  /etc/passwd\n" {
		t.Errorf("sha256sum /etc/passwd = %q, recorded %s", out, rec)
	}
}
