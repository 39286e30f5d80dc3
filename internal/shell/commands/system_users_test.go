package commands

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The account files of a small Debian 12 system, shared by the host tree and the vfs.
var acctFixture = map[string]string{
	"etc/passwd": "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
		"_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" +
		"systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n" +
		"deploy:x:1000:1000:Deploy User,,,:/home/deploy:/bin/bash\n",
	"etc/group": "root:x:0:\ndaemon:x:1:\nadm:x:4:\nsudo:x:27:deploy\nmail:x:8:\nusers:x:100:\nnogroup:x:65534:\n" +
		"systemd-journal:x:999:\nsystemd-network:x:998:\ndeploy:x:1000:\n",
	"etc/shadow": "root:$y$j9T$abc$def:20000:0:99999:7:::\ndaemon:*:20000:0:99999:7:::\n_apt:*:20000:0:99999:7:::\n" +
		"nobody:*:20000:0:99999:7:::\nsystemd-network:!*:20000::::::\nsshd:!:20000::::::\ndeploy:$y$j9T$ghi$jkl:20000:0:99999:7:::\n",
	"etc/gshadow": "root:*::\ndaemon:*::\nadm:*::\nsudo:*::deploy\nmail:*::\nusers:*::\nnogroup:*::\n" +
		"systemd-journal:!*::\nsystemd-network:!*::\ndeploy:!::\n",
	"etc/login.defs":      "MAIL_DIR        /var/mail\nUMASK\t\t022\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\nUID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\nGID_MIN\t\t\t 1000\nGID_MAX\t\t\t60000\nUSERGROUPS_ENAB yes\nENCRYPT_METHOD SHA512\n",
	"etc/default/useradd": "SHELL=/bin/sh\n",
	"etc/skel/.bashrc":    "# ~/.bashrc\n",
	"etc/skel/.profile":   "# ~/.profile\n",
}

// TestAccountToolsMatchShadowUtils runs a sequence of useradd/usermod/userdel/groupadd/
// groupdel lines on the host's shadow-utils (chrooted into a copy of the fixture with -R)
// and on the emulation, comparing output, status and the account files after each step.
func TestAccountToolsMatchShadowUtils(t *testing.T) {
	for _, tool := range []string{"useradd", "usermod", "userdel", "groupadd", "groupdel"} {
		hostTool(t, tool)
	}
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED (not a pass): the shadow tools' -R needs root")
	}
	root := t.TempDir()
	e := newTestEnv(t)
	skelTime := time.Date(2026, 5, 7, 20, 33, 2, 0, time.UTC)
	for name, body := range acctFixture {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.Contains(name, "shadow") {
			mode = 0o640
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		_ = e.vfs().MkdirAll("/"+filepath.Dir(name), 0o755)
		if err := e.vfs().WriteFile("/"+name, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "etc/skel/") {
			_ = os.Chtimes(p, skelTime, skelTime)
			_ = e.vfs().Chtimes("/"+name, skelTime, skelTime)
		}
	}
	for _, d := range []string{"var/mail", "home", "bin", "usr/sbin"} {
		_ = os.MkdirAll(filepath.Join(root, d), 0o755)
		_ = e.vfs().MkdirAll("/"+d, 0o755)
	}
	for _, sh := range []string{"bin/bash", "bin/sh", "usr/sbin/nologin"} {
		_ = os.WriteFile(filepath.Join(root, sh), nil, 0o755)
		_ = e.vfs().WriteFile("/"+sh, nil, 0o755)
	}
	e.sess.Clock = time.Now
	steps := [][]string{
		{"useradd", "-m", "-s", "/bin/bash", "sysadm"},
		{"useradd", "sysadm"},
		{"useradd", "Bad Name"},
		{"useradd", "-G", "nosuch", "carl"},
		{"useradd", "-u", "1001", "dup"},
		{"useradd", "-p", "abc$1", "-G", "sudo,adm", "-c", "Carl C", "-d", "/opt/carl", "-s", "/bin/zsh", "carl"},
		{"useradd", "-r", "svc"},
		{"useradd", "-N", "nn"},
		{"groupadd", "devs"},
		{"groupadd", "devs"},
		{"groupadd", "-g", "27", "x1"},
		{"groupadd", "bad name"},
		{"groupadd", "-r", "sysg"},
		{"useradd", "devs"},
		{"usermod", "carl"},
		{"usermod", "-L", "carl"},
		{"usermod", "-U", "carl"},
		{"usermod", "-aG", "devs", "sysadm"},
		{"usermod", "-G", "adm", "carl"},
		{"usermod", "-s", "/bin/sh", "-c", "new", "carl"},
		{"usermod", "nosuch"},
		{"groupdel", "sysadm"},
		{"groupdel", "devs"},
		{"groupdel", "devs"},
		{"userdel", "nosuch"},
		{"userdel", "-r", "sysadm"},
		{"userdel", "-r", "sysadm"},
		{"userdel", "carl"},
		{"userdel", "-r", "nn"},
		{"useradd", "-m", "back"},
	}
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	for _, step := range steps {
		args := append([]string{step[0], "-R", root}, step[1:]...)
		cmd := exec.Command(hostTool(t, step[0]), args[1:]...)
		cmd.Args[0] = step[0]
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		st := 0
		if err := cmd.Run(); err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			st = ee.ExitCode()
		}
		gotOut, gotErr, gotSt := e.run(step...)
		if gotOut != out.String() || gotErr != errb.String() || gotSt != st {
			t.Errorf("%q:\n got  %q %q %d\n want %q %q %d", step, gotOut, gotErr, gotSt, out.String(), errb.String(), st)
		}
		for _, f := range []string{"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "etc/passwd-", "etc/group-"} {
			want, _ := os.ReadFile(filepath.Join(root, f))
			got, _ := e.vfs().ReadFile("/" + f)
			if !bytes.Equal(got, want) {
				t.Errorf("after %q, /%s differs:\n got\n%s\n want\n%s", step, f, got, want)
			}
		}
	}
	// the new homes: skeleton copied with its times, owned by the user
	for _, h := range []string{"home/back", "home/sysadm", "home/nn", "opt/carl"} {
		fi, herr := os.Stat(filepath.Join(root, h))
		m, verr := e.vfs().Stat("/" + h)
		if (herr == nil) != (verr == nil) {
			t.Errorf("/%s exists on the host: %v, in the vfs: %v", h, herr == nil, verr == nil)
			continue
		}
		if herr == nil && fi.Mode().Perm() != m.Mode.Perm() {
			t.Errorf("/%s mode %v, host %v", h, m.Mode.Perm(), fi.Mode().Perm())
		}
	}
	m, err := e.vfs().Stat("/home/back/.bashrc")
	if err != nil || !m.MTime.Equal(skelTime) || m.UID != 1001 || m.GID != 1001 {
		t.Errorf("skeleton file: %+v %v", m, err)
	}
}

