package commands

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
)

// curl 7.88.1: its progress meter (shown on stderr whenever the body does not go to a
// terminal), its error lines and exit codes.

const curlTry = "curl: try 'curl --help' or 'curl --manual' for more information\n"

// curlMax5 is curl's max5data: a size in at most five characters.
func curlMax5(n int64) string {
	const kb, mb = 1024, 1024 * 1024
	switch {
	case n < 100000:
		return fmt.Sprintf("%5d", n)
	case n < 10000*kb:
		return fmt.Sprintf("%4dk", n/kb)
	case n < 100*mb:
		return fmt.Sprintf("%2d.%dM", n/mb, (n%mb)/(mb/10))
	case n < 10000*mb:
		return fmt.Sprintf("%4dM", n/mb)
	}
	return fmt.Sprintf("%4dG", n/(1024*mb))
}

// curlTime is curl's time2str for the meter's time columns.
func curlTime(d time.Duration) string {
	s := int64(d / time.Second)
	if s <= 0 {
		return "--:--:--"
	}
	h := s / 3600
	if h <= 99 {
		return fmt.Sprintf("%2d:%02d:%02d", h, (s/60)%60, s%60)
	}
	return fmt.Sprintf("%3dd %02dh", s/86400, h%24)
}

const curlMeterHead = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n" +
	"                                 Dload  Upload   Total   Spent    Left  Speed\n"

// curlMeterLine is one update of the meter.
func curlMeterLine(total, got int64, elapsed time.Duration) string {
	pct := func(a, b int64) int64 {
		if b <= 0 {
			return 0
		}
		return a * 100 / b
	}
	speed := int64(0)
	if elapsed > 0 {
		speed = int64(float64(got) / elapsed.Seconds())
	}
	tt := "--:--:--"
	if total > 0 && elapsed >= time.Second {
		tt = curlTime(elapsed)
	}
	return fmt.Sprintf("\r%3d %s  %3d %s  %3d %s  %s  %s %s %s %s %s",
		pct(got, total), curlMax5(total), pct(got, total), curlMax5(got), 0, curlMax5(0),
		curlMax5(speed), curlMax5(0), tt, curlTime(elapsed), "--:--:--", curlMax5(speed))
}

func curlCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	var urls []string
	var outputs []string
	remoteName := false
	silent, showErr, fail := false, false, false
	needArg := map[string]bool{"o": true, "A": true, "H": true, "X": true, "d": true, "u": true, "e": true,
		"m": true, "w": true, "x": true, "b": true, "c": true, "T": true, "F": true, "r": true, "C": true,
		"E": true, "K": true, "Y": true, "y": true, "z": true, "U": true, "Q": true, "P": true, "t": true}
	longArg := map[string]bool{"output": true, "user-agent": true, "header": true, "request": true, "data": true,
		"data-binary": true, "data-raw": true, "data-urlencode": true, "user": true, "referer": true, "max-time": true,
		"connect-timeout": true, "write-out": true, "proxy": true, "cookie": true, "cookie-jar": true,
		"upload-file": true, "form": true, "range": true, "retry": true, "retry-delay": true, "retry-max-time": true,
		"limit-rate": true, "max-filesize": true, "resolve": true, "interface": true, "cacert": true, "cert": true,
		"key": true, "url": true, "output-dir": true, "dns-servers": true, "config": true, "max-redirs": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			if longArg[name] {
				if !hasVal {
					if i+1 >= len(args) {
						c.errRaw("curl: option --" + name + ": requires parameter\n" + curlTry)
						return c.done(2)
					}
					i++
					val = args[i]
				}
				switch name {
				case "output":
					outputs = append(outputs, val)
				case "url":
					urls = append(urls, val)
				}
				continue
			}
			switch name {
			case "silent":
				silent = true
			case "show-error":
				showErr = true
			case "fail", "fail-with-body":
				fail = true
			case "remote-name", "remote-name-all":
				remoteName = true
			case "help":
				return c.sysHelp("help", "curl")
			case "version":
				return c.curlVersion()
			case "location", "insecure", "verbose", "include", "head", "compressed", "progress-bar", "globoff",
				"http1.1", "http2", "ipv4", "ipv6", "no-buffer", "no-keepalive", "tcp-nodelay", "location-trusted",
				"raw", "disable", "no-progress-meter", "create-dirs", "ssl-no-revoke", "tlsv1.2", "get", "path-as-is":
				if name == "no-progress-meter" {
					silent, showErr = true, true
				}
			default:
				c.errRaw("curl: option " + a + ": is unknown\n" + curlTry)
				return c.done(2)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for k := 1; k < len(a); k++ {
				ch := string(a[k])
				if needArg[ch] {
					val := a[k+1:]
					if val == "" {
						if i+1 >= len(args) {
							c.errRaw("curl: option -" + ch + ": requires parameter\n" + curlTry)
							return c.done(2)
						}
						i++
						val = args[i]
					}
					if ch == "o" {
						outputs = append(outputs, val)
					}
					break
				}
				switch ch {
				case "s":
					silent = true
				case "S":
					showErr = true
				case "f":
					fail = true
				case "O":
					remoteName = true
				case "h":
					return c.sysHelp("help", "curl")
				case "V":
					return c.curlVersion()
				case "L", "k", "v", "i", "I", "q", "4", "6", "N", "g", "G", "#", "j", "J", "l", "n", "R", "Z", "a", "B", "M", "p":
				default:
					c.errRaw("curl: option -" + ch + ": is unknown\n" + curlTry)
					return c.done(2)
				}
			}
		default:
			urls = append(urls, a)
		}
	}
	if len(urls) == 0 {
		c.errRaw(curlTry)
		return c.done(2)
	}
	status := 0
	for idx, raw := range urls {
		out := ""
		if idx < len(outputs) {
			out = outputs[idx]
		}
		t, ok := parseToolURL(raw)
		if !ok {
			if !silent || showErr {
				c.errRaw("curl: (3) URL using bad/illegal format or missing URL\n")
			}
			status = 3
			continue
		}
		if t.u.Scheme != "http" && t.u.Scheme != "https" {
			if !silent || showErr {
				c.errRaw(fmt.Sprintf("curl: (1) Protocol \"%s\" not supported or disabled in libcurl\n", t.u.Scheme))
			}
			status = 1
			continue
		}
		full := t.u.String()
		if out == "" && remoteName {
			out = path.Base(t.u.Path)
			if t.u.Path == "" || strings.HasSuffix(t.u.Path, "/") {
				c.errRaw("curl: Remote file name has no length!\n" + curlTry)
				status = 23
				continue
			}
		}
		toTerminal := out == "" && c.StdoutTTY
		meter := !silent && !toTerminal
		if meter {
			c.errRaw(curlMeterHead + curlMeterLine(0, 0, 0))
		}
		dest := "-"
		if out != "" && out != "-" {
			dest = c.abs(out)
		}
		res, f := c.doFetch(t)
		if f != nil && !(f.stage == "status" && !fail) {
			c.downloadFailed(full, dest)
			var msg string
			switch f.stage {
			case "resolve":
				msg = fmt.Sprintf("curl: (6) Could not resolve host: %s\n", t.host)
			case "connect":
				if meter {
					c.errRaw(curlMeterLine(0, 0, 0) + "\n")
				}
				if f.code == 28 {
					msg = "curl: (28) Failed to connect to " + t.host + " port " + t.port + " after 30000 ms: Timeout was reached\n"
				} else {
					msg = fmt.Sprintf("curl: (7) Failed to connect to %s port %s after 0 ms: Couldn't connect to server\n", t.host, t.port)
				}
			case "read":
				if meter {
					c.errRaw("\n")
				}
				msg = "curl: (56) Recv failure: Connection reset by peer\n"
			case "status":
				if meter {
					c.errRaw(curlMeterLine(0, 0, 0) + "\n")
				}
				msg = fmt.Sprintf("curl: (22) The requested URL returned error: %d\n", f.result.status)
			default:
				msg = "curl: (1) Unsupported protocol\n"
			}
			if !silent || showErr {
				c.errRaw(msg)
			}
			status = f.code
			continue
		}
		if f != nil {
			res = f.result
		}
		n := int64(len(res.body))
		if dest == "-" {
			c.write(res.body)
			c.flush()
		} else if err := c.FS.WriteFile(dest, res.body, 0o666&^c.Umask.Perm()); err != nil {
			if meter {
				c.errRaw("\n")
			}
			if !silent || showErr {
				c.errRaw("curl: (23) Failure writing output to destination\n")
			}
			c.captureDownload(full, dest, res.body)
			status = 23
			continue
		}
		if meter {
			el := res.elapsed
			if el <= 0 {
				el = time.Millisecond
			}
			c.errRaw(curlMeterLine(n, n, el) + "\n")
		}
		c.captureDownload(full, dest, res.body)
	}
	return c.done(status)
}

// curlVersion is curl -V with the versions the persona's packages say: OpenSSL from the
// installed libssl3, the "security patched" release from curl's own package.
func (c *cmd) curlVersion() int {
	text := debianText("version", "curl")
	db := c.dpkgDB()
	if v := dpkgVersionOf(db, "libssl3"); v != "" {
		_, up, _ := splitVersionUpstream(v)
		text = regexp.MustCompile(`OpenSSL/[0-9.]+`).ReplaceAllString(text, "OpenSSL/"+up)
	}
	if v := dpkgVersionOf(db, "curl"); v != "" {
		text = regexp.MustCompile(`security patched: \S+`).ReplaceAllString(text, "security patched: "+v)
	}
	c.print(text)
	return c.done(0)
}

// splitVersionUpstream returns a Debian version's epoch, upstream part (without the
// Debian revision) and revision.
func splitVersionUpstream(v string) (string, string, string) {
	epoch := ""
	if e, rest, ok := strings.Cut(v, ":"); ok {
		epoch, v = e, rest
	}
	rev := ""
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		v, rev = v[:i], v[i+1:]
	}
	return epoch, v, rev
}
