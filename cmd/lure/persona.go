package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lure-sensor/lure/internal/persona"
)

// runPersona implements `lure persona ...`: capturing a persona file from a root
// filesystem and describing one.
func runPersona(ctx context.Context, args []string) int {
	return personaMain(ctx, args, os.Stdout, os.Stderr)
}

const personaUsage = `Usage: lure persona <command> [flags]

Commands:
  capture   walk a root filesystem (e.g. made by debootstrap) and write a persona file
  info      print the facts a persona file holds

Run "lure persona <command> -h" for a command's flags.
`

func personaMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, personaUsage)
		return 2
	}
	switch args[0] {
	case "capture":
		return personaCapture(ctx, args[1:], stdout, stderr)
	case "info":
		return personaInfo(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, personaUsage)
		return 0
	}
	fmt.Fprintf(stderr, "lure persona: unknown command %q\n\n%s", args[0], personaUsage)
	return 2
}

func personaCapture(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("lure persona capture", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		root      = fl.String("root", "", "root filesystem to capture, e.g. a debootstrap tree (required)")
		out       = fl.String("out", "", "persona file to write (required)")
		hostname  = fl.String("hostname", "", "host name (default: the root's /etc/hostname)")
		cpuinfo   = fl.String("cpuinfo", "", "file in /proc/cpuinfo format (default: this host's)")
		meminfo   = fl.String("meminfo", "", "file in /proc/meminfo format (default: this host's)")
		version   = fl.String("proc-version", "", "file in /proc/version format; gives the kernel release and version (default: this host's)")
		mounts    = fl.String("mounts", "", "file served verbatim as /proc/mounts (default: made from the disks)")
		disks     = fl.String("disks", "", "`FILE` listing the disks df shows, one per line: device mount type size_kb used_kb [avail_kb] (default: this host's, via statfs)")
		machine   = fl.String("machine", "", "uname -m, e.g. x86_64 (default: this host's)")
		bootTime  = fl.String("boot-time", "", "boot time, RFC 3339 (default: this host's)")
		banner    = fl.String("ssh-banner", "", "SSH banner (default: derived from the openssh-server package)")
		textCap   = fl.Int64("text-cap", 64<<10, "largest text file kept whole, in bytes (all of /etc is kept whole)")
		headBytes = fl.Int64("head-bytes", 4<<10, "bytes kept of every other file")
		maxBytes  = fl.Int64("max-bytes", 0, "largest persona file to write: the biggest text files outside /etc, /root, /home and /var/log are cut to their head until it fits (0: no limit)")
	)
	fl.Usage = func() {
		fmt.Fprintf(stderr, `Usage: lure persona capture --root DIR --out FILE [flags]

Walks DIR without following symlinks and writes a persona file: every entry's metadata with
owner names, the MD5/SHA-1/SHA-256 of every regular file, the content of text files and of
/etc, the first bytes of other files, and the host facts. /proc, /sys, /dev and /run are
synthesized from the facts. Facts not given as files are read from this host.

Flags:
`)
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *root == "" || *out == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "lure persona capture: --root and --out are required, and nothing else")
		fl.Usage()
		return 2
	}
	opts := persona.CaptureOptions{
		Root: *root, Hostname: *hostname,
		CPUInfo: *cpuinfo, MemInfo: *meminfo, ProcVersion: *version, Mounts: *mounts,
		Machine: *machine, SSHBanner: *banner, TextCap: *textCap, HeadBytes: *headBytes, MaxBytes: *maxBytes,
	}
	if *disks != "" {
		f, err := os.Open(*disks)
		if err != nil {
			fmt.Fprintf(stderr, "lure persona capture: %v\n", err)
			return 1
		}
		opts.Disks, err = persona.ParseDisks(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "lure persona capture: disk table %s: %v\n", *disks, err)
			return 1
		}
	}
	if *bootTime != "" {
		t, err := time.Parse(time.RFC3339, *bootTime)
		if err != nil {
			fmt.Fprintf(stderr, "lure persona capture: --boot-time: %v\n", err)
			return 2
		}
		opts.BootTime = t
	}
	start := time.Now()
	last := start
	opts.Progress = func(p persona.CaptureProgress) {
		if now := time.Now(); now.Sub(last) >= time.Second {
			last = now
			fmt.Fprintf(stderr, "capture: %d entries, %s read, at %s\n", p.Entries, humanBytes(p.ReadBytes), p.Path)
		}
	}

	// Write next to the destination and rename, so a failed capture never leaves a
	// truncated persona where a good one was.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".persona-*")
	if err != nil {
		fmt.Fprintf(stderr, "lure persona capture: %v\n", err)
		return 1
	}
	defer os.Remove(tmp.Name())
	sum, err := persona.Capture(ctx, tmp, opts)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "lure persona capture: %v\n", err)
		return 1
	}

	w := stderr
	fmt.Fprintf(w, "captured %s in %s\n", *out, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(w, "  host        %s, %s\n", sum.Hostname, sum.OS)
	k := sum.Kernel
	fmt.Fprintf(w, "  kernel      %s %s %s %s\n", k.Sysname, k.Release, k.Version, k.Machine)
	fmt.Fprintf(w, "  ssh banner  %s\n", sum.SSHBanner)
	fmt.Fprintf(w, "  hardware    %d x %s, %d kB memory, %d filesystems\n", sum.Hardware.CPUs, sum.Hardware.CPUModel, sum.Hardware.MemTotalKB, len(sum.Hardware.Disks))
	fmt.Fprintf(w, "  boot time   %s\n", sum.BootTime.Format(time.RFC3339))
	fmt.Fprintf(w, "  entries     %d (%d files, %d directories, %d symlinks, %d other; %d synthesized)\n",
		sum.Entries, sum.Files, sum.Dirs, sum.Symlinks, sum.Misc, sum.Synthetic)
	fmt.Fprintf(w, "  content     %d files whole, %d as a head; %d blobs, %s before compression\n",
		sum.FullFiles, sum.HeadFiles, sum.Blobs, humanBytes(sum.BlobBytes))
	fmt.Fprintf(w, "  accounts    %d users, %d packages, %d processes\n", sum.Users, sum.Packages, sum.Processes)
	fmt.Fprintf(w, "  read        %s; wrote %s\n", humanBytes(sum.ReadBytes), humanBytes(sum.OutBytes))
	return 0
}

