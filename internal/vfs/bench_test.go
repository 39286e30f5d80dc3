package vfs

import (
	"fmt"
	"testing"
)

func benchImage() *MemImage {
	img := testImage()
	for i := 0; i < 1500; i++ {
		img.AddFile(fmt.Sprintf("/usr/bin/tool%04d", i), "\x7fELF", 0o755)
	}
	return img
}

func BenchmarkStatThroughSymlink(b *testing.B) {
	f := NewMemFS(benchImage())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Stat("/bin/tool0750"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadFile(b *testing.B) {
	f := NewMemFS(benchImage())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.ReadFile("/etc/passwd"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadDirLarge(b *testing.B) {
	f := NewMemFS(benchImage())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.ReadDir("/usr/bin"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteRemove(b *testing.B) {
	f := NewMemFS(benchImage())
	data := []byte("#!/bin/sh\necho pwned\n")
	b.ReportAllocs()
	for b.Loop() {
		if err := f.WriteFile("/tmp/x.sh", data, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := f.Remove("/tmp/x.sh"); err != nil {
			b.Fatal(err)
		}
	}
}
