package commands

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/download"
	"github.com/lure-sensor/lure/internal/event"
)

// The net family: wget and curl (net.go, net_curl.go), ping, nc, telnet, ip and ifconfig
// (net_tools.go). By default the persona has no route out and no DNS server, and every tool
// fails exactly as such a Debian 12 box does, without touching the network; the URL an
// attacker wanted is still captured as an event. When the operator enables downloads,
// Session.Net fetches within the operator's limits and the content is captured too.

func registerNet(r *Registry) {
	r.Register("wget", wgetCmd)
	r.Register("curl", curlCmd)
	r.Register("ping", pingCmd)
	r.Register("nc", ncCmd)
	r.Register("netcat", ncCmd)
	r.Register("telnet", telnetCmd)
	r.Register("ip", ipCmd)
	r.Register("ifconfig", ifconfigCmd)
}

// netDetailer is a Net that also reports the response's metadata (internal/download's
// Client is one), so wget and curl can print status lines, lengths and peer addresses.
type netDetailer interface {
	Get(ctx context.Context, url string) (*download.Response, error)
}

// fetchResult is one fetch as wget and curl report it.
type fetchResult struct {
	body        []byte
	status      int
	statusText  string
	contentType string
	length      int64  // announced length, -1 when unknown
	remote      string // "ip:port" when known
	elapsed     time.Duration
}

// fetchFailure says how a fetch failed, in the terms the tools print.
type fetchFailure struct {
	stage  string // "resolve", "connect", "read", "status", "other"
	text   string // glibc/strerror text: "Temporary failure in name resolution"
	addrs  []string
	result *fetchResult // for "status": the server's answer
	code   int          // curl's exit code
}

// urlTarget is a URL's host as the tools see it.
type urlTarget struct {
	u    *url.URL
	host string // without brackets
	port string
	isIP bool
}

// parseToolURL reads a URL the way wget and curl do: a missing scheme means http.
func parseToolURL(raw string) (urlTarget, bool) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return urlTarget{}, false
	}
	if u.Path == "" && u.Opaque == "" {
		u.Path = "/"
	}
	t := urlTarget{u: u, host: u.Hostname(), port: u.Port()}
	if t.port == "" {
		switch u.Scheme {
		case "https":
			t.port = "443"
		case "ftp":
			t.port = "21"
		default:
			t.port = "80"
		}
	}
	_, err = netip.ParseAddr(t.host)
	t.isIP = err == nil
	return t, true
}

// localAddrs resolves a name through the persona's /etc/hosts (the only resolver a box
// without DNS has), IPv6 first as glibc sorts loopback answers.
func (c *cmd) localAddrs(host string) []string {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []string{ip.String()}
	}
	s, _ := c.readText("/etc/hosts")
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, host) {
				out = append(out, f[0])
				break
			}
		}
	}
	if len(out) == 0 && (host == "localhost" || strings.EqualFold(host, c.nodename())) {
		out = []string{"127.0.0.1"}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.Contains(out[i], ":") && !strings.Contains(out[j], ":")
	})
	return out
}

// isLocalAddr reports whether the persona would reach addr without a route out: its
// loopback and its own address.
func (c *cmd) isLocalAddr(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	return ip.IsLoopback() || ip == c.hostIPv4() || ip.IsUnspecified()
}

// offlineFailure is what a fetch from the persona's offline network comes to, decided
// without any network access.
func (c *cmd) offlineFailure(t urlTarget) fetchFailure {
	addrs := c.localAddrs(t.host)
	if len(addrs) == 0 {
		return fetchFailure{stage: "resolve", text: "Temporary failure in name resolution", code: 6}
	}
	for _, a := range addrs {
		if c.isLocalAddr(a) {
			return fetchFailure{stage: "connect", text: "Connection refused", addrs: addrs, code: 7}
		}
	}
	return fetchFailure{stage: "connect", text: "Network is unreachable", addrs: addrs, code: 7}
}

