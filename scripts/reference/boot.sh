#!/bin/sh
# boot.sh boots lure's reference server (docs/reference.md): the tree's systemd as PID 1,
# starting Debian's real sshd and the other services, chrooted into a fresh copy of a
# reference root filesystem, in new PID, mount, UTS and cgroup namespaces.
#
# Usage (as root; run it as the first process of fresh namespaces, inside a network namespace
# that only has loopback and the test's own interfaces):
#
#   (started in an empty cgroup v2 directory made for it, e.g. with a cgroup fd at clone)
#   ip netns exec NS unshare --uts --pid --mount --cgroup --fork --kill-child \
#       --propagation private /bin/sh scripts/reference/boot.sh ROOTFS WORK HOSTNAME
#
#   ROOTFS    the tree made by scripts/reference/build-rootfs.sh; only read
#   WORK      an empty directory on the host; it receives the disk image (about 600 MB)
#   HOSTNAME  the host name (the persona's, e.g. web-prod-03)
#
# The root is a copy of ROOTFS on a new ext4 filesystem in WORK/disk.img, loop-mounted, so
# that what the corpus inspects behaves as on a real server: link counts and sizes of
# directories, directory order, chattr/lsattr, free space that only the sessions change. (An
# overlay over ROOTFS would be quicker but shows every changed directory with one link, and
# refuses chattr on tmpfs.) cp -a keeps modes, owners, capabilities and nanosecond mtimes;
# only change times are those of the copy. Every change lands in the image, which the caller
# deletes: each boot starts from the pristine tree.
#
# Every mount is made in the new mount namespace, so the host sees none of them and they all
# vanish with the namespace's last process (the loop device detaches itself then). The mounts
# come in the order a booted Debian 12 makes them (sysfs, proc, /dev, /run, then the root
# filesystem, then /dev/shm and /run/lock), so df and /proc/mounts list them in that order.
# /dev is a small tmpfs with only the harmless character devices (no host disks, no
# /dev/kmsg or /dev/console), and devpts is a private instance.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 ROOTFS WORK HOSTNAME" >&2
	exit 2
fi
LOWER=$1
WORK=$2
HOST=$3
if [ "$$" != 1 ]; then
	echo "boot.sh: must run as PID 1 of a new PID namespace (see the usage in the header)" >&2
	exit 1
fi
R=$WORK/root
S=$WORK/stage
mkdir -p "$R" "$S/sys" "$S/proc" "$S/dev" "$S/run"

# The kernel filesystems first, as the initramfs mounts them before the root: a sysfs of the
# network namespace, a real /proc of the new PID namespace, /dev, /run.
mount -t sysfs -o nosuid,nodev,noexec sysfs "$S/sys"
mount -t proc -o nosuid,nodev,noexec proc "$S/proc"
mount -t tmpfs -o nosuid,mode=755,size=10240k udev "$S/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
	IFS=: read -r name major minor <<EOF
$n
EOF
	mknod -m 666 "$S/dev/$name" c "$major" "$minor"
done
chgrp 5 "$S/dev/tty" # tty
ln -s /proc/self/fd "$S/dev/fd"
ln -s /proc/self/fd/0 "$S/dev/stdin"
ln -s /proc/self/fd/1 "$S/dev/stdout"
ln -s /proc/self/fd/2 "$S/dev/stderr"
ln -s pts/ptmx "$S/dev/ptmx"
mkdir -m 755 "$S/dev/pts" "$S/dev/mqueue"
mkdir -m 1777 "$S/dev/shm"
mount -t devpts -o newinstance,nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts "$S/dev/pts"
# /run as systemd mounts it; sshd needs /run/sshd (its privilege-separation directory, which
# systemd's RuntimeDirectory would make), login records need /run/utmp.
mount -t tmpfs -o nosuid,nodev,noexec,mode=755,size=10% tmpfs "$S/run"
mkdir -m 1777 "$S/run/lock"
mkdir -m 755 "$S/run/sshd"
install -m 664 -g 43 /dev/null "$S/run/utmp" # group utmp

