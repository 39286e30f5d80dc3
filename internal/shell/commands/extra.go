package commands

// registerExtra adds the programs of the sysconf, block-device, systemd-tool and archive
// families that came after the first registry: getconf, sysctl, lsblk, mount, findmnt,
// timedatectl, hostnamectl, lastlog, truncate, unzip, pidof, systemd-detect-virt, hostid,
// getent, lsmod, dmesg, sync, nice, swapon, blkid, vmstat,
// whereis, lastb, mountpoint, modprobe.
func registerExtra(r *Registry) {
	r.Register("getconf", getconfCmd)
	r.Register("sysctl", sysctlCmd)
	r.Register("lsblk", lsblkCmd)
	r.Register("mount", mountCmd)
	r.Register("umount", umountCmd)
	r.Register("findmnt", findmntCmd)
	r.Register("timedatectl", timedatectlCmd)
	r.Register("hostnamectl", hostnamectlCmd)
	r.Register("lastlog", lastlogCmd)
	r.Register("truncate", truncateCmd)
	r.Register("unzip", unzipCmd)
	r.Register("zipinfo", unzipCmd)
	r.Register("pidof", pidofCmd)
	r.Register("systemd-detect-virt", detectVirtCmd)
	r.Register("hostid", hostidCmd)
	r.Register("getent", getentCmd)
	r.Register("lsmod", lsmodCmd)
	r.Register("dmesg", dmesgCmd)
	r.Register("sync", syncCmd)
	r.Register("nice", niceCmd)
	r.Register("swapon", swaponCmd)
	r.Register("blkid", blkidCmd)
	r.Register("vmstat", vmstatCmd)
	r.Register("whereis", whereisCmd)
	r.Register("lastb", lastbCmd)
	r.Register("mountpoint", mountpointCmd)
	r.Register("modprobe", modprobeCmd)
}