// doFetch fetches through the operator's Net, or fails as the offline persona does.
func (c *cmd) doFetch(t urlTarget) (*fetchResult, *fetchFailure) {
	s := c.session()
	if s.Net == nil {
		f := c.offlineFailure(t)
		return nil, &f
	}
	// With downloads enabled the operator's fetcher decides where a URL may go: it refuses
	// loopback and private destinations (localhost included) unless told otherwise.
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	if d, ok := s.Net.(netDetailer); ok {
		r, err := d.Get(ctx, t.u.String())
		if err != nil {
			return nil, downloadFailure(err)
		}
		return &fetchResult{body: r.Body, status: r.Status, statusText: r.StatusText, contentType: r.ContentType,
			length: r.ContentLength, remote: r.RemoteAddr, elapsed: r.Elapsed}, nil
	}
	body, err := s.Net.Fetch(ctx, t.u.String())
	if err != nil {
		return nil, downloadFailure(err)
	}
	return &fetchResult{body: body, status: 200, statusText: "OK", length: int64(len(body)), elapsed: time.Since(start)}, nil
}

// downloadFailure maps the fetcher's errors onto what wget and curl print.
func downloadFailure(err error) *fetchFailure {
	var e *download.Error
	if !errors.As(err, &e) {
		return &fetchFailure{stage: "connect", text: "Connection refused", code: 7}
	}
	var addrs []string
	if e.Addr != "" {
		if h, _, err := net.SplitHostPort(e.Addr); err == nil {
			addrs = []string{h}
		}
	}
	switch e.Kind {
	case download.KindResolve:
		var dns *net.DNSError
		if errors.As(err, &dns) && dns.IsNotFound {
			return &fetchFailure{stage: "resolve", text: "Name or service not known", code: 6}
		}
		return &fetchFailure{stage: "resolve", text: "Temporary failure in name resolution", code: 6}
	case download.KindForbidden, download.KindConnect:
		// A refused private destination looks like any closed port from outside.
		return &fetchFailure{stage: "connect", text: "Connection refused", addrs: addrs, code: 7}
	case download.KindTimeout:
		return &fetchFailure{stage: "connect", text: "Connection timed out", addrs: addrs, code: 28}
	case download.KindTooLarge:
		return &fetchFailure{stage: "read", text: "Connection reset by peer", addrs: addrs, code: 56}
	case download.KindStatus:
		r := e.Response
		return &fetchFailure{stage: "status", addrs: addrs, code: 22, result: &fetchResult{body: r.Body, status: r.Status,
			statusText: r.StatusText, contentType: r.ContentType, length: r.ContentLength, remote: r.RemoteAddr, elapsed: r.Elapsed}}
	case download.KindScheme:
		return &fetchFailure{stage: "other", text: "Unsupported scheme", code: 1}
	}
	return &fetchFailure{stage: "connect", text: "Connection refused", addrs: addrs, code: 7}
}

// captureDownload stores fetched content and reports it as Cowrie does.
func (c *cmd) captureDownload(rawURL, dest string, data []byte) string {
	s := c.session()
	if s.Sink == nil {
		return ""
	}
	sha, err := s.Sink.SaveFile(data)
	if err != nil {
		sha = ""
	}
	s.Sink.Event(event.FileDownload, fmt.Sprintf("Downloaded URL (%s) with SHA-256 %s to %s", rawURL, sha, dest),
		map[string]any{"url": rawURL, "outfile": "downloads/" + sha, "shasum": sha, "destfile": dest})
	return sha
}

// downloadFailed reports an attempted download that did not happen.
func (c *cmd) downloadFailed(rawURL, dest string) {
	if s := c.session(); s.Sink != nil {
		s.Sink.Event(event.FileDownloadFailed, fmt.Sprintf("Attempt to download file(s) from URL (%s) failed", rawURL),
			map[string]any{"url": rawURL, "outfile": dest})
	}
}

// wgetHuman is wget's human_readable(n, 10, 1) for the Length line.
func wgetHuman(n int64) string {
	const powers = "KMGTPE"
	v := float64(n)
	for i := 0; i < len(powers); i++ {
		v /= 1024
		if v < 1024 || i == len(powers)-1 {
			if v < 10 {
				return fmt.Sprintf("%.1f%c", v, powers[i])
			}
			return fmt.Sprintf("%.0f%c", v, powers[i])
		}
	}
	return ""
}

// wgetRate is wget's retr_rate/calc_rate: a number and its unit.
func wgetRate(bytes int64, d time.Duration) (float64, int) {
	secs := d.Seconds()
	if secs <= 0 {
		secs = 1e-6
	}
	r := float64(bytes) / secs
	u := 0
	for r >= 1024 && u < 3 {
		r /= 1024
		u++
	}
	return r, u
}

func rateDigits(r float64) int {
	switch {
	case r >= 99.95:
		return 0
	case r >= 9.995:
		return 1
	}
	return 2
}