# The root filesystem: a fresh ext4 holding a copy of the tree, with the tree's root
# directory times. Its lost+found (which a persona captured from the tree shows too, as on
# any ext4 root) gets them as well, as an installer's mkfs comes before the files.
truncate -s 4G "$WORK/disk.img"
mkfs.ext4 -q -F -L reference "$WORK/disk.img"
mount -o loop "$WORK/disk.img" "$R"
cp -a "$LOWER/." "$R/"
touch -h -r "$LOWER" "$R/lost+found" "$R"

for m in sys proc dev run; do
	mount --move "$S/$m" "$R/$m"
done
mount -t tmpfs -o nosuid,nodev tmpfs "$R/dev/shm"
mount -t tmpfs -o nosuid,nodev,noexec,size=5120k tmpfs "$R/run/lock"

hostname "$HOST"

# The open-files limits systemd gives a service on Debian 12 (DefaultLimitNOFILE=1024:524288),
# instead of whatever the caller had: root may then raise its own limit (ulimit -n 65535), as
# miners do. Raising the hard limit needs CAP_SYS_RESOURCE, which a sandbox may withhold.
if ! ulimit -Hn 524288 2>/dev/null; then
	echo "boot.sh: cannot raise the open-files hard limit to 524288 (no CAP_SYS_RESOURCE?); it stays $(ulimit -Hn)" >&2
fi
ulimit -Sn 1024

# PID 1 is the tree's systemd, booting the services a Debian 12 server of this package list
# runs (journald, cron, rsyslog, sshd, ...) and writing the boot records (utmp, wtmp), so
# ps, systemctl, service, who and last answer as on a booted server. Nothing it does may
# reach the host:
# - its cgroups: the caller starts us in a cgroup of our own and a new cgroup namespace, so
#   the cgroup2 mounted here shows that subtree as the root;
# - kernel settings: /proc/sys is read-only (systemd-sysctl would set host-wide values), and
#   /proc/kmsg is /dev/null (rsyslog's imklog would consume the host's kernel log);
# - units that touch the kernel or hardware are masked at run time, in /run (not in the
#   copy, so every file the corpus can list stays the tree's): sysctl, binfmt, module
#   loading and static module nodes, serial gettys (no udev announces a ttyS0);
# - units that expect the installed machine's disks: the root is this loop device, not the
#   fstab's UUID, and there is no EFI partition, so remounting / by UUID and mounting
#   /boot/efi are masked (the persona captured beside this reference takes its disks and
#   mounts from here, so both agree).
case $(grep '^0::' /proc/self/cgroup) in
"0::/") ;;
*)
	echo "boot.sh: not at the root of a new cgroup namespace (unshare --cgroup, started in a cgroup made for the reference); systemd would manage the host's cgroups" >&2
	exit 1
	;;
esac
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"
mount --bind "$R/proc/sys" "$R/proc/sys"
mount -o remount,bind,ro "$R/proc/sys"
mount --bind "$R/dev/null" "$R/proc/kmsg"
mkdir -p "$R/run/systemd/system"
for u in systemd-sysctl.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
	proc-sys-fs-binfmt_misc.mount systemd-modules-load.service kmod-static-nodes.service \
	serial-getty@.service systemd-remount-fs.service boot-efi.mount; do
	ln -s /dev/null "$R/run/systemd/system/$u"
done
# Root may log in with a password, as the corpus does: ssh.service passes $SSHD_OPTS from
# /etc/default/ssh (changed in the copy only; a drop-in would show in systemctl status).
sed -i 's/^SSHD_OPTS=.*/SSHD_OPTS="-o PermitRootLogin=yes"/' "$R/etc/default/ssh"
grep -q '^SSHD_OPTS="-o PermitRootLogin=yes"$' "$R/etc/default/ssh" || {
	echo "boot.sh: $R/etc/default/ssh has no SSHD_OPTS line to set" >&2
	exit 1
}

exec chroot "$R" /usr/bin/env -i /sbin/init
