# SPDX-License-Identifier: GPL-2.0
# rt: wakeup latency on one CPU while the bench floods page requests on the
# other. The flood is kept on CPU 0: the PRQ thread (nr_threads=1:
# iopf_prq/0), the helper (-c 0) and the unbound workqueues (the SVA fault
# work runs on one); cyclictest measures on CPU 1 (-a 1, SCHED_FIFO 95,
# mlocked) and hands its --json result (with its own -h histogram) to the
# host with emit_file (guest/lib.sh) as ct-ROW.json.
# Rows: idle (no flood: the control), success, fail-ro, mixed; on a kernel
# with the failure notifier also fail-ro and mixed with a notifier
# registered (-N 1, no-op callback), as rows fail-ro+notify, mixed+notify.
# Arguments (args=A,B on the kernel command line; A B on a real host):
#   tag=NAME       copied into every result line
#   secs=N         cyclictest -D per row (default 10)
#   interval=US    cyclictest -i (default 1000)
#   rows=A+B       the rows to run (default: all of the above)
#   cpu=N          the measured CPU (default 1); the flood stays on CPU 0
. "${GUEST_LIB:-/guest/lib.sh}"

tag=-
secs=10
interval=1000
rows=
cpu=1
for a in "$@"; do
	case $a in
	tag=*) tag=${a#tag=} ;;
	secs=*) secs=${a#secs=} ;;
	interval=*) interval=${a#interval=} ;;
	rows=*) rows=${a#rows=} ;;
	cpu=*) cpu=${a#cpu=} ;;
	esac
done
B=${BENCH_DIR:-/bench}
U=$B/iopf-bench-user
W=$(mktemp -d)
fails=0

insmod $B/iopf_bench.ko nr_threads=1 || exit 1
notify=0
dmesg | grep -q 'iopf_bench: .*notifier rid-slot' && notify=1
[ -n "$rows" ] || {
	rows=idle+success+fail-ro+mixed
	[ $notify = 1 ] && rows=$rows+fail-ro+notify+mixed+notify
}
# "fail-ro+notify" is one row: join the +notify suffixes back
rows=$(echo "$rows" | sed 's/+notify/:notify/g' | tr + ' ')
wqmask=/sys/devices/virtual/workqueue/cpumask
oldmask=$(cat $wqmask)
echo 1 >$wqmask
result rt=info tag=$tag kernel=$(uname -r) cpus=$(nproc) cpu=$cpu secs=$secs \
	interval=$interval notify=$notify wq_cpumask=$(cat $wqmask) \
	cyclictest=$(cyclictest --help 2>&1 | sed -n 's/.*V \([0-9.]*\).*/\1/p;q')

for row in $rows; do
	m=${row%:notify}
	n=
	[ "$row" != "$m" ] && n="-N 1 -C 0"
	name=$(echo "$row" | tr : +)
	rm -f "$W/stop" "$W/floods"
	if [ "$m" != idle ]; then
		(
			while [ ! -f "$W/stop" ]; do
				$U -t "$tag" -c 0 -m "$m" -n 256 -w 0 -r 20 $n >/dev/null || exit 1
				echo >>"$W/floods"
			done
		) &
		fpid=$!
		sleep 1
	fi
	cyclictest -q -m -p 95 -a "$cpu" -t 1 -i "$interval" -D "$secs" \
		-h 20000 --json="$W/ct.json" >/dev/null 2>"$W/ct.err" ||
		{ cat "$W/ct.err"; echo "FAILED: cyclictest $name"; fails=$((fails + 1)); }
	frc=0
	if [ "$m" != idle ]; then
		touch "$W/stop"
		wait $fpid || frc=$?
	fi
	rounds=$(($(cat "$W/floods" 2>/dev/null | wc -l) * 20))
	[ $frc = 0 ] || { echo "FAILED: flood $name"; fails=$((fails + 1)); }
	result rt=row tag=$tag row=$name flood_rounds=$rounds flood_rc=$frc
	emit_file "ct-$name.json" "$W/ct.json"
done
echo "$oldmask" >$wqmask
rmmod iopf_bench || fails=$((fails + 1))
rm -rf "$W"
result rt=done tag=$tag failed=$fails
exit $((fails > 0))
