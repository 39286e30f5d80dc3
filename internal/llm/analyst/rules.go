package analyst

import (
	"fmt"
	"regexp"
	"strings"
)

// rule is one signature over a command line: it fires when the line runs one of cmds, or
// when re matches.
type rule struct {
	cmds       []string // program names (without directory), in command position
	miners     []string // lower-case names whose mere mention fires the rule
	kw         []string // the regexp is only tried on lines holding one of these (lower case)
	re         *regexp.Regexp
	not        *regexp.Regexp // a line matching this is not a hit (e.g. wget --version)
	intents    []string
	techniques []string
	finding    string // what the attacker did, as a clause after "It ..."; %s is the matched text
	risk       int    // added to the score beyond the intents' weights
}

// write matches an output redirection or tee into a path that starts like path.
func write(path string) string {
	return `(?:>>?|\btee\b(?:\s+-a)?)\s*["']?` + path
}

func re(parts ...string) *regexp.Regexp { return regexp.MustCompile(strings.Join(parts, "|")) }

func intents(s ...string) []string { return s }

// rules are checked against every command line, in this order; findings keep it.
var rules = []rule{
	// Reconnaissance.
	{cmds: []string{"uname", "lscpu", "nproc", "free", "hostnamectl", "lsb_release", "uptime", "dmidecode", "lspci", "lsblk", "lshw", "getconf", "arch", "df", "nvidia-smi", "inxi"},
		kw: []string{`/proc/`, `/etc/`}, re: re(`/proc/(?:cpuinfo|meminfo|version|stat)\b`, `/etc/(?:os-release|issue|lsb-release|debian_version|redhat-release|machine-id)\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1082"}, finding: "fingerprinted the system (OS, CPU, memory, disks)"},
	{cmds: []string{"whoami", "id", "w", "who", "last", "lastlog", "users", "finger"}, kw: []string{`user`, `logname`}, re: re(`\$\{?(?:USER|LOGNAME)\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1033"}, finding: "checked which user it runs as and who else is logged in"},
	{cmds: []string{"ps", "top", "htop", "pgrep", "pidof", "pstree"},
		intents: intents(Reconnaissance), techniques: []string{"T1057"}, finding: "listed running processes"},
	{cmds: []string{"ifconfig", "route", "iwconfig", "nmcli"}, kw: []string{`ip`, `/etc/resolv`, `/etc/network`, `hostname`}, re: re(`\bip\s+(?:-\S+\s+)*(?:a|addr|address|r|route|l|link)\b`, `/etc/resolv\.conf|/etc/network/interfaces|\bhostname\s+-[iI]\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1016"}, finding: "looked at the network configuration"},
	{cmds: []string{"netstat", "ss", "lsof"},
		intents: intents(Reconnaissance), techniques: []string{"T1049"}, finding: "listed network connections and listening ports"},
	{cmds: []string{"ls", "find", "locate", "tree", "du", "mount"}, kw: []string{`/proc/mounts`}, re: re(`/proc/mounts\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1083"}, finding: "browsed files and directories"},
	{kw: []string{`/etc/passwd`, `/etc/group`, `getent`}, re: re(`/etc/(?:passwd|group)\b`, `\bgetent\s+(?:passwd|group)\b`), not: re(write(`/etc/(?:passwd|group)`)),
		intents: intents(Reconnaissance), techniques: []string{"T1087.001"}, finding: "read the list of local accounts"},
	{kw: []string{`shadow`}, re: re(`/etc/g?shadow\b`),
		techniques: []string{"T1003.008"}, finding: "read the password hashes in /etc/shadow", risk: 10},
	{cmds: []string{"which", "whereis"}, kw: []string{`command`, `dpkg`, `rpm`, `apt`}, re: re(`\bcommand\s+-v\b`, `\bdpkg\s+-[lL]\b`, `\brpm\s+-q`, `\bapt\s+list\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1518"}, finding: "checked which programs are installed"},
	{kw: []string{`systemctl`, `service`, `chkconfig`}, re: re(`\bsystemctl\s+(?:list-units|list-unit-files|status)\b`, `\bservice\s+--status-all\b`, `\bchkconfig\s+--list\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1007"}, finding: "listed system services"},
	{cmds: []string{"groups"}, kw: []string{`sudo`}, re: re(`\bsudo\s+-l\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1069.001"}, finding: "checked group memberships and sudo rights"},
	{kw: []string{`curl`, `wget`, `ping`}, re: re(`\b(?:curl|wget)\b.*\b(?:ifconfig\.(?:me|co|io)|ipinfo\.io|icanhazip\.com|api\.ipify\.org|ipecho\.net|ident\.me|checkip\.|myip\.|ip\.sb|ip-api\.com|ip\.example\.com)`,
		`\bping\s+(?:-\S+\s+)*(?:8\.8\.8\.8|1\.1\.1\.1|google\.com)\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1016.001"}, finding: "checked its public address or internet access"},
	{kw: []string{`busybox`}, re: re(`(?:^|[\s;&|/])busybox\s+[A-Z][A-Z0-9]{2,}\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1059.004", "T1082"}, finding: "probed for BusyBox with a made-up applet name, as Mirai and its descendants do"},
	{re: re(`^\s*(?:enable|system|shell|sh|linuxshell)\s*$`),
		intents: intents(Reconnaissance), techniques: []string{"T1059.004"}, finding: "sent the Mirai loader's shell-escape words (enable, system, shell, sh)"},
	{kw: []string{`\x`}, re: re(`\becho\s+-(?:e|ne|en)\s+['"]?(?:\\x[0-9a-fA-F]{2}){3,}`),
		intents: intents(Reconnaissance), techniques: []string{"T1059.004"}, finding: "echoed a hex-encoded marker to check that its commands run"},
	{kw: []string{`dd`, `\x7f`, `/bin/echo`}, re: re(`\bdd\s+bs=52\s+count=1\b`, `\\x7f\\x45\\x4c\\x46`, `\bcat\s+/bin/echo\b`, `/bin/echo\b[^;&]*\|\s*od\b`),
		intents: intents(Reconnaissance), techniques: []string{"T1082"}, finding: "read an ELF header to learn the CPU architecture"},
	{kw: []string{`systemd-detect-virt`, `/proc/1/cgroup`, `.dockerenv`, `/sys/class/dmi`, `dmesg`, `honeypot`, `cowrie`}, re: re(`systemd-detect-virt|/proc/1/cgroup|/\.dockerenv|/sys/class/dmi/id`, `dmesg.*(?i:hypervisor|vmware|virtualbox|qemu|kvm)`, `(?i)honeypot|cowrie`),
		intents: intents(DefenceEvasion), techniques: []string{"T1497.001"}, finding: "checked whether it runs in a virtual machine, a container or a honeypot"},

	// Credential change.
	{cmds: []string{"chpasswd"},
		intents: intents(CredentialChange), techniques: []string{"T1098"}, finding: "changed account passwords with chpasswd"},
	{cmds: []string{"passwd"},
		intents: intents(CredentialChange), techniques: []string{"T1098"}, finding: "changed a password with passwd"},
	{kw: []string{`usermod`}, re: re(`\busermod\b[^;&|]*\s-p\s`),
		intents: intents(CredentialChange), techniques: []string{"T1098"}, finding: "set a password hash with usermod -p"},
	{kw: []string{`.ssh`}, re: re(`\brm\s+(?:-\S+\s+)*[^;&|]*\.ssh\b`),
		intents: intents(CredentialChange), techniques: []string{"T1531"}, finding: "deleted the existing SSH keys, locking out their owners"},

	// Persistence.
	{kw: []string{`authorized_keys`, `ssh-copy-id`}, re: re(write(`[^\s;&|"']*authorized_keys2?`), `\b(?:cp|mv|install)\s[^;&|]*authorized_keys2?`, `\bssh-copy-id\b`),
		intents: intents(Persistence), techniques: []string{"T1098.004"}, finding: "installed an SSH public key in authorized_keys"},
	{kw: []string{`cron`}, re: re(`\bcrontab\s+(?:-u\s+\S+\s+)?(?:-(?:\s|$|[;&|)])|[^-\s;&|]\S*)`, write(`/(?:etc/cron|var/spool/cron)`), `\b(?:cp|mv)\s[^;&|]*\s/(?:etc/cron|var/spool/cron)`),
		intents: intents(Persistence), techniques: []string{"T1053.003"}, finding: "added a cron job"},
	{cmds: []string{"useradd", "adduser"},
		intents: intents(Persistence), techniques: []string{"T1136.001"}, finding: "created a local account"},
	{kw: []string{`sudoers`, `visudo`, `usermod`}, re: re(write(`/etc/sudoers`), `\bvisudo\b`, `\busermod\s+(?:-\S+\s+)*-a?G\s*(?:sudo|wheel|root|admin)\b`),
		intents: intents(Persistence), techniques: []string{"T1548.003"}, finding: "granted itself sudo rights"},
	{kw: []string{`/etc/rc`, `/etc/init.d`, `update-rc.d`, `chkconfig`}, re: re(write(`/etc/(?:rc\.local|init\.d/|rc\d\.d/)`), `\bupdate-rc\.d\b`, `\bchkconfig\s+\S+\s+on\b`),
		intents: intents(Persistence), techniques: []string{"T1037.004"}, finding: "added a start-up script (rc.local or init.d)"},
	{kw: []string{`systemd`, `systemctl`}, re: re(`/etc/systemd/system/\S+\.service`, `\bsystemctl\s+enable\b`),
		intents: intents(Persistence), techniques: []string{"T1543.002"}, finding: "installed or enabled a systemd service"},
	{kw: []string{`bashrc`, `profile`}, re: re(write(`\S*(?:\.bashrc|\.bash_profile|\.profile|/etc/profile|/etc/bash\.bashrc)`)),
		intents: intents(Persistence), techniques: []string{"T1546.004"}, finding: "added commands to a shell start-up file"},
	{kw: []string{`ld.so.preload`}, re: re(write(`/etc/ld\.so\.preload`)),
		intents: intents(Persistence, DefenceEvasion), techniques: []string{"T1574.006"}, finding: "wrote /etc/ld.so.preload to hook every program"},

	// Download and execute.
	{cmds: []string{"wget", "tftp", "ftpget", "aria2c", "lwp-download", "fetch"}, kw: []string{`curl`, `urlretrieve`, `urllib`, `requests.get`, `/dev/tcp/`}, re: re(`\bcurl\b[^;&|]*\s-(?:[a-zA-Z]*[oO]\b|-output\b|-remote-name\b)`,
		`\bcurl\b[^;&]*\|\s*(?:sudo\s+)?(?:/bin/|/usr/bin/)?(?:ba|da|z)?sh\b`, `urlretrieve|urllib\.request|requests\.get\(|/dev/tcp/`),
		not:     re(`^\s*(?:\S*/)?(?:busybox\s+)?(?:wget|curl|tftp)\s+(?:--version|-V|--help|-h)\b`, `^\s*(?:\S*/)?busybox\s+(?:wget|tftp)\s*(?:$|;)`),
		intents: intents(DownloadExecute), techniques: []string{"T1105"}, finding: "downloaded a file (wget, curl, tftp)"},
	{kw: []string{`|`}, re: re(`\|\s*(?:sudo\s+)?(?:/bin/|/usr/bin/)?(?:ba|da|z)?sh\b(?:\s|$|[;&|)])`),
		techniques: []string{"T1059.004"}, finding: "piped text into a shell to run it"},
	{kw: []string{`./`, `.sh`, `nohup`}, re: re(`(?:^|[;&|\s])\./[\w.-]+`, `\b(?:sh|bash)\s+(?:-\S+\s+)?[\w./-]+\.sh\b`, `\bnohup\s`),
		techniques: []string{"T1059.004"}, finding: "ran a program or script it had dropped"},
	{kw: []string{`base64`}, re: re(`\bbase64\s+(?:-\S+\s+)*(?:-d|--decode)\b`, `\bopenssl\s+(?:enc\s+)?-?base64\s+-d\b`),
		intents: intents(DefenceEvasion), techniques: []string{"T1140"}, finding: "decoded a base64 payload"},
	{kw: []string{`python`}, re: re(`\bpython[0-9.]*\s+-c\b`),
		techniques: []string{"T1059.006"}, finding: "ran inline Python"},
	{kw: []string{`perl`}, re: re(`\bperl\s+-e\b`),
		techniques: []string{"T1059"}, finding: "ran inline Perl"},

	// Cryptomining.
	{miners: []string{"xmrig", "xmr-stak", "minerd", "cpuminer", "kinsing", "kdevtmpfsi", "stratum+tcp", "stratum+ssl", "stratum+tls", "monero", "nicehash",
		"cryptonight", "randomx", "--donate-level", "c3pool", "supportxmr", "nanopool", "minexmr", "hashvault", "moneroocean", "2miners", "f2pool", "nbminer",
		"lolminer", "phoenixminer", "kthreaddi"},
		intents: intents(Cryptomining), techniques: []string{"T1496.001"}, finding: "dealt with a cryptocurrency miner (%s)"},

	// Propagation.
	{cmds: []string{"masscan", "zmap", "pnscan", "zgrab", "zgrab2", "nmap", "unicornscan"},
		intents: intents(Propagation), techniques: []string{"T1046"}, finding: "ran a network scanner to find more victims"},
	{cmds: []string{"hydra", "medusa", "ncrack", "patator"}, kw: []string{`.pass_file`, `sshcrack`}, re: re(`\.pass_file\b|\bsshcrack\b`),
		intents: intents(Propagation), techniques: []string{"T1110"}, finding: "ran a password-guessing tool against other hosts"},
	{kw: []string{`selfrep`, `telnet.`}, re: re(`\bselfrep\b`, `\btelnet\.(?:x86|arm7?|mips|mpsl|ppc|sh4|m68k|spc|arc)\b`),
		intents: intents(Propagation), techniques: []string{"T1046", "T1110.001"}, finding: "started a self-spreading bot (a Mirai-style telnet/SSH scanner)"},

	// Lateral movement.
	{kw: []string{`ssh`, `scp`, `rsync`}, re: re(`\bssh\s+(?:-\S+\s+(?:\d+\s+)?)*[\w.-]+@[\w.-]+`, `\bscp\s[^;&|]*[\w.-]+:`, `\bsshpass\b`, `\brsync\s[^;&|]*[\w.-]+:`),
		intents: intents(LateralMovement), techniques: []string{"T1021.004"}, finding: "connected onward over SSH to other hosts"},
	{kw: []string{`.ssh/id_`}, re: re(`\.ssh/id_(?:rsa|dsa|ecdsa|ed25519)(?:$|[\s;&|'"])`),
		intents: intents(LateralMovement), techniques: []string{"T1552.004"}, finding: "looked for private SSH keys"},
	{kw: []string{`known_hosts`, `arp`, `ip`, `/etc/hosts`}, re: re(`known_hosts`, `\barp\s+-a\b`, `\bip\s+neigh`, `/etc/hosts(?:$|[\s;&|'"])`),
		intents: intents(LateralMovement), techniques: []string{"T1018"}, finding: "looked for other hosts to reach (known_hosts, ARP table, /etc/hosts)"},
	{kw: []string{`bash_history`}, re: re(`\b(?:cat|less|more|tail|head|grep)\b[^;&|]*\.bash_history`),
		intents: intents(LateralMovement), techniques: []string{"T1552.003"}, finding: "read the shell history for credentials"},

	// Defence evasion.
	{kw: []string{`hist`}, re: re(`\bhistory\s+-[cw]\b`, `\bunset\s+(?:\w+\s+)*HISTFILE\b`, `\bHIST(?:FILE|SIZE|FILESIZE)=(?:/dev/null|0)?(?:\s|$|;)`,
		`\brm\s[^;&|]*\.bash_history`, `>\s*\S*\.bash_history`, `\bln\s+-sf?\s+/dev/null\s+\S*\.bash_history`, `\bshred\b[^;&|]*\.bash_history`, `\bset\s+\+o\s+history\b`),
		intents: intents(DefenceEvasion), techniques: []string{"T1070.003"}, finding: "cleared the shell history"},
	{kw: []string{`/var/log`, `journalctl`}, re: re(`(?:\brm\s|\bshred\s|\btruncate\s|>\s*)[^;&|]*/var/log/`, `\bjournalctl\s+--vacuum`),
		intents: intents(DefenceEvasion), techniques: []string{"T1070.002"}, finding: "wiped system logs"},
	{kw: []string{`iptables`, `ufw`, `firewalld`, `nft`, `hosts.deny`}, re: re(`\biptables\s+(?:-t\s+\S+\s+)?(?:-F|--flush|-X|-P\s+\w+\s+ACCEPT)\b`, `\bufw\s+disable\b`, `\b(?:systemctl|service)\s+(?:stop|disable)\s+(?:firewalld|ufw|iptables|nftables)\b`,
		`\bservice\s+(?:firewalld|ufw|iptables)\s+stop\b`, `\bnft\s+flush\b`, `>\s*/etc/hosts\.deny`),
		intents: intents(DefenceEvasion), techniques: []string{"T1562.004"}, finding: "disabled the firewall or emptied its block list"},
	{kw: []string{`setenforce`, `selinux`, `apparmor`, `auditd`, `auditctl`, `aliyun`, `aegis`, `qcloud`, `yunjing`, `bcm-agent`, `cloudmonitor`}, re: re(`\bsetenforce\s+0\b`, `/etc/selinux/config`, `\b(?:systemctl|service)\s+(?:stop|disable)\s+(?:apparmor|auditd|aliyun|aegis|qcloud|yunjing|bcm-agent|cloudmonitor)\b`,
		`\bservice\s+(?:apparmor|auditd)\s+stop\b`, `\bauditctl\s+-D\b`, `/usr/local/(?:aegis|qcloud)`),
		intents: intents(DefenceEvasion), techniques: []string{"T1562.001"}, finding: "disabled security tooling (SELinux, AppArmor, audit, cloud agents)"},
	{kw: []string{`chattr`, `lockr`}, re: re(`\bchattr\s+[-+=]\w*[ia]`, `\blockr\b`),
		intents: intents(DefenceEvasion), techniques: []string{"T1222.002"}, finding: "changed immutable file attributes (chattr)"},
	{kw: []string{`touch`}, re: re(`\btouch\s+(?:-\S+\s+)*-[rdt]\s`),
		intents: intents(DefenceEvasion), techniques: []string{"T1070.006"}, finding: "back-dated file times (timestomp)"},
	{kw: []string{`rm`}, re: re(`\brm\s+(?:-\S+\s+)*[^;&|]*(?:/tmp/|/var/tmp/|/dev/shm/|\b[\w-]+\.sh\b)`),
		intents: intents(DefenceEvasion), techniques: []string{"T1070.004"}, finding: "deleted files it had dropped or found in temporary directories"},
}

// chpasswdPair finds "user:password" in a line that pipes into chpasswd.
var chpasswdPair = regexp.MustCompile(`([A-Za-z_][\w.-]{0,31}):[^\s"'|:]+`)

var createdAccount = regexp.MustCompile(`\b(?:useradd|adduser)\s+(?:-\S+\s+(?:[^-\s]\S*\s+)?)*([A-Za-z_][\w.-]{0,31})`)

// Rules analyses a transcript with signatures alone. It needs no network and no model.
func Rules(t *Transcript) Analysis {
	a := Analysis{Session: t.Session, SrcIP: t.SrcIP, Source: "rules"}
	intentSet := map[string]bool{}
	techSet := map[string]bool{}
	var findings []string
	findingSet := map[string]bool{}
	extra := 0
	addTech := func(ids ...string) {
		for _, id := range ids {
			if !techSet[id] {
				techSet[id] = true
				a.Techniques = append(a.Techniques, Technique{ID: id, Name: techniqueNames[id]})
			}
		}
	}
	addFinding := func(f string) {
		if !findingSet[f] {
			findingSet[f] = true
			findings = append(findings, f)
		}
	}
	addIntents := func(in ...string) {
		for _, i := range in {
			intentSet[i] = true
		}
	}

	if t.LoginFailures > 0 {
		addTech("T1110.001")
	}
	if t.LoggedIn {
		addTech("T1078.003")
	}

	fired := make([]bool, len(rules))
	created := map[string]bool{}
	changed := map[string]bool{}
	mdrfckr := false
	for _, c := range t.Commands {
		line := c.Input
		progs := commandNames(line)
		lower := strings.ToLower(line)
		for i := range rules {
			r := &rules[i]
			m := ""
			for _, name := range r.cmds {
				if progs[name] {
					m = name
					break
				}
			}
			for _, name := range r.miners {
				if m == "" && strings.Contains(lower, name) {
					m = name
				}
			}
			if m == "" && r.re != nil && (len(r.kw) == 0 || containsAny(lower, r.kw)) {
				m = r.re.FindString(line)
			}
			if m == "" || (r.not != nil && r.not.MatchString(line)) {
				continue
			}
			addIntents(r.intents...)
			addTech(r.techniques...)
			if !fired[i] {
				fired[i] = true
				extra += r.risk
				f := r.finding
				if strings.Contains(f, "%s") {
					f = fmt.Sprintf(f, strings.ToLower(strings.TrimSpace(m)))
				}
				addFinding(f)
			}
		}
		if strings.Contains(line, "mdrfckr") {
			mdrfckr = true
		}
		for _, m := range createdAccount.FindAllStringSubmatch(line, -1) {
			created[m[1]] = true
		}
		if progs["chpasswd"] {
			for _, m := range chpasswdPair.FindAllStringSubmatch(line, -1) {
				changed[m[1]] = true
			}
		}
		for _, target := range passwdTargets(line, progs) {
			if target != "" {
				changed[target] = true
			} else if t.Username != "" {
				changed[t.Username] = true
			}
		}
	}
	// Headlines go before the per-line findings: they are what an operator must read first.
	var headlines []string
	if mdrfckr {
		headlines = append(headlines, "installed the SSH key of the long-running \"mdrfckr\" botnet")
	}
	for _, u := range t.CredentialChanges {
		changed[u] = true
		addIntents(CredentialChange)
		addTech("T1098")
	}
	if t.Username != "" && changed[t.Username] && !created[t.Username] {
		addTech("T1531")
		headlines = append(headlines, fmt.Sprintf("changed the password of the account it logged in with (%s), locking out everyone else who uses it", t.Username))
	}

	fetched, hashes := 0, 0
	for _, d := range t.Downloads {
		if d.SHA256 != "" {
			fetched++
		}
	}
	if fetched > 0 {
		addIntents(DownloadExecute)
		addTech("T1105")
		addFinding(fmt.Sprintf("fetched %d file(s) from the internet", fetched))
	}
	if len(t.Uploads) > 0 {
		addIntents(DownloadExecute)
		addTech("T1105")
		addFinding(fmt.Sprintf("uploaded %d file(s) over SFTP or scp", len(t.Uploads)))
	}
	for _, tr := range append(append([]Transfer(nil), t.Downloads...), t.Uploads...) {
		if tr.SHA256 != "" {
			hashes++
		}
	}
	if len(t.Forwards) > 0 {
		addTech("T1090")
		extra += 15
		addFinding(fmt.Sprintf("asked to tunnel connections through the sensor (to %s)", strings.Join(first(t.Forwards, 3), ", ")))
		for _, f := range t.Forwards {
			if privateTarget(f) {
				addIntents(LateralMovement)
			}
		}
	}

	for _, h := range headlines {
		findingSet[h] = true
	}
	findings = append(headlines, findings...)
	for _, i := range intentOrder {
		if intentSet[i] {
			a.Intents = append(a.Intents, i)
		}
	}
	if a.Intents == nil {
		a.Intents = []string{}
	}
	if a.Techniques == nil {
		a.Techniques = []Technique{}
	}
	a.IOCs = ExtractIOCs(t)
	a.Findings = findings

	risk := 0
	if t.LoggedIn {
		risk += 10
	} else {
		risk += min(t.LoginFailures, 5)
	}
	for _, i := range a.Intents {
		risk += intentWeight[i]
	}
	risk += 2*len(a.Techniques) + extra
	if hashes > 0 {
		risk += 10
	}
	a.Risk = clampRisk(risk)
	a.Summary = summarise(t, a, findings)
	return a
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func clampRisk(r int) int { return max(0, min(100, r)) }

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// maxFindings bounds the findings a summary lists.
const maxFindings = 12

// summarise writes the plain-language summary from the facts and the findings.
func summarise(t *Transcript, a Analysis, findings []string) string {
	var b strings.Builder
	who := t.SrcIP
	if who == "" {
		who = "The client"
	}
	switch {
	case t.LoggedIn:
		fmt.Fprintf(&b, "%s logged in as %s with the password %q", who, t.Username, t.Password)
		if t.LoginFailures > 0 {
			fmt.Fprintf(&b, " after %d failed attempt(s)", t.LoginFailures)
		}
	case t.LoginFailures > 0:
		fmt.Fprintf(&b, "%s tried %d password(s) and never logged in", who, t.LoginFailures)
	default:
		fmt.Fprintf(&b, "%s connected and left without logging in", who)
	}
	if t.Client != "" {
		fmt.Fprintf(&b, ", using %s", t.Client)
	}
	switch n := len(t.Commands); {
	case n == 1:
		b.WriteString(", and ran 1 command line.")
	case n > 1:
		fmt.Fprintf(&b, ", and ran %d command lines.", n)
	default:
		b.WriteString(".")
	}
	if len(findings) > 0 {
		shown := first(findings, maxFindings)
		b.WriteString(" It ")
		b.WriteString(strings.Join(shown, "; "))
		if len(findings) > len(shown) {
			fmt.Fprintf(&b, "; and %d more", len(findings)-len(shown))
		}
		b.WriteString(".")
	}
	if n := a.IOCs.count(); n > 0 {
		fmt.Fprintf(&b, " Indicators: %s.", a.IOCs.describe())
	}
	fmt.Fprintf(&b, " Risk %d/100", a.Risk)
	if len(a.Intents) > 0 {
		labels := make([]string, len(a.Intents))
		for i, x := range a.Intents {
			labels[i] = IntentLabel(x)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(labels, ", "))
	}
	b.WriteString(".")
	return b.String()
}
