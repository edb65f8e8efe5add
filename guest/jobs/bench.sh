# SPDX-License-Identifier: GPL-2.0
# bench: the benchmark (scripts/bench.sh boots every kernel with it).
#   mock   /bench/iopf_bench.ko and /bench/iopf-bench-user: a flood of
#          synthetic page requests through the real fault path of a mock
#          IOMMU, every mode x registered RIDs {off, 0, 1, 1000} x callback
#          cost {0, 10 us busy, 1 ms sleeping} for the failure modes; the
#          domain hook in its synchronous and deferred forms; the failure
#          site timed directly (consumer idle, pending, bursts), the xarray
#          depth, isolation and unregistration (RID-slot kernel)
#   prq    /vtd-pri/iopf_pri_test.ko and /vtd-pri/iopf-pri-flood-user: the
#          same modes as real page requests of QEMU's iopf-pri-test device
#          through the emulated VT-d and prq_event_thread()
#   scale  the RID-slot kernel's fault-side cost, ring memory and
#          unregistration time only (boots with other vCPU counts)
#   drop   floods of failures only, for the drop rate (boots with other
#          notifier ring sizes, iopf_notify.ring_size=N)
#   exact  the success and failure floods inside the fncount plugin's
#          region (boots under scripts/qemu-plugin.sh)
# Arguments (args=A,B on the kernel command line):
#   part=mock+prq  which parts, joined by '+' (default mock+prq)
#   quick          a small matrix, for a smoke test
#   tag=NAME       copied into every result line
#   pages=N        pages per round of the mock flood (default 128)
#   rounds=N       timed rounds (default 4)
#   exact=NAME     the scenario of part exact: prq-success, mock-fail-ro,
#                  mock-fail-ro-sync, mock-fail-ro-defer, mock-enq-idle,
#                  mock-enq-pending
. /guest/lib.sh

quick=0
tag=-
pages=128
rounds=4
part=mock+prq
exact=
for a in "$@"; do
	case $a in
	quick) quick=1 ;;
	tag=*) tag=${a#tag=} ;;
	pages=*) pages=${a#pages=} ;;
	rounds=*) rounds=${a#rounds=} ;;
	part=*) part=${a#part=} ;;
	exact=*) exact=${a#exact=} ;;
	esac
done

B=/bench
U=$B/iopf-bench-user
V=/vtd-pri
F=$V/iopf-pri-flood-user
fails=0

result bench=iopf tag=$tag kernel=$(uname -r) cpus=$(nproc) \
	uname=$(uname -v | tr ' ' _) clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) \
	notify_ring=$(cat /sys/module/iopf_notify/parameters/ring_size 2>/dev/null || echo none)

has() { case "+$part+" in *"+$1+"*) return 0 ;; esac; return 1; }

run() {
	$U -t "$tag" -n "$pages" -w 1 -r "$rounds" "$@" || {
		fails=$((fails + 1))
		echo "FAILED: iopf-bench-user $*"
	}
}

load_mock() {
	[ -f $B/iopf_bench.ko ] || { echo "no $B/iopf_bench.ko in this initramfs"; exit 1; }
	insmod $B/iopf_bench.ko || { echo "insmod $B/iopf_bench.ko failed (dmesg above)"; exit 1; }
	dmesg | grep 'iopf_bench:' | tail -n 1
	# 0: no notification, 1: RID-slot notifier, 2: domain hook
	design=0
	dmesg | grep -q 'iopf_bench: .*notifier rid-slot' && design=1
	dmesg | grep -q 'iopf_bench: .*notifier domain-hook' && design=2
	$U -t "$tag" -m info
}

unload_mock() {
	rmmod iopf_bench || { echo "rmmod iopf_bench failed"; fails=$((fails + 1)); }
}

# the failure site, timed: consumer idle, held pending, bursts; the depth
# of the RID table (neighbour RIDs force 1, 2, 3 xarray levels)
enqueue_rows() {
	run -m enqueue -N 1 -E idle -b 1
	run -m enqueue -N 1 -E pending -b 32
	run -m enqueue -N 1 -R 1000 -E pending -b 32
	for b in 1 4 16 64; do
		run -m enqueue -N 1 -E free -b $b
	done
	for base in 0x20 0x100 0x1000; do
		run -m enqueue -N 1 -R 1 -B $base -E pending -b 32
		run -m enqueue -N 1 -R 1 -B $base -E idle -b 1
	done
}

