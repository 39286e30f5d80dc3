package commands

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
)

// md5sum, sha1sum, sha224sum, sha256sum, sha384sum and sha512sum (coreutils 9.1).
//
// The persona image keeps only the head (4 KiB) of large files such as binaries, while
// stat, ls -l and du report their real size. A digest of that head would give away the
// honeypot to anyone who compares `md5sum /usr/bin/ls` with a real Debian box, so a file
// still served from the image gets the digest the capture recorded for the whole file.
// Once the attacker replaced the file in the overlay, its overlay content is hashed.
//
// Other readers of a truncated file still see only its head: cat, head -c, tail, wc -c,
// od/xxd, cp (whose copy is then 4 KiB long), base64, strings. Only the digests and the
// sizes stat reports are those of the real file.

func sumMain(p *Proc) int {
	c := newCmd(p)
	base := c.base()
	opts, files, ok, st := c.parse(optSpec{Short: "bctwz", Long: withHelp(
		longOpt{"binary", argNone, "b"}, longOpt{"check", argNone, "c"}, longOpt{"tag", argNone, "tag"},
		longOpt{"text", argNone, "t"}, longOpt{"quiet", argNone, "quiet"}, longOpt{"status", argNone, "status"},
		longOpt{"warn", argNone, "w"}, longOpt{"strict", argNone, "strict"}, longOpt{"zero", argNone, "z"},
		longOpt{"ignore-missing", argNone, "ignore-missing"})}, 1)
	if !ok {
		return st
	}
	if h, st := c.helpVersion(opts, textutilsHelp, base); h {
		return st
	}
	newHash := map[string]func() hash.Hash{"md5sum": md5.New, "sha1sum": sha1.New, "sha224sum": sha256.New224,
		"sha256sum": sha256.New, "sha384sum": sha512.New384, "sha512sum": sha512.New}[base]
	tagName := map[string]string{"md5sum": "MD5", "sha1sum": "SHA1", "sha224sum": "SHA224", "sha256sum": "SHA256", "sha384sum": "SHA384", "sha512sum": "SHA512"}[base]
	if newHash == nil {
		newHash = md5.New
	}
	tag, binary := hasOpt(opts, "tag"), hasOpt(opts, "b")
	if hasOpt(opts, "c") {
		return sumCheck(c, files, base, newHash, hasOpt(opts, "quiet"), hasOpt(opts, "status"))
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		var sum string
		if f == "-" {
			h := newHash()
			buf := make([]byte, 64*1024)
			for c.Stdin != nil && !c.failed() {
				n, err := c.Stdin.Read(buf)
				h.Write(buf[:n])
				if err != nil {
					break
				}
			}
			sum = hex.EncodeToString(h.Sum(nil))
		} else {
			if m, err := c.FS.Stat(c.abs(f)); err == nil && m.Mode.IsDir() {
				c.errorf("%s: Is a directory", c.quoteF(f))
				status = 1
				continue
			}
			s, err := c.fileSum(c.abs(f), base, newHash)
			if err != nil {
				c.errorf("%s: %s", c.quoteF(f), errText(err))
				status = 1
				continue
			}
			sum = s
		}
		name := f
		prefix := ""
		if strings.ContainsAny(name, "\\\n") {
			prefix = "\\"
			name = strings.ReplaceAll(strings.ReplaceAll(name, "\\", "\\\\"), "\n", "\\n")
		}
		switch {
		case tag:
			c.print(prefix + tagName + " (" + name + ") = " + sum + "\n")
		case binary:
			c.print(prefix + sum + " *" + name + "\n")
		default:
			c.print(prefix + sum + "  " + name + "\n")
		}
	}
	return c.done(status)
}

func sumCheck(c *cmd, files []string, base string, newHash func() hash.Hash, quiet, statusOnly bool) int {
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	bad, unread := 0, 0
	for _, f := range files {
		lr, err := c.openLines(f)
		if err != nil {
			c.errorf("%s: %s", c.quoteF(f), errText(err))
			status = 1
			continue
		}
		lines := 0
		for {
			line, _, ok := lr.next()
			if !ok {
				break
			}
			s := string(line)
			if len(s) < 3 {
				continue
			}
			i := strings.IndexByte(s, ' ')
			if i < 0 || i+2 > len(s) {
				continue
			}
			want, name := s[:i], s[i+2:]
			lines++
			got, err := c.fileSum(c.abs(name), base, newHash)
			if err != nil {
				c.errorf("%s: %s", name, errText(err))
				if !statusOnly {
					c.print(name + ": FAILED open or read\n")
				}
				unread++
				continue
			}
			if got == want {
				if !quiet && !statusOnly {
					c.print(name + ": OK\n")
				}
			} else {
				if !statusOnly {
					c.print(name + ": FAILED\n")
				}
				bad++
			}
		}
		if lines == 0 {
			c.errorf("%s: no properly formatted checksum lines found", c.quoteF(f))
			status = 1
		}
	}
	if unread > 0 {
		plural := "s"
		if unread == 1 {
			plural = ""
		}
		c.errorf("WARNING: %d listed file%s could not be read", unread, plural)
		status = 1
	}
	if bad > 0 {
		plural := "s"
		verb := "did"
		if bad == 1 {
			plural = ""
		}
		c.errorf("WARNING: %d computed checksum%s %s NOT match", bad, plural, verb)
		status = 1
	}
	return c.done(status)
}

// fileSum returns the hex digest the program base prints for the regular file at abs.
func (c *cmd) fileSum(abs, base string, newHash func() hash.Hash) (string, error) {
	data, err := c.FS.ReadFile(abs)
	if err != nil {
		return "", err
	}
	if sum, ok := c.recordedSum(abs, base, data); ok {
		return sum, nil
	}
	h := newHash()
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// recordedSum returns the persona's recorded digest of the file at abs when data (what the
// vfs serves for it) is the image's truncated head of that very file. The vfs keeps an
// overlay file's size equal to its content, so content shorter than the size stat reports
// can only come from the image, unchanged: touch or chmod on the file keep the recorded
// digest, any write replaces the content and drops it. A file moved to another name is not
// found under that name in the persona and is hashed as served.
func (c *cmd) recordedSum(abs, base string, data []byte) (string, bool) {
	if c.Persona == nil {
		return "", false
	}
	m, err := c.FS.Stat(abs)
	if err != nil || !m.Mode.IsRegular() || int64(len(data)) >= m.Size {
		return "", false // the whole content is here: its own digest is the right one
	}
	real, err := c.FS.Realpath(abs)
	if err != nil {
		return "", false
	}
	fi, ok := c.Persona.Info(real)
	if !ok || fi.Complete || fi.Size != m.Size {
		return "", false
	}
	head, err := c.Persona.ReadFile(real)
	if err != nil || !bytes.Equal(head, data) {
		return "", false
	}
	md5hex, sha1hex, sha256hex, ok := c.Persona.Hashes(real)
	if !ok {
		return "", false
	}
	switch base {
	case "md5sum":
		return md5hex, md5hex != ""
	case "sha1sum":
		return sha1hex, sha1hex != ""
	case "sha256sum":
		return sha256hex, sha256hex != ""
	}
	// The capture records no SHA-224/384/512: those stay the digest of the head.
	return "", false
}