// wgetDecimal is wget's print_decimal for the elapsed time.
func wgetDecimal(secs float64) string {
	switch {
	case secs >= 9.95:
		return fmt.Sprintf("%.0f", secs)
	case secs >= 0.95:
		return fmt.Sprintf("%.1f", secs)
	}
	s := strconv.FormatFloat(secs, 'g', 1, 64)
	if strings.Contains(s, "e") {
		s = fmt.Sprintf("%.3f", secs)
	}
	return s
}

// wgetEta is wget's eta_to_human_short.
func wgetEta(secs int) string {
	switch {
	case secs < 100:
		return fmt.Sprintf("%ds", secs)
	case secs < 100*60:
		return fmt.Sprintf("%dm %ds", secs/60, secs%60)
	case secs < 48*3600:
		return fmt.Sprintf("%dh %dm", secs/3600, (secs/60)%60)
	case secs < 100*86400:
		return fmt.Sprintf("%dd %dh", secs/86400, (secs/3600)%24)
	}
	return fmt.Sprintf("%dd", secs/86400)
}

// wgetDots renders wget's dot progress (the non-terminal default): one dot per KiB, ten
// per group, fifty per line, each full line ending with its percentage, speed and ETA.
func wgetDots(total int64, known bool, elapsed time.Duration) string {
	var b strings.Builder
	const rowBytes = 50 * 1024
	dots := total / 1024
	rows := dots / 50
	perRow := elapsed
	if total > 0 {
		perRow = time.Duration(float64(elapsed) * float64(rowBytes) / float64(total))
	}
	names := " KMGT"
	for r := int64(0); r < rows; r++ {
		fmt.Fprintf(&b, "\n%6dK", r*50)
		for i := 0; i < 50; i++ {
			if i%10 == 0 {
				b.WriteByte(' ')
			}
			b.WriteByte('.')
		}
		done := (r + 1) * rowBytes
		if known {
			fmt.Fprintf(&b, "%3d%%", int(100*float64(done)/float64(total)))
		}
		rate, u := wgetRate(rowBytes, perRow)
		fmt.Fprintf(&b, " %4.*f%c", rateDigits(rate), rate, names[u])
		if known {
			left := time.Duration(float64(elapsed) * float64(total-done) / float64(total))
			fmt.Fprintf(&b, " %s", wgetEta(int(left.Seconds()+0.5)))
		}
	}
	rem := dots - rows*50
	fmt.Fprintf(&b, "\n%6dK", rows*50)
	for i := int64(0); i < 50; i++ {
		if i%10 == 0 {
			b.WriteByte(' ')
		}
		if i < rem {
			b.WriteByte('.')
		} else {
			b.WriteByte(' ')
		}
	}
	if known {
		b.WriteString("100%")
	}
	lastBytes := total - rows*rowBytes
	lastDur := elapsed - time.Duration(rows)*perRow
	rate, u := wgetRate(lastBytes, lastDur)
	fmt.Fprintf(&b, " %4.*f%c", rateDigits(rate), rate, names[u])
	if elapsed.Seconds() >= 10 {
		fmt.Fprintf(&b, "=%s", wgetEta(int(elapsed.Seconds()+0.5)))
	} else {
		fmt.Fprintf(&b, "=%ss", wgetDecimal(elapsed.Seconds()))
	}
	b.WriteString("\n\n")
	return b.String()
}

const wgetTry = "Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n"

// wgetFileName is the local name wget gives a URL: its last path segment, or index.html.
func wgetFileName(u *url.URL) string {
	name := path.Base(u.Path)
	if u.Path == "" || strings.HasSuffix(u.Path, "/") || name == "/" || name == "." {
		return "index.html"
	}
	return name
}

func wgetCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	var urls []string
	quiet := false
	outDoc := ""
	prefix := ""
	background := false
	withArg := map[string]bool{"O": true, "o": true, "a": true, "P": true, "t": true, "T": true, "U": true,
		"e": true, "i": true, "B": true, "w": true, "Q": true, "l": true, "A": true, "R": true, "D": true, "I": true, "X": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			urls = append(urls, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			switch name {
			case "help":
				return c.sysHelp("help", "wget")
			case "version":
				return c.sysHelp("version", "wget")
			case "quiet":
				quiet = true
			case "output-document", "directory-prefix", "output-file", "append-output", "tries", "timeout",
				"user-agent", "header", "post-data", "post-file", "method", "body-data", "user", "password",
				"http-user", "http-password", "referer", "execute", "input-file", "wait", "limit-rate",
				"connect-timeout", "read-timeout", "dns-timeout", "bind-address", "level", "accept", "reject",
				"ca-certificate", "certificate", "private-key", "load-cookies", "save-cookies", "restrict-file-names":
				if !hasVal {
					if i+1 >= len(args) {
						c.errRaw(fmt.Sprintf("wget: option '--%s' requires an argument\n", name) + wgetTry)
						return c.done(2)
					}
					i++
					val = args[i]
				}
				switch name {
				case "output-document":
					outDoc = val
				case "directory-prefix":
					prefix = val
				}
			case "no-check-certificate", "no-verbose", "verbose", "continue", "timestamping", "no-clobber",
				"server-response", "spider", "no-cache", "recursive", "mirror", "no-parent", "force-directories",
				"no-directories", "inet4-only", "inet6-only", "no-proxy", "content-disposition", "show-progress",
				"progress", "background", "debug", "no-host-directories", "trust-server-names", "https-only":
				if name == "background" {
					background = true
				}
			default:
				c.errRaw(fmt.Sprintf("wget: unrecognized option '%s'\n", a) + wgetTry)
				return c.done(2)
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for k := 1; k < len(a); k++ {
				ch := string(a[k])
				if withArg[ch] {
					val := a[k+1:]
					if val == "" {
						if i+1 >= len(args) {
							c.errRaw(fmt.Sprintf("wget: option requires an argument -- '%s'\n", ch) + wgetTry)
							return c.done(2)
						}
						i++
						val = args[i]
					}
					switch ch {
					case "O":
						outDoc = val
					case "P":
						prefix = val
					}
					break
				}
				switch ch {
				case "q":
					quiet = true
				case "b":
					background = true
				case "h":
					return c.sysHelp("help", "wget")
				case "V":
					return c.sysHelp("version", "wget")
				case "c", "v", "N", "S", "r", "m", "k", "p", "x", "H", "L", "np", "4", "6", "nc", "nd", "nH", "F":
				case "n":
					// -nv, -nc, -nd, -nH: the rest of the cluster names the option.
					k = len(a)
				default:
					c.errRaw(fmt.Sprintf("wget: invalid option -- '%s'\n", ch) + wgetTry)
					return c.done(2)
				}
			}
		default:
			urls = append(urls, a)
		}
	}
	if len(urls) == 0 {
		c.errRaw("wget: missing URL\n" + wgetTry)
		return c.done(1)
	}
	log := func(s string) {
		if !quiet {
			c.errRaw(s)
		}
	}
	if background {
		c.printf("Continuing in background, pid %d.\nOutput will be written to %s.\n", c.shellPID()+3+3*c.commandSerial(), c.quoteLoc("wget-log"))
		quiet = true
	}
	perm := 0o666 &^ c.Umask.Perm()
	if outDoc != "" && outDoc != "-" {
		// wget opens the -O file (creating or truncating it) before it looks at any URL,
		// so a failed download still leaves an empty file behind.
		if err := c.FS.WriteFile(c.abs(outDoc), nil, perm); err != nil {
			c.errRaw(outDoc + ": " + errText(err) + "\n")
			return c.done(1)
		}
	}
	status := 0
	loc := c.location()
	stamp := func() string { return c.now().In(loc).Format("2006-01-02 15:04:05") }
	for _, raw := range urls {
		t, ok := parseToolURL(raw)
		if !ok {
			log(raw + ": Invalid host name.\n")
			status = max(status, 1)
			continue
		}
		if t.u.Scheme != "http" && t.u.Scheme != "https" && t.u.Scheme != "ftp" {
			log(raw + ": Unsupported scheme " + c.quoteLoc(t.u.Scheme) + ".\n")
			status = max(status, 1)
			continue
		}
		full := t.u.String()
		name := wgetFileName(t.u)
		dest := name
		if outDoc != "" {
			dest = outDoc
		} else if prefix != "" {
			dest = strings.TrimSuffix(prefix, "/") + "/" + name
		}
		log("--" + stamp() + "--  " + full + "\n")
		hostLabel := t.host + " (" + t.host + ")"
		res, fail := c.doFetch(t)
		var addrs []string
		if fail != nil {
			addrs = fail.addrs
		} else if h, _, err := net.SplitHostPort(res.remote); err == nil {
			addrs = []string{h}
		}
		if !t.isIP {
			if fail != nil && fail.stage == "resolve" {
				log("Resolving " + hostLabel + "... failed: " + fail.text + ".\n")
				log("wget: unable to resolve host address " + c.quoteLoc(t.host) + "\n")
				c.downloadFailed(full, c.abs(dest))
				status = max(status, 4)
				continue
			}
			if len(addrs) == 0 {
				addrs = []string{t.host}
			}
			log("Resolving " + hostLabel + "... " + strings.Join(addrs, ", ") + "\n")
		}
		connectLabel := func(a string) string {
			if t.isIP {
				if strings.Contains(a, ":") {
					return "[" + a + "]:" + t.port
				}
				return a + ":" + t.port
			}
			return hostLabel + "|" + a + "|:" + t.port
		}
		if fail != nil && fail.stage == "connect" {
			for _, a := range addrs {
				log("Connecting to " + connectLabel(a) + "... failed: " + fail.text + ".\n")
			}
			c.downloadFailed(full, c.abs(dest))
			status = max(status, 4)
			continue
		}
		if fail != nil && fail.stage != "status" {
			log("Connecting to " + connectLabel(addrs[0]) + "... connected.\n")
			log("HTTP request sent, awaiting response... ")
			if fail.stage == "read" {
				log("Read error (" + fail.text + ") in headers.\nGiving up.\n\n")
			} else {
				log("No data received.\nGiving up.\n\n")
			}
			c.downloadFailed(full, c.abs(dest))
			status = max(status, 4)
			continue
		}
		log("Connecting to " + connectLabel(addrs[0]) + "... connected.\n")
		if fail != nil {
			r := fail.result
			log(fmt.Sprintf("HTTP request sent, awaiting response... %d %s\n", r.status, r.statusText))
			log(fmt.Sprintf("%s ERROR %d: %s.\n\n", stamp(), r.status, r.statusText))
			c.downloadFailed(full, c.abs(dest))
			status = max(status, 8)
			continue
		}
		log(fmt.Sprintf("HTTP request sent, awaiting response... %d %s\n", res.status, res.statusText))
		n := int64(len(res.body))
		known := res.length >= 0
		length := "Length: unspecified"
		if known {
			length = "Length: " + strconv.FormatInt(n, 10)
			if n >= 1024 {
				length += " (" + wgetHuman(n) + ")"
			}
		}
		if res.contentType != "" {
			length += " [" + strings.TrimSpace(strings.SplitN(res.contentType, ";", 2)[0]) + "]"
		}
		log(length + "\n")
		toStdout := dest == "-"
		abs := ""
		if !toStdout {
			abs = c.abs(dest)
			if outDoc == "" {
				if _, err := c.FS.Stat(abs); err == nil {
					for k := 1; ; k++ {
						cand := abs + "." + strconv.Itoa(k)
						if _, err := c.FS.Stat(cand); err != nil {
							abs, dest = cand, dest+"."+strconv.Itoa(k)
							break
						}
					}
				}
			}
			log("Saving to: " + c.quoteLoc(dest) + "\n")
			save := c.FS.WriteFile
			if outDoc != "" {
				// every document goes into the one -O file, one after the other
				save = c.FS.AppendFile
			}
			if err := save(abs, res.body, perm); err != nil {
				log("\n" + c.quoteLoc(dest) + ": " + errText(err) + "\n")
				c.captureDownload(full, abs, res.body)
				status = max(status, 3)
				continue
			}
		} else {
			log("Saving to: " + c.quoteLoc("STDOUT") + "\n")
		}
		el := res.elapsed
		if el <= 0 {
			el = time.Millisecond
		}
		log(wgetDots(n, known, el))
		if toStdout {
			c.write(res.body)
			c.flush()
		}
		rate, u := wgetRate(n, el)
		units := []string{"B/s", "KB/s", "MB/s", "GB/s"}
		how := c.quoteLoc(dest) + " saved"
		if toStdout {
			how = "written to stdout"
		}
		count := fmt.Sprintf("[%d/%d]", n, n)
		if !known {
			count = fmt.Sprintf("[%d]", n)
		}
		log(fmt.Sprintf("%s (%.*f %s) - %s %s\n\n", stamp(), rateDigits(rate), rate, units[u], how, count))
		destName := abs
		if toStdout {
			destName = "-"
		}
		c.captureDownload(full, destName, res.body)
	}
	return c.done(status)
}