mock_part() {
	# Bad parameters are refused with -EINVAL and a message
	for p in nr_threads=-1 ring_size=100 max_samples=0 rid=0x9000 pasid_bits=21; do
		if insmod $B/iopf_bench.ko $p 2>/dev/null; then
			rmmod iopf_bench
			echo "insmod iopf_bench $p was accepted"
			exit 1
		fi
	done
	result bench=iopf tag=$tag param_errors_logged=$(dmesg | grep -c 'iopf_bench: .*must be')
	load_mock
	if [ $quick = 1 ]; then
		run -m success
		run -m fail-ro
		[ $design = 0 ] || run -m fail-ro -N 1 -C 10
		[ $design = 2 ] && run -m fail-ro -N 1 -C 10 -D 1
		[ $design = 1 ] && run -m enqueue -N 1 -E pending -b 32
		[ $design = 1 ] && run -m isolation -N 1 -R 1 -K 50 -n 10
	else
		for m in success present; do
			run -m $m
			run -m $m -g 4
			case $design in
			1) for rids in 0 1 1000; do run -m $m -N 1 -R $rids; done ;;
			2) run -m $m -N 1; run -m $m -N 1 -D 1 ;;
			esac
		done
		for m in fail-ro fail-novma fail-nohandler mixed; do
			run -m $m
			case $design in
			1)
				for rids in 0 1 1000; do
					run -m $m -N 1 -R $rids -C 0
					run -m $m -N 1 -R $rids -C 10
					run -m $m -N 1 -R $rids -C 1000 -S 1
				done ;;
			2)
				for d in 0 1; do
					run -m $m -N 1 -D $d -C 0
					run -m $m -N 1 -D $d -C 10
					run -m $m -N 1 -D $d -C 1000 -S 1
				done ;;
			esac
		done
		if [ $design = 1 ]; then
			enqueue_rows
			run -m isolation -N 1 -R 1 -K 500 -n 20
		fi
	fi

	# Unloading while a run is in flight: refused while the file is
	# open, clean once the helper is gone
	$U -t "$tag" -m success -n 4096 -w 0 -r 1000 >/dev/null 2>&1 &
	pid=$!
	sleep 1
	if rmmod iopf_bench 2>/dev/null; then
		echo "rmmod succeeded with the control file open"
		fails=$((fails + 1))
	fi
	kill $pid
	wait $pid 2>/dev/null
	unload_mock
	result bench=iopf tag=$tag unload=$([ -d /sys/module/iopf_bench ] && echo stuck || echo clean)
	[ -d /sys/module/iopf_bench ] && fails=$((fails + 1))
}

flood() {
	$F -t "$tag" "$@" || {
		fails=$((fails + 1))
		echo "FAILED: iopf-pri-flood-user $*"
	}
}

prq_part() {
	[ -f $V/iopf_pri_test.ko ] || { echo "no $V/iopf_pri_test.ko in this initramfs"; exit 1; }
	insmod $V/iopf_pri_test.ko || { echo "insmod iopf_pri_test failed (dmesg above)"; exit 1; }
	dmesg | grep 'iopf-pri-test: ATS' | tail -n 1
	if [ $quick = 1 ]; then
		flood -m success -n 32 -r 2
		flood -m fail-ro -n 32 -r 2
	else
		for m in success present fail-ro fail-novma fail-nohandler mixed; do
			flood -m $m -W 16
		done
		flood -m success -W 1
		flood -m fail-ro -W 1
	fi
	rmmod iopf_pri_test || { echo "rmmod iopf_pri_test failed"; fails=$((fails + 1)); }
}

# other vCPU counts: the fault side, ring memory, unregistration
scale_part() {
	load_mock
	if [ $design = 1 ]; then
		run -m enqueue -N 1 -E idle -b 1
		run -m enqueue -N 1 -E pending -b 32
		run -m isolation -N 1 -R 1 -K 0 -n 10
	fi
	unload_mock
}

# other notifier ring sizes: floods of failures, callbacks of each cost
drop_part() {
	load_mock
	if [ $design = 1 ]; then
		for cb in "-C 0" "-C 10" "-C 1000 -S 1"; do
			$U -t "$tag" -n 1024 -w 0 -r 2 -m fail-ro -N 1 $cb ||
				{ fails=$((fails + 1)); echo "FAILED: drop flood $cb"; }
		done
	fi
	unload_mock
}

# one scenario (exact=NAME) with the fncount plugin's region around its
# timed round; the plugin sums every region of a boot
exact_part() {
	case $exact in
	prq-success)
		insmod $V/iopf_pri_test.ko || { echo "insmod iopf_pri_test failed"; exit 1; }
		flood -m success -n 64 -W 1 -w 1 -r 1 -M 1
		rmmod iopf_pri_test
		return ;;
	esac
	load_mock
	case $exact in
	mock-fail-ro) [ $design = 0 ] && run -m fail-ro -n 64 -w 1 -r 1 -M 1
		[ $design = 1 ] && run -m fail-ro -n 64 -w 1 -r 1 -M 1 -N 1 -C 0 ;;
	mock-fail-ro-sync) run -m fail-ro -n 64 -w 1 -r 1 -M 1 -N 1 -C 0 -D 0 ;;
	mock-fail-ro-defer) run -m fail-ro -n 64 -w 1 -r 1 -M 1 -N 1 -C 0 -D 1 ;;
	mock-enq-idle) run -m enqueue -n 32 -w 1 -r 1 -M 1 -N 1 -E idle -b 1 ;;
	mock-enq-pending) run -m enqueue -n 32 -w 1 -r 1 -M 1 -N 1 -E pending -b 32 ;;
	*) echo "unknown exact scenario '$exact'"; fails=$((fails + 1)) ;;
	esac
	unload_mock
}

for p in mock prq scale drop exact; do
	has $p || continue
	echo "# bench part $p"
	${p}_part
done

result bench=iopf tag=$tag failed_runs=$fails
exit $((fails > 0))
