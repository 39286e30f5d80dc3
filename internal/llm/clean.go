package llm

import (
	"strings"
	"unicode/utf8"
)

// Output bounds of one cleaned answer.
const (
	maxAnswerBytes = 16 << 10
	maxAnswerLines = 200
)

// Clean turns a model's reply into what the terminal shows: the content of a code block
// when the reply has one, without a leading "Here is the output:" line, without the echoed
// prompt or command line, without a trailing shell prompt or explanation paragraph, with
// "\n" line endings (the session writes the pty's "\r\n"), without control characters other
// than tab and newline, capped at 200 lines and 16 KiB, and ending in a newline unless
// empty. cmd is the command line that was asked; host and prompt help recognise echoes.
func Clean(reply, cmd, prompt string) string {
	s := strings.ReplaceAll(reply, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = stripControls(s)
	s = fenced(s)
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	cmd = strings.TrimSpace(cmd)
	prompt = strings.TrimSpace(prompt)
	// Leading preface and echoes.
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[0])
		switch {
		case l == "" && len(lines) > 1:
		case cmd != "" && (l == cmd || l == "$ "+cmd || l == "# "+cmd || (prompt != "" && strings.HasPrefix(l, prompt) && strings.HasSuffix(l, cmd))):
		case isPreface(l):
		default:
			goto tail
		}
		lines = lines[1:]
	}
tail:
	// Trailing prompt lines, and an explanation paragraph after a blank line.
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[len(lines)-1])
		if l == "" || (prompt != "" && (l == prompt || l == strings.TrimSpace(prompt))) || isPromptLine(l) {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	for i := len(lines) - 1; i > 0; i-- {
		if strings.TrimSpace(lines[i-1]) == "" && isExplanation(lines[i]) {
			lines = lines[:i-1]
		}
	}
	if len(lines) > maxAnswerLines {
		lines = lines[:maxAnswerLines]
	}
	out := strings.Join(lines, "\n")
	if len(out) > maxAnswerBytes {
		cut := maxAnswerBytes
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
		if i := strings.LastIndexByte(out, '\n'); i > 0 {
			out = out[:i]
		}
	}
	out = strings.TrimRight(out, " \t\n")
	if strings.TrimSpace(out) == "" {
		return ""
	}
	return out + "\n"
}

// fenced returns the content of the first ``` code block, or s when it has none.
func fenced(s string) string {
	i := strings.Index(s, "```")
	if i < 0 {
		return s
	}
	rest := s[i+3:]
	// the info string ("bash", "text", "console") ends the fence line
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.Contains(rest[:nl], "```") {
		rest = rest[nl+1:]
	}
	if j := strings.Index(rest, "```"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func stripControls(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c >= 0x20 || c == '\n' || c == '\t') && c != 0x7f {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isPreface recognises a line that introduces the output instead of being part of it.
func isPreface(l string) bool {
	low := strings.ToLower(l)
	if !strings.HasSuffix(low, ":") || len(low) > 80 {
		return low == "output" || low == "terminal output"
	}
	for _, p := range []string{"here is", "here's", "output", "the output", "terminal output", "sure", "result", "certainly"} {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	return false
}

// isExplanation recognises the start of a paragraph that explains rather than prints.
func isExplanation(l string) bool {
	low := strings.ToLower(strings.TrimSpace(l))
	for _, p := range []string{"note:", "note that", "explanation:", "this command", "this output", "the command", "the above", "in this output", "(note", "*note", "**note", "please note", "this shows", "this is the output"} {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	return false
}

// isPromptLine recognises a bare shell prompt ("root@web01:~# ", "user@host:/tmp$").
func isPromptLine(l string) bool {
	if !(strings.HasSuffix(l, "#") || strings.HasSuffix(l, "$")) {
		return false
	}
	at := strings.IndexByte(l, '@')
	colon := strings.IndexByte(l, ':')
	return at > 0 && colon > at && !strings.ContainsAny(l[:at], " \t")
}

// Guard reports why a cleaned answer is out of character (it speaks as an assistant or a
// model, admits being simulated, or leaks the prompt), or "" when it reads like terminal
// output. system is the system prompt that was sent, so leaks of it are recognised.
func Guard(answer, system string) string {
	low := strings.ToLower(answer)
	for _, p := range outOfCharacter {
		if strings.Contains(low, p) {
			return "out of character: " + p
		}
	}
	// A leaked prompt: any 48-byte run of the rules or facts block appearing in the answer.
	if system != "" && len(answer) >= 48 {
		for _, line := range strings.Split(system, "\n") {
			line = strings.TrimSpace(line)
			if len(line) < 48 || strings.HasPrefix(line, "- ") {
				continue // persona facts are legitimately printed by commands
			}
			for i := 0; i+48 <= len(line); i += 24 {
				if strings.Contains(answer, line[i:i+48]) {
					return "prompt leak"
				}
			}
		}
	}
	return ""
}

// outOfCharacter are phrases a terminal does not print but an assistant does. They are
// matched in lower case anywhere in the answer.
var outOfCharacter = []string{
	"as an ai", "an ai language model", "a language model", "large language model", "i am an ai", "i'm an ai",
	"i am a bot", "i'm not able to", "i am not able to", "i cannot ", "i can't ", "i can not ", "i'm sorry", "i am sorry",
	"i apologize", "i apologise", "as a linux terminal", "as a terminal", "simulated terminal", "simulated environment",
	"simulated shell", "simulation of", "i am simulating", "i'm simulating", "i'm just a", "i am just a",
	"honeypot", "system prompt", "my instructions", "my prompt", "previous instructions", "these instructions",
	"these rules", "openai", "chatgpt", "llama", "anthropic", "assistant:", "as requested", "i will respond",
	"i'll respond", "i will act", "i'll act", "pretend to be", "role-play", "roleplay", "hypothetical",
	"in character", "out of character", "i'm here to help", "i am here to help", "how can i help", "let me know if",
}