func TestAccountToolsNonRoot(t *testing.T) {
	e := newTestEnv(t).asDeploy()
	e.expect([]string{"userdel", "nosuch"}, "", "userdel: user 'nosuch' does not exist\n", 6)
	e.expect([]string{"userdel", "-r", "root"}, "", "userdel: Permission denied.\nuserdel: cannot lock /etc/passwd; try again later.\n", 1)
	e.expect([]string{"groupadd", "g"}, "", "groupadd: Permission denied.\ngroupadd: cannot lock /etc/group; try again later.\n", 10)
	e.expect([]string{"groupdel", "g"}, "", "groupdel: group 'g' does not exist\n", 6)
	e.expect([]string{"useradd", "u"}, "", "useradd: Permission denied.\nuseradd: cannot lock /etc/passwd; try again later.\n", 1)
	e.expect([]string{"usermod", "-s", "/bin/sh", "nobody"}, "", "usermod: Permission denied.\nusermod: cannot lock /etc/passwd; try again later.\n", 1)
}

// TestUserdelThenId: after userdel the account is gone for every other tool.
func TestUserdelThenId(t *testing.T) {
	e := newTestEnv(t)
	e.expect([]string{"useradd", "-m", "-s", "/bin/bash", "sysadm"}, "", "", 0)
	if out, _, st := e.run("id", "sysadm"); st != 0 || !strings.HasPrefix(out, "uid=1001(sysadm) gid=1001(sysadm)") {
		t.Errorf("id after useradd: %q %d", out, st)
	}
	e.expect([]string{"userdel", "-r", "sysadm"}, "", "userdel: sysadm mail spool (/var/mail/sysadm) not found\n", 0)
	e.expect([]string{"id", "sysadm"}, "", "id: 'sysadm': no such user\n", 1)
	if _, err := e.vfs().Stat("/home/sysadm"); err == nil {
		t.Errorf("userdel -r left the home directory")
	}
}
