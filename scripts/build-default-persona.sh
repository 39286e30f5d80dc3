#!/bin/sh
# build-default-persona.sh builds lure's embedded default persona
# (internal/persona/default.persona): a Debian 12 (bookworm) web server captured from a
# debootstrap root filesystem.
#
# Usage (as root, from anywhere inside the repository):
#
#   scripts/build-default-persona.sh [all|rootfs|configure|capture]
#
#   rootfs     debootstrap --variant=minbase with the package list of issue 3 into $ROOTFS
#              (skipped when $ROOTFS already holds a finished bootstrap)
#   configure  give the tree its identity: host name, a non-root user, fstab, machine-id,
#              apt sources and the pending bookworm updates (idempotent)
#   capture    run `lure persona capture` on $ROOTFS with the fixed hardware facts kept in
#              scripts/persona/, writing internal/persona/default.persona
#   all        the three above, in order (default)
#
# Environment:
#   ROOTFS     where the root filesystem lives (default /var/tmp/lure-bookworm-rootfs). It is
#              never committed; the reference-server tests of issue 3 reuse it.
#   MIRROR     Debian mirror URL; read from this machine's apt sources when unset.
#   SECURITY_MIRROR  Debian security mirror URL; read from the apt sources when unset.
#   LURE       a built lure binary to capture with (default: go run ./cmd/lure).
#
# Reproducibility: the capture of a given tree is byte-for-byte repeatable. Every fact the
# capture would otherwise take from the build host (CPU, memory, kernel, disks, boot time)
# comes from the files in scripts/persona/, and entries are written in sorted order with
# fixed archive timestamps. The tree itself carries the mtimes of the Debian packages.
set -eu

STAGE=${1:-all}
ROOTFS=${ROOTFS:-/var/tmp/lure-bookworm-rootfs}
REPO=$(cd "$(dirname "$0")/.." && pwd)
HW="$REPO/scripts/persona"
OUT="$REPO/internal/persona/default.persona"

HOSTNAME_FQDN=web-prod-03.corp.internal
HOSTNAME_SHORT=web-prod-03
USER_NAME=deploy
USER_GECOS='Deploy User,,,'
# Known passwords, so the reference server of issue 3 can be logged into. They only ever
# exist inside the throwaway tree and the persona it becomes.
ROOT_PASSWORD=${ROOT_PASSWORD:-lure-reference}
USER_PASSWORD=${USER_PASSWORD:-lure-reference}

PACKAGES=openssh-server,sudo,procps,iproute2,iputils-ping,net-tools,curl,wget,cron,less,vim-tiny,nano,ca-certificates,python3,rsyslog,lsb-release,dnsutils,git,unzip,bzip2,xz-utils,file,psmisc,lsof,bash-completion,man-db,locales,tzdata,kmod,systemd-sysv,openssh-client,netcat-openbsd,htop,tmux

# apt_uri SUITE prints the first URI this machine's apt sources use for SUITE, reading both
# the one-line format (sources.list) and the deb822 format (*.sources).
apt_uri() {
	suite=$1
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
				if ($(i+1) == s) { print $i; exit }
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			function flush() {
				if (deb && uri != "" && hit && !done) { print uri; done = 1; exit }
				deb = 0; uri = ""; hit = 0
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
			END { flush() }' "$f"
	done
}

first_line() { head -n 1; }

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "build-default-persona: stage $STAGE needs root (debootstrap and chroot)" >&2
		exit 1
	fi
}

stage_rootfs() {
	need_root
	if [ -f "$ROOTFS.debootstrap-done" ]; then
		echo "rootfs: $ROOTFS already bootstrapped; remove it to start over" >&2
		return
	fi
	mirror=${MIRROR:-$(apt_uri bookworm | first_line)}
	if [ -z "$mirror" ]; then
		echo "rootfs: no Debian mirror for bookworm in this machine's apt sources; set MIRROR" >&2
		exit 1
	fi
	echo "rootfs: debootstrap bookworm into $ROOTFS" >&2
	rm -rf "$ROOTFS"
	mkdir -p "$ROOTFS"
	debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$mirror"
	touch "$ROOTFS.debootstrap-done"
}

