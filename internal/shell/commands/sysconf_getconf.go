package commands

import (
	"strconv"
	"strings"
)

// getconf, as glibc 2.36's prints it: one variable, a path variable for a path, or -a with
// everything in glibc's table order ("%-35s%s"). The machine-dependent values (CPUs, memory
// pages, per-process limits, caches) come from the persona; the rest is x86_64 Debian 12.

const getconfUsage = "Usage: getconf [-v specification] variable_name [pathname]\n       getconf -a [pathname]\n"

const getconfHelp = `Usage: getconf [-v SPEC] VAR
  or:  getconf [-v SPEC] PATH_VAR PATH

Get the configuration value for variable VAR, or for variable PATH_VAR
for path PATH.  If SPEC is given, give values for compilation
environment SPEC.

For bug reporting instructions, please see:
<http://www.debian.org/Bugs/>.
`

const getconfVersion = `getconf (Debian GLIBC 2.36-9+deb12u14) 2.36
Copyright (C) 2022 Free Software Foundation, Inc.
This is free software; see the source for copying conditions.  There is NO
warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
Written by Roland McGrath.
`

// getconfPathVars are pathconf(3) variables: they need a path operand.
var getconfPathVars = map[string]bool{
	"LINK_MAX": true, "_POSIX_LINK_MAX": true, "MAX_CANON": true, "_POSIX_MAX_CANON": true,
	"MAX_INPUT": true, "_POSIX_MAX_INPUT": true, "NAME_MAX": true, "_POSIX_NAME_MAX": true,
	"PATH_MAX": true, "_POSIX_PATH_MAX": true, "PIPE_BUF": true, "_POSIX_PIPE_BUF": true,
	"SOCK_MAXBUF": true, "_POSIX_ASYNC_IO": true, "_POSIX_CHOWN_RESTRICTED": true,
	"_POSIX_NO_TRUNC": true, "_POSIX_PRIO_IO": true, "_POSIX_SYNC_IO": true, "_POSIX_VDISABLE": true,
	"FILESIZEBITS": true, "POSIX_ALLOC_SIZE_MIN": true, "POSIX_REC_INCR_XFER_SIZE": true,
	"POSIX_REC_MAX_XFER_SIZE": true, "POSIX_REC_MIN_XFER_SIZE": true, "POSIX_REC_XFER_ALIGN": true,
	"SYMLINK_MAX": true, "POSIX2_SYMLINKS": true,
}

