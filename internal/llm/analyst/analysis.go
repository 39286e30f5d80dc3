// Package analyst owns what lure concludes about a session once it has closed: a
// plain-language summary, intent classes, MITRE ATT&CK technique ids, indicators of
// compromise and a 0-100 risk score. A rule-based analyst (signatures over the command lines
// and transfer events) always runs, so the feature works on the embedded default with no
// LLM; when an LLM is configured it is asked with the paper's "expert explanation" prompt,
// its JSON answer is validated and merged with the rules' result, and any failure falls back
// to the rules. The Analyst is an event sink: it accumulates each session's events with
// bounded memory, and analyses closed sessions through a bounded queue in the background.
package analyst

import (
	"regexp"
	"strings"
	"time"
)

// Intent classes, as the analysis names them.
const (
	Reconnaissance   = "reconnaissance"
	CredentialChange = "credential_change"
	Persistence      = "persistence"
	DownloadExecute  = "download_execute"
	Cryptomining     = "cryptomining"
	Propagation      = "propagation"
	LateralMovement  = "lateral_movement"
	DefenceEvasion   = "defence_evasion"
)

// Intents lists every intent class in the order analyses report them.
var intentOrder = []string{Reconnaissance, CredentialChange, Persistence, DownloadExecute, Cryptomining, Propagation, LateralMovement, DefenceEvasion}

// IntentLabel is an intent class in words ("download_execute": "download and execute").
func IntentLabel(i string) string {
	if i == DownloadExecute {
		return "download and execute"
	}
	return strings.ReplaceAll(i, "_", " ")
}

// Intents returns every intent class, in the order analyses report them.
func Intents() []string { return append([]string(nil), intentOrder...) }

// intentWeight is what each intent adds to the risk score: what an operator loses if it
// succeeded on a real host. Reconnaissance alone is what every bot does.
var intentWeight = map[string]int{
	Reconnaissance:   10,
	CredentialChange: 25,
	Persistence:      30,
	DownloadExecute:  35,
	Cryptomining:     30,
	Propagation:      30,
	LateralMovement:  30,
	DefenceEvasion:   15,
}

// Analysis is the analyst's result for one session.
type Analysis struct {
	Session    string      `json:"session"`
	SrcIP      string      `json:"src_ip"`
	Summary    string      `json:"summary"`
	Intents    []string    `json:"intents"`
	Techniques []Technique `json:"techniques"`
	IOCs       IOCs        `json:"iocs"`
	Risk       int         `json:"risk"`
	// Findings are the rules' observations, one short sentence each, in session order.
	Findings []string `json:"findings,omitempty"`
	// Source is "rules", or "llm" when an LLM's answer was merged in.
	Source string `json:"source"`
	Model  string `json:"model,omitempty"`
	// LLMError says why an LLM that was asked did not contribute.
	LLMError string    `json:"llm_error,omitempty"`
	Created  time.Time `json:"created"`
}

// Technique is a MITRE ATT&CK technique or sub-technique.
type Technique struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// IOCs are the indicators of compromise a session names.
type IOCs struct {
	URLs    []string `json:"urls"`
	IPs     []string `json:"ips"`
	Domains []string `json:"domains"`
	Hashes  []string `json:"hashes"` // SHA-256 of files fetched or uploaded
	SSHKeys []SSHKey `json:"ssh_keys"`
}

// SSHKey is a public key the attacker installed or offered.
type SSHKey struct {
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint,omitempty"` // "SHA256:...", as ssh-keygen -l prints it
	Comment     string `json:"comment,omitempty"`
	Key         string `json:"key"` // "TYPE BASE64"
}

// techniqueID is the shape of an ATT&CK (sub-)technique id.
var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// ValidTechniqueID reports whether id has the shape of an ATT&CK technique id (T1234 or
// T1234.567).
func ValidTechniqueID(id string) bool { return techniqueID.MatchString(id) }

// techniqueNames are the ATT&CK names of the techniques the rules report (Enterprise ATT&CK,
// checked against attack.mitre.org).
var techniqueNames = map[string]string{
	"T1003.008": "OS Credential Dumping: /etc/passwd and /etc/shadow",
	"T1007":     "System Service Discovery",
	"T1016":     "System Network Configuration Discovery",
	"T1016.001": "System Network Configuration Discovery: Internet Connection Discovery",
	"T1018":     "Remote System Discovery",
	"T1021.004": "Remote Services: SSH",
	"T1033":     "System Owner/User Discovery",
	"T1037.004": "Boot or Logon Initialization Scripts: RC Scripts",
	"T1046":     "Network Service Discovery",
	"T1049":     "System Network Connections Discovery",
	"T1053.003": "Scheduled Task/Job: Cron",
	"T1057":     "Process Discovery",
	"T1059":     "Command and Scripting Interpreter",
	"T1059.004": "Command and Scripting Interpreter: Unix Shell",
	"T1059.006": "Command and Scripting Interpreter: Python",
	"T1069.001": "Permission Groups Discovery: Local Groups",
	"T1070.002": "Indicator Removal: Clear Linux or Mac System Logs",
	"T1070.003": "Indicator Removal: Clear Command History",
	"T1070.004": "Indicator Removal: File Deletion",
	"T1070.006": "Indicator Removal: Timestomp",
	"T1078.003": "Valid Accounts: Local Accounts",
	"T1082":     "System Information Discovery",
	"T1083":     "File and Directory Discovery",
	"T1087.001": "Account Discovery: Local Account",
	"T1090":     "Proxy",
	"T1098":     "Account Manipulation",
	"T1098.004": "Account Manipulation: SSH Authorized Keys",
	"T1105":     "Ingress Tool Transfer",
	"T1110":     "Brute Force",
	"T1110.001": "Brute Force: Password Guessing",
	"T1136.001": "Create Account: Local Account",
	"T1140":     "Deobfuscate/Decode Files or Information",
	"T1222.002": "File and Directory Permissions Modification: Linux and Mac File and Directory Permissions Modification",
	"T1496":     "Resource Hijacking",
	"T1496.001": "Resource Hijacking: Compute Hijacking",
	"T1497.001": "Virtualization/Sandbox Evasion: System Checks",
	"T1518":     "Software Discovery",
	"T1531":     "Account Access Removal",
	"T1543.002": "Create or Modify System Process: Systemd Service",
	"T1546.004": "Event Triggered Execution: Unix Shell Configuration Modification",
	"T1548.003": "Abuse Elevation Control Mechanism: Sudo and Sudo Caching",
	"T1552.003": "Unsecured Credentials: Shell History",
	"T1552.004": "Unsecured Credentials: Private Keys",
	"T1562.001": "Impair Defenses: Disable or Modify Tools",
	"T1562.004": "Impair Defenses: Disable or Modify System Firewall",
	"T1574.006": "Hijack Execution Flow: Dynamic Linker Hijacking",
}

// TechniqueName returns the ATT&CK name of a technique the analyst knows, or "".
func TechniqueName(id string) string { return techniqueNames[id] }