in_root() { chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

stage_configure() {
	need_root
	[ -f "$ROOTFS.debootstrap-done" ] || { echo "configure: run the rootfs stage first" >&2; exit 1; }
	mirror=${MIRROR:-$(apt_uri bookworm | first_line)}
	security=${SECURITY_MIRROR:-$(apt_uri bookworm-security | first_line)}
	[ -n "$security" ] || security=$mirror-security

	# Services must not start inside the chroot while packages are upgraded.
	printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
	chmod 755 "$ROOTFS/usr/sbin/policy-rc.d"
	mount -t proc proc "$ROOTFS/proc"
	trap 'umount "$ROOTFS/proc" 2>/dev/null || true; rm -f "$ROOTFS/usr/sbin/policy-rc.d"' EXIT

	# The apt sources a stock bookworm install writes.
	cat >"$ROOTFS/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb-src $mirror bookworm main

deb $security bookworm-security main
deb-src $security bookworm-security main

deb $mirror bookworm-updates main
deb-src $mirror bookworm-updates main
SOURCES
	# deb-src lines need source indexes; keep them out of the update to stay small.
	sed 's/^deb-src/#deb-src/' "$ROOTFS/etc/apt/sources.list" >"$ROOTFS/etc/apt/sources.list.lure"
	in_root apt-get -o Dir::Etc::sourcelist=/etc/apt/sources.list.lure update
	in_root apt-get -o Dir::Etc::sourcelist=/etc/apt/sources.list.lure -y -o Dpkg::Options::=--force-confold dist-upgrade
	rm -f "$ROOTFS/etc/apt/sources.list.lure"
	in_root apt-get clean

	# Identity.
	echo "$HOSTNAME_SHORT" >"$ROOTFS/etc/hostname"
	chmod 644 "$ROOTFS/etc/hostname" # as the installer leaves it (the tree of 2026-11-26 had 0755)
	cat >"$ROOTFS/etc/hosts" <<HOSTS
127.0.0.1	localhost
127.0.1.1	$HOSTNAME_FQDN	$HOSTNAME_SHORT

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
HOSTS
	cat >"$ROOTFS/etc/resolv.conf" <<RESOLV
domain corp.internal
search corp.internal
nameserver 10.20.0.2
nameserver 10.20.0.3
RESOLV
	# The same UUIDs as scripts/persona/disks describes.
	cat >"$ROOTFS/etc/fstab" <<FSTAB
# /etc/fstab: static file system information.
#
# Use 'blkid' to print the universally unique identifier for a
# device; this may be used with UUID= as a more robust way to name devices
# that works even if disks are added and removed. See fstab(5).
#
# systemd generates mount units based on this file, see systemd.mount(5).
# Please run 'systemctl daemon-reload' after you make changes to this file.
#
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
# / was on /dev/vda1 during installation
UUID=4f3c2a91-7d0e-4b8a-9c61-2e5d8b7a0f13 /               ext4    errors=remount-ro 0       1
# /boot/efi was on /dev/vda15 during installation
UUID=7A3E-91C4  /boot/efi       vfat    umask=0077      0       1
FSTAB
	mkdir -p "$ROOTFS/boot/efi"
	echo 8c1f0a3e5b7d4e2f9a6c0b1d2e3f4a5b >"$ROOTFS/etc/machine-id"
	echo "Etc/UTC" >"$ROOTFS/etc/timezone"
	ln -sfn /usr/share/zoneinfo/Etc/UTC "$ROOTFS/etc/localtime"

	# Locale, as the installer leaves it.
	sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$ROOTFS/etc/locale.gen"
	in_root locale-gen
	echo 'LANG=en_US.UTF-8' >"$ROOTFS/etc/default/locale"

	# A non-root admin account with sudo.
	if ! grep -q "^$USER_NAME:" "$ROOTFS/etc/passwd"; then
		in_root useradd --create-home --shell /bin/bash --uid 1000 --user-group \
			--groups sudo,adm --comment "$USER_GECOS" "$USER_NAME"
	fi
	# bookworm's adduser (which the installer uses) makes homes private.
	chmod 700 "$ROOTFS/home/$USER_NAME"
	# Fixed salts keep /etc/shadow repeatable; yescrypt is bookworm's default method. A
	# yescrypt salt is at most 20 characters after "$y$j9T$": a longer one makes libxcrypt
	# return its failure token "*0" (no password then works). These are the salts
	# scripts/reference/build-rootfs.sh repairs older trees with, so both give one shadow.
	rootpw=$(in_root python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], "$y$j9T$Lur3R00tSa1tXy012345$"))' "$ROOT_PASSWORD")
	userpw=$(in_root python3 -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], "$y$j9T$Lur3Us3rSa1tXy012345$"))' "$USER_PASSWORD")
	for h in "$rootpw" "$userpw"; do
		case $h in
		'$y$'*) ;;
		*)
			echo "configure: crypt returned '$h' instead of a yescrypt hash" >&2
			exit 1
			;;
		esac
	done
	in_root usermod -p "$rootpw" root
	in_root usermod -p "$userpw" "$USER_NAME"

	umount "$ROOTFS/proc"
	rm -f "$ROOTFS/usr/sbin/policy-rc.d"
	trap - EXIT
	touch "$ROOTFS.configured"
}

stage_capture() {
	[ -d "$ROOTFS/etc" ] || { echo "capture: no root filesystem at $ROOTFS" >&2; exit 1; }
	cd "$REPO"
	# --max-bytes keeps the file under the 8 MiB budget (with room to spare for package
	# updates) by cutting the largest text files to their head; all of /etc, /root, /home,
	# /var/log, /var/spool and the dpkg status stay whole whatever their size.
	if [ -n "${LURE:-}" ]; then set -- "$LURE"; else set -- go run ./cmd/lure; fi
	"$@" persona capture \
		--root "$ROOTFS" \
		--out "$OUT" \
		--hostname "$HOSTNAME_SHORT" \
		--cpuinfo "$HW/cpuinfo" \
		--meminfo "$HW/meminfo" \
		--proc-version "$HW/version" \
		--machine x86_64 \
		--disks "$HW/disks" \
		--boot-time "$(cat "$HW/boot-time")" \
		--max-bytes 8000000
	size=$(wc -c <"$OUT")
	echo "capture: $OUT is $size bytes" >&2
	if [ "$size" -gt 8388608 ]; then
		echo "capture: the persona is over the 8 MiB budget" >&2
		exit 1
	fi
}

case $STAGE in
rootfs) stage_rootfs ;;
configure) stage_configure ;;
capture) stage_capture ;;
all)
	stage_rootfs
	stage_configure
	stage_capture
	;;
*)
	echo "usage: $0 [all|rootfs|configure|capture]" >&2
	exit 2
	;;
esac
