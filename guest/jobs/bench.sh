# SPDX-License-Identifier: GPL-2.0
# bench: load /bench/iopf_bench.ko and run /bench/iopf-bench-user over the
# matrix: every mode x registered RIDs {off, 0, 1, 1000} x callback cost
# {0, 10 us busy, 1 ms sleeping} for the failure modes. On a kernel without
# the failure notifier only the "off" rows exist.
# Arguments (args=A,B on the kernel command line):
#   quick          a small matrix, for a smoke test
#   tag=NAME       copied into every result line
#   pages=N        pages per round (default 256)
#   rounds=N       timed rounds (default 8)
. /guest/lib.sh

quick=0
tag=-
pages=256
rounds=8
for a in "$@"; do
	case $a in
	quick) quick=1 ;;
	tag=*) tag=${a#tag=} ;;
	pages=*) pages=${a#pages=} ;;
	rounds=*) rounds=${a#rounds=} ;;
	esac
done

B=/bench
U=$B/iopf-bench-user
[ -f $B/iopf_bench.ko ] || { echo "no $B/iopf_bench.ko in this initramfs"; exit 1; }

result bench=iopf tag=$tag kernel=$(uname -r) cpus=$(nproc) \
	uname=$(uname -v | tr ' ' _) clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)

# Bad parameters are refused with -EINVAL and a message
for p in nr_threads=-1 ring_size=100 max_samples=0 rid=0x9000 pasid_bits=21; do
	if insmod $B/iopf_bench.ko $p 2>/dev/null; then
		rmmod iopf_bench
		echo "insmod iopf_bench $p was accepted"
		exit 1
	fi
done
result bench=iopf tag=$tag param_errors_logged=$(dmesg | grep -c 'iopf_bench: .*must be')

insmod $B/iopf_bench.ko || exit 1
dmesg | grep 'iopf_bench:' | tail -n 1

fails=0
run() {
	$U -t "$tag" -n "$pages" -r "$rounds" "$@" || {
		fails=$((fails + 1))
		echo "FAILED: iopf-bench-user $*"
	}
}

# 1: RID-slot notifier (patched), 2: domain-hook alternative (no enqueue)
notify=0
dmesg | grep -q 'iopf_bench: .*notifier built' && notify=1
dmesg | grep -q 'iopf_bench: .*notifier domain-hook' && notify=2

if [ $quick = 1 ]; then
	run -m success
	run -m fail-ro
	if [ $notify != 0 ]; then
		run -m fail-ro -N 1 -R 1000 -C 10
	fi
	if [ $notify = 1 ]; then
		run -m enqueue -N 1 -R 1 -C 0
	fi
else
	for m in success present; do
		run -m $m
		run -m $m -g 4
		if [ $notify != 0 ]; then
			for rids in 0 1 1000; do
				run -m $m -N 1 -R $rids
			done
		fi
	done
	for m in fail-ro fail-novma fail-nohandler mixed; do
		run -m $m
		[ $notify != 0 ] || continue
		for rids in 0 1 1000; do
			run -m $m -N 1 -R $rids -C 0
			run -m $m -N 1 -R $rids -C 10
			run -m $m -N 1 -R $rids -C 1000 -S 1
		done
	done
	if [ $notify = 1 ]; then
		for rids in 0 1 1000; do
			run -m enqueue -N 1 -R $rids -C 0
			run -m enqueue -N 1 -R $rids -C 10
			run -m enqueue -N 1 -R $rids -C 1000 -S 1
		done
	fi
fi

# Unloading while a run is in flight: refused while the file is open,
# clean once the helper is gone
$U -t "$tag" -m success -n 4096 -w 0 -r 1000 >/dev/null 2>&1 &
pid=$!
sleep 1
if rmmod iopf_bench 2>/dev/null; then
	echo "rmmod succeeded with the control file open"
	fails=$((fails + 1))
fi
kill $pid
wait $pid 2>/dev/null
rmmod iopf_bench || { echo "rmmod iopf_bench failed after the helper exited"; fails=$((fails + 1)); }
result bench=iopf tag=$tag unload=$([ -d /sys/module/iopf_bench ] && echo stuck || echo clean)
[ -d /sys/module/iopf_bench ] && fails=$((fails + 1))

result bench=iopf tag=$tag failed_runs=$fails
exit $((fails > 0))
