# SPDX-License-Identifier: GPL-2.0
# torture: load /bench/iopf_torture.ko mode=torture for DURATION seconds
# (flooders and churners on every CPU, see bench/iopf_torture_main.c), then
# scan kmemleak. Made for the debug kernel (KASAN, lockdep, PROVE_RCU,
# kmemleak): any splat fails the run on the host (scripts/qemu.sh).
# Arguments (args=A,B on the kernel command line):
#   duration=N | N   seconds of torture (default 60)
#   devs=N           mock devices (default 8)
#   rids=N           RIDs per mock device (default 2)
. /guest/lib.sh

duration=60
devs=8
rids=2
for a in "$@"; do
	case $a in
	duration=*) duration=${a#duration=} ;;
	devs=*) devs=${a#devs=} ;;
	rids=*) rids=${a#rids=} ;;
	[0-9]*) duration=$a ;;
	esac
done

M=/bench/iopf_torture.ko
[ -f $M ] || { echo "no $M in this initramfs (scripts/modules.sh builds it)"; exit 1; }
KL=/sys/kernel/debug/kmemleak

# Boot-time reports are not ours: scan once and forget them
if [ -w $KL ]; then
	echo scan >$KL
	echo clear >$KL
fi

stat=$((duration / 4))
[ $stat -lt 5 ] && stat=5
result test=torture duration=$duration cpus=$(nproc) devs=$devs rids_per_dev=$rids kernel=$(uname -r)
insmod $M mode=torture duration=$duration nr_devs=$devs rids_per_dev=$rids stat_interval=$stat
rc=$?
line=$(dmesg | grep -E 'iopf_torture: (PASS|FAIL) ' | tail -n 1 | sed 's/.*iopf_torture: //')
rmmod iopf_torture 2>/dev/null
echo "summary: $line"
result test=torture summary=$(echo "$line" | tr ' ' ,)
for k in end; do
	dmesg | grep "iopf_torture: $k: " | sed 's/.*iopf_torture: /# /'
done

torture_pass() {
	[ $rc = 0 ] || { echo "insmod returned $rc"; return 1; }
	case $line in
	PASS*) return 0 ;;
	*) echo "iopf_torture: ${line:-no verdict}"; return 1 ;;
	esac
}
guest_test torture_${duration}s torture_pass

guest_test torture_kmemleak_clean kmemleak_scan torture

exit $GUEST_FAILED
