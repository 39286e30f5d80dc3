package llm

import (
	"strings"
	"testing"

	"github.com/lure-sensor/lure/internal/persona"
	"github.com/lure-sensor/lure/internal/vfs"
)

func defaultPersona(t testing.TB) *persona.Persona {
	t.Helper()
	p, err := persona.Default()
	if err != nil {
		t.Fatalf("default persona: %v", err)
	}
	return p
}

func TestPromptContents(t *testing.T) {
	per := defaultPersona(t)
	fsys := vfs.NewMemFS(per.Image)
	if err := fsys.WriteFile("/root/notes.txt", []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, _ := per.LookupUser("root")
	args := []string{"cat", "notes.txt", "/etc/nginx/missing.conf", "-v", "/etc"}
	c := Context{
		Persona: per,
		User:    root,
		Cwd:     "/root",
		Command: "docker ps -a",
		Listing: Listing(fsys, per, NamedPaths(fsys, root.Home, "/root", args)),
		Recent: []Exchange{
			{Command: "uname -a", Output: "Linux " + per.Hostname + " 6.1\n"},
			{Command: "id", Output: "uid=0(root) gid=0(root) groups=0(root)\n"},
		},
	}
	msgs := Prompt{}.Messages(c)
	if len(msgs) != 6 {
		t.Fatalf("%d messages, want system + 2 exchanges + command: %+v", len(msgs), msgs)
	}
	sys := msgs[0]
	if sys.Role != "system" {
		t.Fatalf("first message role %q", sys.Role)
	}
	for _, want := range []string{
		"bash shell of a Linux server", "untrusted data", "whether you are an AI", "reveal",
		"hostname: " + per.Hostname, per.Kernel.Release, per.Hardware.CPUModel, "MemTotal",
	} {
		if !strings.Contains(sys.Content, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, sys.Content)
		}
	}
	if msgs[1].Role != "user" || !strings.HasSuffix(msgs[1].Content, "# uname -a") || msgs[2].Role != "assistant" || !strings.Contains(msgs[2].Content, "Linux") {
		t.Errorf("first exchange: %+v %+v", msgs[1], msgs[2])
	}
	if msgs[3].Content != "root@"+strings.Split(per.Hostname, ".")[0]+":~# id" {
		t.Errorf("second exchange prompt %q", msgs[3].Content)
	}
	last := msgs[5]
	for _, want := range []string{
		"user root (uid 0)", "cwd /root",
		"-rw-r--r-- root root 6 /root/notes.txt",
		"/etc/nginx/missing.conf: No such file or directory",
		"drwxr-xr-x root root",
		"root@" + strings.Split(per.Hostname, ".")[0] + ":~# docker ps -a",
	} {
		if !strings.Contains(last.Content, want) {
			t.Errorf("final message lacks %q:\n%s", want, last.Content)
		}
	}
	if strings.Contains(last.Content, "-v") && strings.Contains(last.Content, "/root/-v") {
		t.Errorf("an option was listed as a path:\n%s", last.Content)
	}
}

func TestPromptBudget(t *testing.T) {
	per := defaultPersona(t)
	var recent []Exchange
	for i := 0; i < 50; i++ {
		recent = append(recent, Exchange{Command: "cmd" + strings.Repeat("x", i), Output: strings.Repeat("output line\n", 100)})
	}
	p := Prompt{MaxTokens: 1500}
	msgs := p.Messages(Context{Persona: per, Command: "nvidia-smi", Recent: recent})
	total := 0
	for _, m := range msgs {
		total += EstimateTokens(m.Content)
	}
	if total > 1500 {
		t.Errorf("prompt of %d tokens exceeds its budget of 1500", total)
	}
	if len(msgs) < 4 {
		t.Errorf("the budget left no exchange at all: %d messages", len(msgs))
	}
	// the newest exchanges are the ones kept
	if got := msgs[len(msgs)-3].Content; !strings.HasSuffix(got, "cmd"+strings.Repeat("x", 49)) {
		t.Errorf("last kept exchange is %q, want the newest", got)
	}
	if !strings.HasSuffix(msgs[len(msgs)-1].Content, "nvidia-smi") {
		t.Errorf("the command was lost: %q", msgs[len(msgs)-1].Content)
	}
}

func TestWords(t *testing.T) {
	got := Words(`cat "/etc/my file" 'x y' $HOME | grep -v z; ls ~/d`)
	want := []string{"cat", "/etc/my file", "x y", "$HOME", "grep", "-v", "z", "ls", "~/d"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Words = %q, want %q", got, want)
	}
}
