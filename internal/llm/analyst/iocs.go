package analyst

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

// maxIOCs bounds each kind of indicator in one analysis.
const maxIOCs = 50

var (
	urlRe = regexp.MustCompile(`(?i)\b(?:https?|ftp|tftp|stratum\+(?:tcp|ssl|tls))://[^\s'"<>|;&)\x60\\]+`)
	ipRe  = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	// sshKeyRe finds an OpenSSH public key: type, base64 body, optional comment.
	sshKeyRe = regexp.MustCompile(`\b(ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+(AAAA[0-9A-Za-z+/]+={0,3})(?:[ \t]+([^\s"'>|;&\\]+))?`)
	// netCmdArg finds the host argument of network commands that take one without a scheme.
	netCmdArg = regexp.MustCompile(`\b(?:wget|curl|ping|nc|ncat|telnet|nslookup|dig|host|tftp|ftpget|ssh|scp)\s+(?:-\S+\s+(?:\d+\s+)?)*(?:[\w.-]+@)?([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,24})(?:[:/\s]|$)`)
	domainRe  = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,23}$`)
	hexHash   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// fileSuffixes are endings that make a dotted word a file name rather than a domain.
var fileSuffixes = map[string]bool{
	"sh": true, "bin": true, "tgz": true, "gz": true, "tar": true, "zip": true, "txt": true, "py": true,
	"pl": true, "so": true, "conf": true, "log": true, "x86": true, "arm": true, "arm7": true, "mips": true,
	"mpsl": true, "ppc": true, "elf": true, "exe": true, "json": true, "yml": true, "yaml": true, "php": true,
	"js": true, "deb": true, "rpm": true, "pub": true, "key": true, "pem": true, "out": true, "tmp": true,
	"bak": true, "jpg": true, "png": true, "html": true, "htm": true, "xml": true, "cfg": true, "ini": true,
	"lock": true, "pid": true, "sock": true, "xz": true, "bz2": true, "md": true, "c": true, "go": true,
}

// ExtractIOCs collects the indicators a session names: URLs, IP addresses and domains in its
// command lines and transfer events, hashes of the files it fetched or uploaded, and SSH
// public keys it installed or offered. The sensor's own address and loopback are left out.
func ExtractIOCs(t *Transcript) IOCs {
	c := newCollector(t.DstIP)
	for _, cm := range t.Commands {
		c.fromText(cm.Input)
	}
	for _, d := range t.Downloads {
		c.addURL(d.URL)
		c.addHash(d.SHA256)
	}
	for _, u := range t.Uploads {
		c.addHash(u.SHA256)
	}
	for _, f := range t.Forwards {
		host := f
		if i := strings.LastIndexByte(f, ':'); i > 0 {
			host = f[:i]
		}
		c.addHost(host)
	}
	for _, k := range t.ClientKeys {
		c.addKeys(k)
	}
	return c.out
}

type collector struct {
	out  IOCs
	seen map[string]bool
	self string
}

func newCollector(self string) *collector {
	return &collector{seen: map[string]bool{}, self: self,
		out: IOCs{URLs: []string{}, IPs: []string{}, Domains: []string{}, Hashes: []string{}, SSHKeys: []SSHKey{}}}
}

// seed starts the collector from indicators found before, so they are not repeated.
func (c *collector) seed(i IOCs) {
	for _, v := range i.URLs {
		c.once("url", v, 0)
		c.out.URLs = append(c.out.URLs, v)
	}
	for _, v := range i.IPs {
		c.once("ip", v, 0)
		c.out.IPs = append(c.out.IPs, v)
	}
	for _, v := range i.Domains {
		c.once("domain", v, 0)
		c.out.Domains = append(c.out.Domains, v)
	}
	for _, v := range i.Hashes {
		c.once("hash", v, 0)
		c.out.Hashes = append(c.out.Hashes, v)
	}
	for _, k := range i.SSHKeys {
		c.once("key", k.Key, 0)
		c.out.SSHKeys = append(c.out.SSHKeys, k)
	}
}

func (c *collector) once(kind, v string, n int) bool {
	if v == "" || n >= maxIOCs || c.seen[kind+" "+v] {
		return false
	}
	c.seen[kind+" "+v] = true
	return true
}

func (c *collector) fromText(s string) {
	for _, u := range urlRe.FindAllString(s, -1) {
		c.addURL(u)
	}
	for _, ip := range ipRe.FindAllString(s, -1) {
		c.addIP(ip)
	}
	for _, m := range netCmdArg.FindAllStringSubmatch(s, -1) {
		c.addHost(m[1])
	}
	c.addKeys(s)
}

func (c *collector) addURL(raw string) {
	raw = strings.TrimRight(raw, ".,:")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return
	}
	if c.once("url", raw, len(c.out.URLs)) {
		c.out.URLs = append(c.out.URLs, raw)
	}
	c.addHost(u.Hostname())
}

// addHost files a host name or address under IPs or Domains.
func (c *collector) addHost(h string) {
	h = strings.Trim(strings.ToLower(h), "[].")
	if _, err := netip.ParseAddr(h); err == nil {
		c.addIP(h)
		return
	}
	if !domainRe.MatchString(h) || len(h) > 253 {
		return
	}
	if fileSuffixes[h[strings.LastIndexByte(h, '.')+1:]] {
		return
	}
	if c.once("domain", h, len(c.out.Domains)) {
		c.out.Domains = append(c.out.Domains, h)
	}
}

func (c *collector) addIP(s string) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return
	}
	a = a.Unmap()
	if a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || a.String() == c.self {
		return
	}
	if c.once("ip", a.String(), len(c.out.IPs)) {
		c.out.IPs = append(c.out.IPs, a.String())
	}
}

func (c *collector) addHash(h string) {
	h = strings.ToLower(h)
	if hexHash.MatchString(h) && c.once("hash", h, len(c.out.Hashes)) {
		c.out.Hashes = append(c.out.Hashes, h)
	}
}

func (c *collector) addKeys(s string) {
	for _, m := range sshKeyRe.FindAllStringSubmatch(s, -1) {
		k := SSHKey{Type: m[1], Key: m[1] + " " + m[2], Comment: m[3]}
		if raw, err := base64.StdEncoding.DecodeString(m[2]); err == nil {
			if pk, err := ssh.ParsePublicKey(raw); err == nil {
				k.Fingerprint = ssh.FingerprintSHA256(pk)
			}
		}
		if c.once("key", k.Key, len(c.out.SSHKeys)) {
			c.out.SSHKeys = append(c.out.SSHKeys, k)
		}
	}
}

func (i IOCs) count() int {
	return len(i.URLs) + len(i.IPs) + len(i.Domains) + len(i.Hashes) + len(i.SSHKeys)
}

// describe counts the indicators in words ("2 URL(s), 1 IP address(es)").
func (i IOCs) describe() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(len(i.URLs), "URL(s)")
	add(len(i.IPs), "IP address(es)")
	add(len(i.Domains), "domain(s)")
	add(len(i.Hashes), "file hash(es)")
	add(len(i.SSHKeys), "SSH key(s)")
	return strings.Join(parts, ", ")
}