// getconfIsConfstr reports whether name is a confstr(3) string: an empty one prints an
// empty line where an unsupported number prints "undefined".
func getconfIsConfstr(name string) bool {
	switch name {
	case "PATH", "CS_PATH", "GNU_LIBC_VERSION", "GNU_LIBPTHREAD_VERSION":
		return true
	}
	for _, suf := range []string{"_CFLAGS", "_LDFLAGS", "_LIBS", "_LINTFLAGS", "WIDTH_RESTRICTED_ENVS"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// getconfTable is glibc's variable table in its order, with the values of an x86_64
// Debian 12 server on ext4; "" is undefined. getconfValues replaces the host-dependent ones.
const getconfTable = `LINK_MAX	65000
_POSIX_LINK_MAX	65000
MAX_CANON	255
_POSIX_MAX_CANON	255
MAX_INPUT	255
_POSIX_MAX_INPUT	255
NAME_MAX	255
_POSIX_NAME_MAX	255
PATH_MAX	4096
_POSIX_PATH_MAX	4096
PIPE_BUF	4096
_POSIX_PIPE_BUF	4096
SOCK_MAXBUF	
_POSIX_ASYNC_IO	
_POSIX_CHOWN_RESTRICTED	1
_POSIX_NO_TRUNC	1
_POSIX_PRIO_IO	
_POSIX_SYNC_IO	
_POSIX_VDISABLE	0
ARG_MAX	2097152
ATEXIT_MAX	2147483647
CHAR_BIT	8
CHAR_MAX	127
CHAR_MIN	-128
CHILD_MAX	96364
CLK_TCK	100
INT_MAX	2147483647
INT_MIN	-2147483648
IOV_MAX	1024
LOGNAME_MAX	256
LONG_BIT	64
MB_LEN_MAX	16
NGROUPS_MAX	65536
NL_ARGMAX	4096
NL_LANGMAX	2048
NL_MSGMAX	2147483647
NL_NMAX	2147483647
NL_SETMAX	2147483647
NL_TEXTMAX	2147483647
NSS_BUFLEN_GROUP	1024
NSS_BUFLEN_PASSWD	1024
NZERO	20
OPEN_MAX	20000
PAGESIZE	4096
PAGE_SIZE	4096
PASS_MAX	8192
PTHREAD_DESTRUCTOR_ITERATIONS	4
PTHREAD_KEYS_MAX	1024
PTHREAD_STACK_MIN	16384
PTHREAD_THREADS_MAX	
SCHAR_MAX	127
SCHAR_MIN	-128
SHRT_MAX	32767
SHRT_MIN	-32768
SSIZE_MAX	32767
TTY_NAME_MAX	32
TZNAME_MAX	
UCHAR_MAX	255
UINT_MAX	4294967295
UIO_MAXIOV	1024
ULONG_MAX	18446744073709551615
USHRT_MAX	65535
WORD_BIT	32
_AVPHYS_PAGES	5784822
_NPROCESSORS_CONF	2
_NPROCESSORS_ONLN	2
_PHYS_PAGES	6170905
_POSIX_ARG_MAX	2097152
_POSIX_ASYNCHRONOUS_IO	200809
_POSIX_CHILD_MAX	96364
_POSIX_FSYNC	200809
_POSIX_JOB_CONTROL	1
_POSIX_MAPPED_FILES	200809
_POSIX_MEMLOCK	200809
_POSIX_MEMLOCK_RANGE	200809
_POSIX_MEMORY_PROTECTION	200809
_POSIX_MESSAGE_PASSING	200809
_POSIX_NGROUPS_MAX	65536
_POSIX_OPEN_MAX	20000
_POSIX_PII	
_POSIX_PII_INTERNET	
_POSIX_PII_INTERNET_DGRAM	
_POSIX_PII_INTERNET_STREAM	
_POSIX_PII_OSI	
_POSIX_PII_OSI_CLTS	
_POSIX_PII_OSI_COTS	
_POSIX_PII_OSI_M	
_POSIX_PII_SOCKET	
_POSIX_PII_XTI	
_POSIX_POLL	
_POSIX_PRIORITIZED_IO	200809
_POSIX_PRIORITY_SCHEDULING	200809
_POSIX_REALTIME_SIGNALS	200809
_POSIX_SAVED_IDS	1
_POSIX_SELECT	
_POSIX_SEMAPHORES	200809
_POSIX_SHARED_MEMORY_OBJECTS	200809
_POSIX_SSIZE_MAX	32767
_POSIX_STREAM_MAX	16
_POSIX_SYNCHRONIZED_IO	200809
_POSIX_THREADS	200809
_POSIX_THREAD_ATTR_STACKADDR	200809
_POSIX_THREAD_ATTR_STACKSIZE	200809
_POSIX_THREAD_PRIORITY_SCHEDULING	200809
_POSIX_THREAD_PRIO_INHERIT	200809
_POSIX_THREAD_PRIO_PROTECT	200809
_POSIX_THREAD_ROBUST_PRIO_INHERIT	
_POSIX_THREAD_ROBUST_PRIO_PROTECT	
_POSIX_THREAD_PROCESS_SHARED	200809
_POSIX_THREAD_SAFE_FUNCTIONS	200809
_POSIX_TIMERS	200809
TIMER_MAX	
_POSIX_TZNAME_MAX	
_POSIX_VERSION	200809
_T_IOV_MAX	
_XOPEN_CRYPT	
_XOPEN_ENH_I18N	1
_XOPEN_LEGACY	1
_XOPEN_REALTIME	1
_XOPEN_REALTIME_THREADS	1
_XOPEN_SHM	1
_XOPEN_UNIX	1
_XOPEN_VERSION	700
_XOPEN_XCU_VERSION	4
_XOPEN_XPG2	1
_XOPEN_XPG3	1
_XOPEN_XPG4	1
BC_BASE_MAX	99
BC_DIM_MAX	2048
BC_SCALE_MAX	99
BC_STRING_MAX	1000
CHARCLASS_NAME_MAX	2048
COLL_WEIGHTS_MAX	255
EQUIV_CLASS_MAX	
EXPR_NEST_MAX	32
LINE_MAX	2048
POSIX2_BC_BASE_MAX	99
POSIX2_BC_DIM_MAX	2048
POSIX2_BC_SCALE_MAX	99
POSIX2_BC_STRING_MAX	1000
POSIX2_CHAR_TERM	200809
POSIX2_COLL_WEIGHTS_MAX	255
POSIX2_C_BIND	200809
POSIX2_C_DEV	200809
POSIX2_C_VERSION	200809
POSIX2_EXPR_NEST_MAX	32
POSIX2_FORT_DEV	
POSIX2_FORT_RUN	
_POSIX2_LINE_MAX	2048
POSIX2_LINE_MAX	2048
POSIX2_LOCALEDEF	200809
POSIX2_RE_DUP_MAX	32767
POSIX2_SW_DEV	200809
POSIX2_UPE	
POSIX2_VERSION	200809
RE_DUP_MAX	32767
PATH	/bin:/usr/bin
CS_PATH	/bin:/usr/bin
LFS_CFLAGS	
LFS_LDFLAGS	
LFS_LIBS	
LFS_LINTFLAGS	
LFS64_CFLAGS	-D_LARGEFILE64_SOURCE
LFS64_LDFLAGS	
LFS64_LIBS	
LFS64_LINTFLAGS	-D_LARGEFILE64_SOURCE
_XBS5_WIDTH_RESTRICTED_ENVS	XBS5_LP64_OFF64
XBS5_WIDTH_RESTRICTED_ENVS	XBS5_LP64_OFF64
_XBS5_ILP32_OFF32	
XBS5_ILP32_OFF32_CFLAGS	
XBS5_ILP32_OFF32_LDFLAGS	
XBS5_ILP32_OFF32_LIBS	
XBS5_ILP32_OFF32_LINTFLAGS	
_XBS5_ILP32_OFFBIG	
XBS5_ILP32_OFFBIG_CFLAGS	
XBS5_ILP32_OFFBIG_LDFLAGS	
XBS5_ILP32_OFFBIG_LIBS	
XBS5_ILP32_OFFBIG_LINTFLAGS	
_XBS5_LP64_OFF64	1
XBS5_LP64_OFF64_CFLAGS	-m64
XBS5_LP64_OFF64_LDFLAGS	-m64
XBS5_LP64_OFF64_LIBS	
XBS5_LP64_OFF64_LINTFLAGS	
_XBS5_LPBIG_OFFBIG	
XBS5_LPBIG_OFFBIG_CFLAGS	
XBS5_LPBIG_OFFBIG_LDFLAGS	
XBS5_LPBIG_OFFBIG_LIBS	
XBS5_LPBIG_OFFBIG_LINTFLAGS	
_POSIX_V6_ILP32_OFF32	
POSIX_V6_ILP32_OFF32_CFLAGS	
POSIX_V6_ILP32_OFF32_LDFLAGS	
POSIX_V6_ILP32_OFF32_LIBS	
POSIX_V6_ILP32_OFF32_LINTFLAGS	
_POSIX_V6_WIDTH_RESTRICTED_ENVS	POSIX_V6_LP64_OFF64
POSIX_V6_WIDTH_RESTRICTED_ENVS	POSIX_V6_LP64_OFF64
_POSIX_V6_ILP32_OFFBIG	
POSIX_V6_ILP32_OFFBIG_CFLAGS	
POSIX_V6_ILP32_OFFBIG_LDFLAGS	
POSIX_V6_ILP32_OFFBIG_LIBS	
POSIX_V6_ILP32_OFFBIG_LINTFLAGS	
_POSIX_V6_LP64_OFF64	1
POSIX_V6_LP64_OFF64_CFLAGS	-m64
POSIX_V6_LP64_OFF64_LDFLAGS	-m64
POSIX_V6_LP64_OFF64_LIBS	
POSIX_V6_LP64_OFF64_LINTFLAGS	
_POSIX_V6_LPBIG_OFFBIG	
POSIX_V6_LPBIG_OFFBIG_CFLAGS	
POSIX_V6_LPBIG_OFFBIG_LDFLAGS	
POSIX_V6_LPBIG_OFFBIG_LIBS	
POSIX_V6_LPBIG_OFFBIG_LINTFLAGS	
_POSIX_V7_ILP32_OFF32	
POSIX_V7_ILP32_OFF32_CFLAGS	
POSIX_V7_ILP32_OFF32_LDFLAGS	
POSIX_V7_ILP32_OFF32_LIBS	
POSIX_V7_ILP32_OFF32_LINTFLAGS	
_POSIX_V7_WIDTH_RESTRICTED_ENVS	POSIX_V7_LP64_OFF64
POSIX_V7_WIDTH_RESTRICTED_ENVS	POSIX_V7_LP64_OFF64
_POSIX_V7_ILP32_OFFBIG	
POSIX_V7_ILP32_OFFBIG_CFLAGS	
POSIX_V7_ILP32_OFFBIG_LDFLAGS	
POSIX_V7_ILP32_OFFBIG_LIBS	
POSIX_V7_ILP32_OFFBIG_LINTFLAGS	
_POSIX_V7_LP64_OFF64	1
POSIX_V7_LP64_OFF64_CFLAGS	-m64
POSIX_V7_LP64_OFF64_LDFLAGS	-m64
POSIX_V7_LP64_OFF64_LIBS	
POSIX_V7_LP64_OFF64_LINTFLAGS	
_POSIX_V7_LPBIG_OFFBIG	
POSIX_V7_LPBIG_OFFBIG_CFLAGS	
POSIX_V7_LPBIG_OFFBIG_LDFLAGS	
POSIX_V7_LPBIG_OFFBIG_LIBS	
POSIX_V7_LPBIG_OFFBIG_LINTFLAGS	
_POSIX_ADVISORY_INFO	200809
_POSIX_BARRIERS	200809
_POSIX_BASE	
_POSIX_C_LANG_SUPPORT	
_POSIX_C_LANG_SUPPORT_R	
_POSIX_CLOCK_SELECTION	200809
_POSIX_CPUTIME	200809
_POSIX_THREAD_CPUTIME	200809
_POSIX_DEVICE_SPECIFIC	
_POSIX_DEVICE_SPECIFIC_R	
_POSIX_FD_MGMT	
_POSIX_FIFO	
_POSIX_PIPE	
_POSIX_FILE_ATTRIBUTES	
_POSIX_FILE_LOCKING	
_POSIX_FILE_SYSTEM	
_POSIX_MONOTONIC_CLOCK	200809
_POSIX_MULTI_PROCESS	
_POSIX_SINGLE_PROCESS	
_POSIX_NETWORKING	
_POSIX_READER_WRITER_LOCKS	200809
_POSIX_SPIN_LOCKS	200809
_POSIX_REGEXP	1
_REGEX_VERSION	
_POSIX_SHELL	1
_POSIX_SIGNALS	
_POSIX_SPAWN	200809
_POSIX_SPORADIC_SERVER	
_POSIX_THREAD_SPORADIC_SERVER	
_POSIX_SYSTEM_DATABASE	
_POSIX_SYSTEM_DATABASE_R	
_POSIX_TIMEOUTS	200809
_POSIX_TYPED_MEMORY_OBJECTS	
_POSIX_USER_GROUPS	
_POSIX_USER_GROUPS_R	
POSIX2_PBS	
POSIX2_PBS_ACCOUNTING	
POSIX2_PBS_LOCATE	
POSIX2_PBS_TRACK	
POSIX2_PBS_MESSAGE	
SYMLOOP_MAX	
STREAM_MAX	16
AIO_LISTIO_MAX	
AIO_MAX	
AIO_PRIO_DELTA_MAX	20
DELAYTIMER_MAX	2147483647
HOST_NAME_MAX	64
LOGIN_NAME_MAX	256
MQ_OPEN_MAX	
MQ_PRIO_MAX	32768
_POSIX_DEVICE_IO	
_POSIX_TRACE	
_POSIX_TRACE_EVENT_FILTER	
_POSIX_TRACE_INHERIT	
_POSIX_TRACE_LOG	
RTSIG_MAX	32
SEM_NSEMS_MAX	
SEM_VALUE_MAX	2147483647
SIGQUEUE_MAX	96364
FILESIZEBITS	64
POSIX_ALLOC_SIZE_MIN	4096
POSIX_REC_INCR_XFER_SIZE	
POSIX_REC_MAX_XFER_SIZE	
POSIX_REC_MIN_XFER_SIZE	4096
POSIX_REC_XFER_ALIGN	4096
SYMLINK_MAX	
GNU_LIBC_VERSION	glibc 2.36
GNU_LIBPTHREAD_VERSION	NPTL 2.36
POSIX2_SYMLINKS	1
LEVEL1_ICACHE_SIZE	32768
LEVEL1_ICACHE_ASSOC	
LEVEL1_ICACHE_LINESIZE	64
LEVEL1_DCACHE_SIZE	49152
LEVEL1_DCACHE_ASSOC	12
LEVEL1_DCACHE_LINESIZE	64
LEVEL2_CACHE_SIZE	1048576
LEVEL2_CACHE_ASSOC	8
LEVEL2_CACHE_LINESIZE	64
LEVEL3_CACHE_SIZE	532676608
LEVEL3_CACHE_ASSOC	0
LEVEL3_CACHE_LINESIZE	64
LEVEL4_CACHE_SIZE	
LEVEL4_CACHE_ASSOC	
LEVEL4_CACHE_LINESIZE	
IPV6	200809
RAW_SOCKETS	200809
_POSIX_IPV6	200809
_POSIX_RAW_SOCKETS	200809
`

// getconfEntry is one variable and its value.
type getconfEntry struct{ name, value string }

// getconfValues returns the table for path (a path variable's value depends on the
// filesystem holding it; missing=true when the path does not exist).
func (c *cmd) getconfValues(fstype string, missing bool) []getconfEntry {
	m := c.meminfo()
	nproc := strconv.Itoa(c.procLimit())
	cpus := strconv.Itoa(c.cpuCount())
	over := map[string]string{
		"CHILD_MAX": nproc, "_POSIX_CHILD_MAX": nproc, "SIGQUEUE_MAX": nproc,
		"OPEN_MAX": "1024", "_POSIX_OPEN_MAX": "1024",
		"_NPROCESSORS_CONF": cpus, "_NPROCESSORS_ONLN": cpus,
		"_PHYS_PAGES":   strconv.FormatInt(m["MemTotal"]/4, 10),
		"_AVPHYS_PAGES": strconv.FormatInt(m["MemFree"]/4, 10),
		// A Cascade Lake / Skylake server core as KVM passes it through.
		"LEVEL1_ICACHE_SIZE": "32768", "LEVEL1_ICACHE_ASSOC": "", "LEVEL1_ICACHE_LINESIZE": "64",
		"LEVEL1_DCACHE_SIZE": "32768", "LEVEL1_DCACHE_ASSOC": "8", "LEVEL1_DCACHE_LINESIZE": "64",
		"LEVEL2_CACHE_SIZE": "1048576", "LEVEL2_CACHE_ASSOC": "16", "LEVEL2_CACHE_LINESIZE": "64",
		"LEVEL3_CACHE_SIZE": "37486592", "LEVEL3_CACHE_ASSOC": "11", "LEVEL3_CACHE_LINESIZE": "64",
	}
	// glibc's __statfs_link_max and __statfs_filesize_max: ext2/3/4 allow 65000 links and
	// 64-bit sizes; tmpfs, proc, sysfs and the rest fall to Linux's defaults.
	if fstype != "ext4" && fstype != "ext3" && fstype != "ext2" {
		over["LINK_MAX"], over["_POSIX_LINK_MAX"], over["FILESIZEBITS"] = "127", "127", "32"
	}
	if missing {
		for _, k := range []string{"LINK_MAX", "_POSIX_LINK_MAX", "NAME_MAX", "_POSIX_NAME_MAX",
			"_POSIX_CHOWN_RESTRICTED", "FILESIZEBITS", "POSIX_ALLOC_SIZE_MIN", "POSIX_REC_MIN_XFER_SIZE",
			"POSIX_REC_XFER_ALIGN", "POSIX2_SYMLINKS"} {
			over[k] = ""
		}
	}
	var out []getconfEntry
	for _, line := range strings.Split(strings.TrimSuffix(getconfTable, "\n"), "\n") {
		name, val, _ := strings.Cut(line, "\t")
		if v, ok := over[name]; ok {
			val = v
		}
		out = append(out, getconfEntry{name, val})
	}
	return out
}

// threadsMax is the kernel's max_threads (kernel.threads-max): the memory at boot
// (MemTotal plus what the kernel freed after init) over 8 stacks of 16 KiB.
func (c *cmd) threadsMax() int64 {
	return max((c.meminfo()["MemTotal"]-14308)/128, 128)
}

// procLimit is RLIMIT_NPROC of a login on the persona, max_threads/2 (getconf CHILD_MAX,
// ulimit -u; the shell's ulimit uses the same formula).
func (c *cmd) procLimit() int { return int(c.threadsMax() / 2) }

// fsTypeOf returns the filesystem type of the mount holding abs, from /proc/mounts.
func (c *cmd) fsTypeOf(abs string) string {
	best, typ := -1, ""
	s, _ := c.readText("/proc/mounts")
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		mp := f[1]
		if abs == mp || mp == "/" || strings.HasPrefix(abs, mp+"/") {
			if len(mp) > best {
				best, typ = len(mp), f[2]
			}
		}
	}
	if typ == "" {
		return "ext4"
	}
	return typ
}

func getconfCmd(p *Proc) int {
	c := newCmd(p)
	args := c.Args[1:]
	if len(args) > 0 {
		switch args[0] {
		case "--help":
			c.print(getconfHelp)
			return c.done(0)
		case "--version", "-V":
			c.print(getconfVersion)
			return c.done(0)
		}
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	// glibc's main: one -v SPEC (every spec answers like the native LP64 environment on
	// x86_64), then -a only as the first word, then the variable.
	if len(args) > 0 && strings.HasPrefix(args[0], "-v") {
		if args[0] == "-v" {
			if len(args) < 2 {
				c.errRaw(getconfUsage)
				return c.done(2)
			}
			args = args[1:]
		}
		args = args[1:]
	}
	all := len(args) > 0 && args[0] == "-a"
	if all {
		args = args[1:]
		if len(args) > 1 {
			c.errRaw(getconfUsage)
			return c.done(2)
		}
	}
	if all {
		path := "/"
		if len(args) > 0 {
			path = args[0]
		}
		abs := c.abs(path)
		_, err := c.FS.Stat(abs)
		var b strings.Builder
		for _, e := range c.getconfValues(c.fsTypeOf(abs), err != nil) {
			b.WriteString(e.name)
			for n := len(e.name); n < 35; n++ {
				b.WriteByte(' ')
			}
			b.WriteString(e.value + "\n")
		}
		c.print(b.String())
		return c.done(0)
	}
	if len(args) == 0 || len(args) > 2 {
		c.errRaw(getconfUsage)
		return c.done(2)
	}
	name := args[0]
	isPath := getconfPathVars[name]
	if isPath != (len(args) == 2) {
		// a path variable without a path, or a path after a system variable
		var known bool
		for _, e := range c.getconfValues("ext4", false) {
			known = known || e.name == name
		}
		if known {
			c.errRaw(getconfUsage)
			return c.done(2)
		}
	}
	fstype, missing := "ext4", false
	if isPath {
		abs := c.abs(args[1])
		_, err := c.FS.Stat(abs)
		fstype, missing = c.fsTypeOf(abs), err != nil
	}
	for _, e := range c.getconfValues(fstype, missing) {
		if e.name != name {
			continue
		}
		v := e.value
		if v == "" && !getconfIsConfstr(name) {
			v = "undefined"
		}
		c.print(v + "\n")
		return c.done(0)
	}
	c.errorf("Unrecognized variable `%s'", name)
	return c.done(2)
}
