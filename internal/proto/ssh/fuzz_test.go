package ssh

import (
	"path"
	"strings"
	"testing"

	"github.com/pkg/sftp"

	"github.com/lure-sensor/lure/internal/vfs"
)

func FuzzKexInit(f *testing.F) {
	f.Add(kexInitPacket([10]string{"curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha2-256", "hmac-sha2-256", "none", "none", "", ""})[5:])
	f.Add([]byte{msgKexInit})
	f.Add(append([]byte{msgKexInit}, make([]byte, 16)...))
	f.Add(append(append([]byte{msgKexInit}, make([]byte, 16)...), 0xff, 0xff, 0xff, 0xff))
	f.Fuzz(func(t *testing.T, payload []byte) {
		k, err := ParseKexInit(payload)
		if err != nil {
			return
		}
		// A parsed KEXINIT re-encodes to a prefix of the input: the parser read exactly
		// the lists that were there.
		enc := []byte{msgKexInit}
		enc = append(enc, payload[1:17]...)
		for _, l := range [][]string{k.Kex, k.HostKey, k.EncCS, k.EncSC, k.MacCS, k.MacSC, k.CompCS, k.CompSC, k.LangCS, k.LangSC} {
			s := strings.Join(l, ",")
			enc = append(enc, byte(len(s)>>24), byte(len(s)>>16), byte(len(s)>>8), byte(len(s)))
			enc = append(enc, s...)
		}
		if !strings.HasPrefix(string(payload), string(enc)) {
			t.Fatalf("re-encoding differs from input")
		}
		if len(k.HASSH()) != 32 {
			t.Fatal("bad hassh")
		}
	})
}

func FuzzWireSniffer(f *testing.F) {
	f.Add([]byte("SSH-2.0-x\r\n"), 3)
	f.Add(append([]byte("junk\nSSH-2.0-OpenSSH_9.2\r\n"), kexInitPacket([10]string{"a", "b", "c", "d", "e", "f", "g", "h", "", ""})...), 7)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		var w wireSniffer
		w.onKex = func(k KexInit) { _ = k.HASSH() }
		if split < 0 {
			split = -split
		}
		if len(data) > 0 {
			split %= len(data) + 1
		} else {
			split = 0
		}
		w.feed(data[:split])
		w.feed(data[split:])
		if len(w.buf) > maxPreKex {
			t.Fatal("sniffer buffer unbounded")
		}
	})
}

// FuzzSFTPPath checks that no client path leaves the virtual root and that the handlers
// never fail unexpectedly on hostile paths.
func FuzzSFTPPath(f *testing.F) {
	for _, s := range []string{"", ".", "..", "/", "../../../etc/passwd", "/root/../../..", "a/b/../../../../x", "//x//y/", "\x00", "~", "/tmp/./.././../proc/self/root", "./-rf *"} {
		f.Add(s, "/root")
	}
	img := vfs.NewMemImage()
	img.AddDir("/root", 0o700)
	img.AddDir("/tmp", 0o1777)
	img.AddFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n", 0o644)
	img.AddSymlink("/tmp/up", "../../..")
	f.Fuzz(func(t *testing.T, p, home string) {
		if !path.IsAbs(home) {
			home = "/" + home
		}
		vp := vpath(home, p)
		if !path.IsAbs(vp) || path.Clean(vp) != vp {
			t.Fatalf("vpath(%q, %q) = %q: not absolute and clean", home, p, vp)
		}
		for _, el := range strings.Split(vp, "/") {
			if el == ".." {
				t.Fatalf("vpath(%q, %q) = %q keeps ..", home, p, vp)
			}
		}
		fsh := &sftpFS{fs: vfs.NewMemFS(img), home: "/root"}
		rp, _ := fsh.RealPath(p)
		if !path.IsAbs(rp) || strings.Contains("/"+rp+"/", "/../") {
			t.Fatalf("RealPath(%q) = %q", p, rp)
		}
		r := sftp.NewRequest("Stat", p)
		_, _ = fsh.Filelist(r)
		r = sftp.NewRequest("List", p)
		_, _ = fsh.Filelist(r)
		_, _ = fsh.Fileread(sftp.NewRequest("Get", p))
		_ = fsh.Filecmd(sftp.NewRequest("Mkdir", p))
	})
}
