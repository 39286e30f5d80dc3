#!/bin/sh
# build-rootfs.sh builds the Debian 12 root filesystem of lure's reference server (issue 3,
# "Measure it"; docs/reference.md): a debootstrap --variant=minbase tree with the package list,
# host name and non-root user of the embedded default persona, in which root and the user log
# in with a known password, so `lure eval` can compare lure against the real thing.
#
# Usage (as root):
#
#   scripts/reference/build-rootfs.sh DIR
#
# It is idempotent: when DIR.lure-ready exists, the tree is finished and nothing is done.
# The marker sits BESIDE the tree, not inside it, like the markers of
# scripts/build-default-persona.sh: a file inside DIR would be captured into every persona made
# from the tree (the default one included) and listed by `ls -a /` on the reference.
#
# It reuses scripts/build-default-persona.sh (stages rootfs and configure), so the package
# list, the host name, the user and every configuration step stay those of the default
# persona; that script reads the Debian mirror from this machine's apt sources at run time.
# On a fresh machine this takes several minutes (debootstrap, then the pending bookworm
# updates); progress goes to stderr.
#
# Environment:
#   REFERENCE_PASSWORD  the password root and the user get (default lure-reference)
#   MIRROR, SECURITY_MIRROR  passed through to build-default-persona.sh
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
DIR=${1%/}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PASSWORD=${REFERENCE_PASSWORD:-lure-reference}
USER_NAME=deploy # the non-root user build-default-persona.sh creates

say() { echo "build-rootfs: $*" >&2; }

if [ -f "$DIR.lure-ready" ]; then
	say "$DIR is ready ($DIR.lure-ready exists); nothing to do"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	say "needs root (debootstrap, chroot)"
	exit 1
fi

if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
fi

start=$(date +%s)
if [ -f "$DIR.debootstrap-done" ]; then
	say "$DIR is already bootstrapped"
else
	say "debootstrap bookworm into $DIR (minbase and the default persona's packages; takes minutes)"
	ROOTFS=$DIR "$REPO/scripts/build-default-persona.sh" rootfs
	say "bootstrapped in $(($(date +%s) - start))s"
fi

if [ -f "$DIR.configured" ]; then
	say "$DIR is already configured"
else
	say "configuring $DIR (host name, user $USER_NAME, locale, pending bookworm updates)"
	ROOTFS=$DIR "$REPO/scripts/build-default-persona.sh" configure
	say "configured after $(($(date +%s) - start))s"
fi

in_root() { chroot "$DIR" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# check_password USER succeeds when USER's hash in the tree accepts $PASSWORD.
check_password() {
	in_root python3 -W ignore -c '
import crypt, sys
for line in open("/etc/shadow"):
    f = line.split(":")
    if f[0] == sys.argv[1]:
        h = f[1]
        sys.exit(0 if h.startswith("$") and crypt.crypt(sys.argv[2], h) == h else 1)
sys.exit(1)' "$1" "$PASSWORD"
}

# The reference must accept a password login. A hash that does not verify (for instance
# "*0", what libxcrypt returns for a malformed salt) is replaced by a yescrypt hash with a
# fixed salt, so /etc/shadow stays the same from one build to the next.
for u in root "$USER_NAME"; do
	if check_password "$u"; then
		say "$u logs in with the reference password"
		continue
	fi
	case $u in
	root) salt='$y$j9T$Lur3R00tSa1tXy012345$' ;;
	*) salt='$y$j9T$Lur3Us3rSa1tXy012345$' ;;
	esac
	hash=$(in_root python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]))' "$PASSWORD" "$salt")
	case $hash in
	'$'*) ;;
	*)
		say "could not hash the password for $u (got $hash)"
		exit 1
		;;
	esac
	in_root usermod -p "$hash" "$u"
	check_password "$u" || {
		say "the password of $u still does not verify"
		exit 1
	}
	say "set the reference password for $u"
done

for f in usr/sbin/sshd etc/ssh/ssh_host_ed25519_key bin/bash; do
	if [ ! -e "$DIR/$f" ]; then
		say "$DIR/$f is missing; remove $DIR and its markers ($DIR.*) to build again"
		exit 1
	fi
done

touch "$DIR.lure-ready"
say "$DIR is ready after $(($(date +%s) - start))s"
