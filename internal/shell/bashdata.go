package shell

// Static texts of bash 5.2.15 as Debian 12 ships it, captured from the real program.

// helpText is the output of `help` with no arguments.
const helpText = "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)\nThese shell commands are defined internally.  Type `help' to see this list.\nType `help name' to find out more about the function `name'.\nUse `info bash' to find out more about the shell in general.\nUse `man -k' or `info' to find out more about commands not in this list.\n\nA star (*) next to a name means that the command is disabled.\n\n job_spec [&]                            history [-c] [-d offset] [n] or hist>\n (( expression ))                        if COMMANDS; then COMMANDS; [ elif C>\n . filename [arguments]                  jobs [-lnprs] [jobspec ...] or jobs >\n :                                       kill [-s sigspec | -n signum | -sigs>\n [ arg... ]                              let arg [arg ...]\n [[ expression ]]                        local [option] name[=value] ...\n alias [-p] [name[=value] ... ]          logout [n]\n bg [job_spec ...]                       mapfile [-d delim] [-n count] [-O or>\n bind [-lpsvPSVX] [-m keymap] [-f file>  popd [-n] [+N | -N]\n break [n]                               printf [-v var] format [arguments]\n builtin [shell-builtin [arg ...]]       pushd [-n] [+N | -N | dir]\n caller [expr]                           pwd [-LP]\n case WORD in [PATTERN [| PATTERN]...)>  read [-ers] [-a array] [-d delim] [->\n cd [-L|[-P [-e]] [-@]] [dir]            readarray [-d delim] [-n count] [-O >\n command [-pVv] command [arg ...]        readonly [-aAf] [name[=value] ...] o>\n compgen [-abcdefgjksuv] [-o option] [>  return [n]\n complete [-abcdefgjksuv] [-pr] [-DEI]>  select NAME [in WORDS ... ;] do COMM>\n compopt [-o|+o option] [-DEI] [name .>  set [-abefhkmnptuvxBCEHPT] [-o optio>\n continue [n]                            shift [n]\n coproc [NAME] command [redirections]    shopt [-pqsu] [-o] [optname ...]\n declare [-aAfFgiIlnrtux] [name[=value>  source filename [arguments]\n dirs [-clpv] [+N] [-N]                  suspend [-f]\n disown [-h] [-ar] [jobspec ... | pid >  test [expr]\n echo [-neE] [arg ...]                   time [-p] pipeline\n enable [-a] [-dnps] [-f filename] [na>  times\n eval [arg ...]                          trap [-lp] [[arg] signal_spec ...]\n exec [-cl] [-a name] [command [argume>  true\n exit [n]                                type [-afptP] name [name ...]\n export [-fn] [name[=value] ...] or ex>  typeset [-aAfFgiIlnrtux] name[=value>\n false                                   ulimit [-SHabcdefiklmnpqrstuvxPRT] [>\n fc [-e ename] [-lnr] [first] [last] o>  umask [-p] [-S] [mode]\n fg [job_spec]                           unalias [-a] name [name ...]\n for NAME [in WORDS ... ] ; do COMMAND>  unset [-f] [-v] [-n] [name ...]\n for (( exp1; exp2; exp3 )); do COMMAN>  until COMMANDS; do COMMANDS-2; done\n function name { COMMANDS ; } or name >  variables - Names and meanings of so>\n getopts optstring name [arg ...]        wait [-fn] [-p var] [id ...]\n hash [-lr] [-p pathname] [-dt] [name >  while COMMANDS; do COMMANDS-2; done\n help [-dms] [pattern ...]               { COMMANDS ; }\n"

// killList is the output of `kill -l`.
const killList = ` 1) SIGHUP	 2) SIGINT	 3) SIGQUIT	 4) SIGILL	 5) SIGTRAP
 6) SIGABRT	 7) SIGBUS	 8) SIGFPE	 9) SIGKILL	10) SIGUSR1
11) SIGSEGV	12) SIGUSR2	13) SIGPIPE	14) SIGALRM	15) SIGTERM
16) SIGSTKFLT	17) SIGCHLD	18) SIGCONT	19) SIGSTOP	20) SIGTSTP
21) SIGTTIN	22) SIGTTOU	23) SIGURG	24) SIGXCPU	25) SIGXFSZ
26) SIGVTALRM	27) SIGPROF	28) SIGWINCH	29) SIGIO	30) SIGPWR
31) SIGSYS	34) SIGRTMIN	35) SIGRTMIN+1	36) SIGRTMIN+2	37) SIGRTMIN+3
38) SIGRTMIN+4	39) SIGRTMIN+5	40) SIGRTMIN+6	41) SIGRTMIN+7	42) SIGRTMIN+8
43) SIGRTMIN+9	44) SIGRTMIN+10	45) SIGRTMIN+11	46) SIGRTMIN+12	47) SIGRTMIN+13
48) SIGRTMIN+14	49) SIGRTMIN+15	50) SIGRTMAX-14	51) SIGRTMAX-13	52) SIGRTMAX-12
53) SIGRTMAX-11	54) SIGRTMAX-10	55) SIGRTMAX-9	56) SIGRTMAX-8	57) SIGRTMAX-7
58) SIGRTMAX-6	59) SIGRTMAX-5	60) SIGRTMAX-4	61) SIGRTMAX-3	62) SIGRTMAX-2
63) SIGRTMAX-1	64) SIGRTMAX	
`

// shoptNames lists bash's shopt options in its order.
var shoptNames = []string{"autocd", "assoc_expand_once", "cdable_vars", "cdspell", "checkhash", "checkjobs", "checkwinsize", "cmdhist", "compat31", "compat32", "compat40", "compat41", "compat42", "compat43", "compat44", "complete_fullquote", "direxpand", "dirspell", "dotglob", "execfail", "expand_aliases", "extdebug", "extglob", "extquote", "failglob", "force_fignore", "globasciiranges", "globskipdots", "globstar", "gnu_errfmt", "histappend", "histreedit", "histverify", "hostcomplete", "huponexit", "inherit_errexit", "interactive_comments", "lastpipe", "lithist", "localvar_inherit", "localvar_unset", "login_shell", "mailwarn", "no_empty_cmd_completion", "nocaseglob", "nocasematch", "noexpand_translation", "nullglob", "patsub_replacement", "progcomp", "progcomp_alias", "promptvars", "restricted_shell", "shift_verbose", "sourcepath", "varredir_close", "xpg_echo"}

// defaultShopts are the options on by default in a non-interactive bash.
func defaultShopts() map[string]bool {
	return map[string]bool{"checkwinsize": true, "cmdhist": true, "complete_fullquote": true, "extquote": true, "force_fignore": true, "globasciiranges": true, "globskipdots": true, "hostcomplete": true, "interactive_comments": true, "patsub_replacement": true, "progcomp": true, "promptvars": true, "sourcepath": true}
}
