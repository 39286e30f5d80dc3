//go:build linux

package reference

import "testing"

// The helpers below run everywhere (no root): they decide what the reference's eth0 becomes
// and how the gap list is grouped.

func TestEth0Of(t *testing.T) {
	out := `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP group default qlen 1000
    link/ether 52:54:00:78:45:0e brd ff:ff:ff:ff:ff:ff
    altname enp0s3
    inet 10.93.17.44/24 brd 10.93.17.255 scope global eth0
       valid_lft forever preferred_lft forever
    inet 10.93.17.45/24 scope global secondary eth0
3: eth1@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500
    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff
    inet 192.0.2.7/24 scope global eth1
`
	mac, cidr := eth0Of(out)
	if mac != "52:54:00:78:45:0e" || cidr != "10.93.17.44/24" {
		t.Errorf("eth0Of = %q, %q; want eth0's own MAC and first address", mac, cidr)
	}
	// eth0 as a veth shows "eth0@ifN".
	mac, cidr = eth0Of("5: eth0@if6: <UP>\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n    inet 198.18.0.2/30 scope global eth0\n")
	if mac != "02:00:00:00:00:01" || cidr != "198.18.0.2/30" {
		t.Errorf("eth0Of(veth) = %q, %q", mac, cidr)
	}
	if mac, cidr := eth0Of(out[:200]); mac != "" || cidr != "" {
		t.Errorf("eth0Of without eth0 = %q, %q; want nothing (lo's address is not eth0's)", mac, cidr)
	}
}

func TestCommandWord(t *testing.T) {
	for line, want := range map[string]string{
		"uname -a":                         "uname",
		"cd ~; chattr -ia .ssh":            "cd",
		"LANG=C ls -la":                    "ls",
		"sudo -n true":                     "sudo",
		"(crontab -l; echo x) | crontab -": "crontab",
		"{ echo a; }":                      "echo",
		"for i in 1 2; do echo $i; done":   "for",
		"   ":                              "(empty)",
		"nohup ./x &":                      "nohup",
	} {
		if got := commandWord(line); got != want {
			t.Errorf("commandWord(%q) = %q, want %q", line, got, want)
		}
	}
}