func personaInfo(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("lure persona info", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprint(stderr, "Usage: lure persona info FILE\n\nPrints the identity and hardware facts, accounts and process list of a persona file.\n")
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return 2
	}
	name := fl.Arg(0)
	p, err := persona.Load(name)
	if err != nil {
		fmt.Fprintf(stderr, "lure persona info: %v\n", err)
		return 1
	}
	var size int64
	if st, err := os.Stat(name); err == nil {
		size = st.Size()
	}
	w := stdout
	fmt.Fprintf(w, "file        %s (%s)\n", name, humanBytes(size))
	fmt.Fprintf(w, "hostname    %s\n", p.Hostname)
	fmt.Fprintf(w, "os          %s\n", p.OSRelease("PRETTY_NAME"))
	k := p.Kernel
	fmt.Fprintf(w, "uname -a    %s %s %s %s %s GNU/Linux\n", k.Sysname, p.Hostname, k.Release, k.Version, k.Machine)
	fmt.Fprintf(w, "ssh banner  %s\n", p.SSHBanner)
	fmt.Fprintf(w, "cpu         %d x %s\n", p.Hardware.CPUs, p.Hardware.CPUModel)
	fmt.Fprintf(w, "memory      %d kB\n", p.Hardware.MemTotalKB)
	fmt.Fprintf(w, "boot time   %s\n", p.BootTime.Format(time.RFC3339))
	for i, d := range p.Hardware.Disks {
		label := "disks"
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(w, "%-11s %-10s %-10s %-9s %12d kB, %d used, %d available\n", label, d.Device, d.Mount, d.FSType, d.SizeKB, d.UsedKB, d.Avail())
	}
	var users []string
	for _, u := range p.Users() {
		if u.UID == 0 || u.UID >= 1000 && u.UID < 65534 {
			users = append(users, fmt.Sprintf("%s(%d)", u.Name, u.UID))
		}
	}
	fmt.Fprintf(w, "logins      %s (of %d accounts)\n", strings.Join(users, " "), len(p.Users()))
	fmt.Fprintf(w, "packages    %d\n", len(p.Packages()))
	counts := map[string]int{}
	total := countEntries(p, "/", counts)
	var kinds []string
	for k, n := range counts {
		kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(kinds)
	fmt.Fprintf(w, "entries     %d (%s)\n", total, strings.Join(kinds, ", "))
	fmt.Fprintf(w, "processes   %d\n", len(p.Processes))
	for _, pr := range p.Processes {
		if strings.HasPrefix(pr.Command, "[") {
			continue
		}
		fmt.Fprintf(w, "  %6d %-8s %-6s %s\n", pr.PID, pr.User, pr.TTY, pr.Command)
	}
	return 0
}

func countEntries(p *persona.Persona, dir string, counts map[string]int) int {
	list, ok := p.ReadDir(dir)
	if !ok {
		return 0
	}
	n := 0
	for _, m := range list {
		n++
		switch {
		case m.Mode.IsDir():
			counts["dirs"]++
			n += countEntries(p, strings.TrimSuffix(dir, "/")+"/"+m.Name, counts)
		case m.Mode.IsRegular():
			counts["files"]++
		case m.Mode&fs.ModeSymlink != 0:
			counts["symlinks"]++
		default:
			counts["other"]++
		}
	}
	return n
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
