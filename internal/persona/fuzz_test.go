package persona

import (
	"archive/zip"
	"bytes"
	"fmt"
	"path"
	"testing"
	"time"
)

// buildZip makes a persona file by hand, stored uncompressed so the fuzzer can reach into
// the manifest and the packs.
func buildZip(t testing.TB, manifest string, packs map[int][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: manifestName, Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(manifest))
	for i := 0; i < len(packs); i++ {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%s%d", packPrefix, i), Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(packs[i])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func smallManifest() string {
	return fmt.Sprintf(`{"format":1,"facts":{"hostname":"h","boot_time":"2030-01-01T00:00:00Z","hardware":{"CPUs":2}},"entries":[
		{"p":"/","m":%d,"n":3},
		{"p":"/etc","m":%d},
		{"p":"/etc/passwd","m":%d,"s":32,"b":[0,0,32],"f":true},
		{"p":"/etc/os-release","m":%d,"s":10,"b":[0,32,10],"f":true},
		{"p":"/proc","m":%d},
		{"p":"/proc/uptime","m":%d,"d":"uptime"},
		{"p":"/dev","m":%d},
		{"p":"/dev/null","m":%d,"rd":259},
		{"p":"/lnk","m":%d,"l":"etc/passwd"}]}`,
		sIFDIR|0o755, sIFDIR|0o755, sIFREG|0o644, sIFREG|0o644, sIFDIR|0o555, sIFREG|0o444, sIFDIR|0o755, sIFCHR|0o666, sIFLNK|0o777)
}

func TestParseRejectsCorruptFiles(t *testing.T) {
	pack := map[int][]byte{0: []byte("root:x:0:0:root:/root:/bin/bash\nID=debian\n")}
	good := buildZip(t, smallManifest(), pack)
	p, err := Parse(good)
	if err != nil {
		t.Fatalf("hand-made persona: %v", err)
	}
	if u, ok := p.LookupUser("root"); !ok || u.Shell != "/bin/bash" || p.OSRelease("ID") != "debian" {
		t.Errorf("hand-made persona: root %+v, ID %q", u, p.OSRelease("ID"))
	}
	if got := readString(t, p, "/lnk"); got != "root:x:0:0:root:/root:/bin/bash\n" {
		t.Errorf("/lnk = %q", got)
	}
	if fi, _ := p.Info("/dev/null"); fi.DevMajor != 1 || fi.DevMinor != 3 {
		t.Errorf("/dev/null = %d,%d", fi.DevMajor, fi.DevMinor)
	}
	bad := map[string][]byte{
		"empty":          nil,
		"not zip":        []byte("hello"),
		"truncated":      good[:len(good)/2],
		"no manifest":    zipWith(t, map[string]string{"other": "x"}),
		"bad json":       buildZip(t, "{", nil),
		"wrong format":   buildZip(t, `{"format":2}`, nil),
		"no root":        buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/etc","m":%d}]}`, sIFDIR|0o755), nil),
		"root not dir":   buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d}]}`, sIFREG|0o644), nil),
		"orphan":         buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a/b","m":%d}]}`, sIFDIR|0o755, sIFREG), nil),
		"parent is file": buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d},{"p":"/a/b","m":%d}]}`, sIFDIR|0o755, sIFREG, sIFREG), nil),
		"relative":       buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"a","m":%d}]}`, sIFDIR|0o755, sIFREG), nil),
		"unclean":        buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a/../b","m":%d}]}`, sIFDIR|0o755, sIFREG), nil),
		"duplicate":      buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d},{"p":"/a","m":%d}]}`, sIFDIR|0o755, sIFREG, sIFREG), nil),
		"bad type":       buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d}]}`, sIFDIR|0o755, 0o644), nil),
		"link no target": buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d}]}`, sIFDIR|0o755, sIFLNK|0o777), nil),
		"missing pack":   buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"b":[3,0,1]}]}`, sIFDIR|0o755, sIFREG), nil),
		"past pack end":  buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"b":[0,40,10]}]}`, sIFDIR|0o755, sIFREG), pack),
		"negative off":   buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"b":[0,-1,2]}]}`, sIFDIR|0o755, sIFREG), pack),
		"short ref":      buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"b":[0,1]}]}`, sIFDIR|0o755, sIFREG), pack),
		"dir content":    buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d,"b":[0,0,1]}]}`, sIFDIR|0o755), pack),
		"bad hash":       buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"md5":"xyz"}]}`, sIFDIR|0o755, sIFREG), nil),
		"negative size":  buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"s":-5}]}`, sIFDIR|0o755, sIFREG), nil),
		"bad generator":  buildZip(t, fmt.Sprintf(`{"format":1,"entries":[{"p":"/","m":%d},{"p":"/a","m":%d,"d":"nope"}]}`, sIFDIR|0o755, sIFREG), nil),
		"bad cpus":       buildZip(t, fmt.Sprintf(`{"format":1,"facts":{"hardware":{"CPUs":-1}},"entries":[{"p":"/","m":%d}]}`, sIFDIR|0o755), nil),
		"bad pack name":  zipWith(t, map[string]string{manifestName: smallManifest(), "pack/x": ""}),
	}
	for name, data := range bad {
		if _, err := Parse(data); err == nil {
			t.Errorf("%s: Parse succeeded", name)
		}
	}
	// A pack whose stored bytes are shorter than its header claims fails on read.
	short := bytes.Replace(good, []byte("ID=debian\n"), []byte("ID=debia\n\x00"), 1)
	if p, err := Parse(short); err == nil {
		if _, err := p.ReadFile("/etc/os-release"); err == nil {
			t.Error("content with a bad checksum was served")
		}
	}
}

func zipWith(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	zw.Close()
	return buf.Bytes()
}

// FuzzParse feeds the loader corrupt persona files: it must return an error or a usable
// persona, never panic, and a loaded persona must answer every lookup.
func FuzzParse(f *testing.F) {
	pack := map[int][]byte{0: []byte("root:x:0:0:root:/root:/bin/bash\nID=debian\n")}
	f.Add(buildZip(f, smallManifest(), pack))
	f.Add(buildZip(f, `{"format":1,"facts":{},"entries":[{"p":"/","m":16877},{"p":"/a","m":41471,"l":"b"},{"p":"/b","m":41471,"l":"/a"}]}`, nil))
	real, _ := newFakeRoot(f).capture(f)
	f.Add(real)
	f.Add(real[:len(real)-100])
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		exercise(p)
	})
}

func exercise(p *Persona) {
	budget := 2000
	var walk func(dir string)
	walk = func(dir string) {
		list, _ := p.ReadDir(dir)
		for _, m := range list {
			if budget--; budget < 0 {
				return
			}
			child := path.Join(dir, m.Name)
			p.Info(child)
			p.Hashes(child)
			p.ReadFile(child)
			if m.Mode.IsDir() {
				walk(child)
			}
		}
	}
	walk("/")
	p.LookupUser("root")
	p.LookupUID(0)
	p.LookupGroup("root")
	p.LookupGID(0)
	p.GroupsOf("root")
	p.Packages()
	p.LookupPackage("openssh-server")
	p.OSReleaseFields()
	for k := range dynamicKinds {
		p.DynamicFile(k, time.Unix(1<<40, 0))
	}
}
