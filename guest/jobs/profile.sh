# SPDX-License-Identifier: GPL-2.0
# profile: profile the PRQ path under a flood with perf-scripts/, and hand
# the results to the host as @@FILE blocks (guest/lib.sh emit_file):
#   kallsyms                 /proc/kallsyms (text symbols), for perf on the host
#   MODE.data                perf-scripts/record.sh of the flood (perf.data)
#   MODE.report.txt          perf-scripts/report.sh of it
#   MODE.stat.txt            perf-scripts/stat.sh: perf stat -r N of the flood
#   MODE.ftrace.txt          perf-scripts/ftrace-graph.sh of one page request
# MODE is each of modes=; on a kernel with the failure notifier the failure
# modes run with a notifier registered (-N 1, a no-op callback): the new code
# is on the profiled path. One PRQ thread (nr_threads=1: iopf_prq/0 on
# CPU 0), the helper on CPU 1. A mode prq-M is mode M of the real page
# requests of QEMU's iopf-pri-test device (/vtd-pri, tests/vtd-pri/:
# iopf-pri-flood-user, 16 groups in flight): the profiled path is then
# VT-d's prq_event_thread and the iopf workers; on the patched kernel its
# driver is registered for the failures.
# Arguments (args=A,B on the kernel command line; A B on a real host):
#   tag=NAME        copied into every result line
#   modes=A+B       flood modes (default prq-success+prq-fail-ro+success+fail-ro+mixed)
#   pages=N         pages per round (default 512)
#   rounds=N        rounds per recorded flood (default 150)
#   freq=N          samples per second per CPU (default 1999)
#   stat=N          perf stat -r N (default 5)
#   notify=0        never register the notifier
# On a real host (scripts/profile.sh with TARGET=host) the same file runs
# with BENCH_DIR, PERF_SCRIPTS and GUEST_LIB pointing into the work tree, and
# FLOOD="CMD" replacing the bench's flood by a real device workload.
. "${GUEST_LIB:-/guest/lib.sh}"

tag=-
modes=prq-success+prq-fail-ro+success+fail-ro+mixed
pages=512
rounds=150
freq=1999
stat=5
usenotify=1
for a in "$@"; do
	case $a in
	tag=*) tag=${a#tag=} ;;
	modes=*) modes=${a#modes=} ;;
	pages=*) pages=${a#pages=} ;;
	rounds=*) rounds=${a#rounds=} ;;
	stat=*) stat=${a#stat=} ;;
	freq=*) freq=${a#freq=} ;;
	notify=0) usenotify=0 ;;
	esac
done
B=${BENCH_DIR:-/bench}
P=${PERF_SCRIPTS:-/perf-scripts}
U=$B/iopf-bench-user
V=/vtd-pri
W=$(mktemp -d)
export PERF_FREQ=$freq
fails=0

ev=$(. "$P/lib.sh" && perf_event)
result profile=info tag=$tag kernel=$(uname -r) cpus=$(nproc) event=$ev freq=$freq \
	perf=$(perf version | tr ' ' _)

if [ -z "${FLOOD:-}" ]; then
	[ -f $B/iopf_bench.ko ] || { echo "no $B/iopf_bench.ko"; exit 1; }
	insmod $B/iopf_bench.ko nr_threads=1 || exit 1
fi
notify=0
dmesg | grep -q 'iopf_bench: .*notifier rid-slot' && notify=$usenotify
case +$modes+ in
*+prq-*)
	[ -z "${FLOOD:-}" ] && { insmod $V/iopf_pri_test.ko || { echo "insmod $V/iopf_pri_test.ko failed"; exit 1; }; } ;;
esac

awk '$2 ~ /^[tTwW]$/' /proc/kallsyms >"$W/kallsyms"
emit_file kallsyms "$W/kallsyms"

# flood MODE ROUNDS: the helper's command line (or $FLOOD on a real host)
flood() {
	if [ -n "${FLOOD:-}" ]; then
		echo "$FLOOD"
		return
	fi
	case $1 in
	prq-*)
		# 256 one-page groups per round, 16 in flight
		echo "$V/iopf-pri-flood-user -t $tag -m ${1#prq-} -n 256 -W 16 -w 0 -r $(($2 / 10 + 1))"
		return ;;
	esac
	_n=
	case $1 in fail-*|mixed) [ $notify = 1 ] && _n="-N 1 -C 0" ;; esac
	echo "$U -t $tag -c 1 -m $1 -n $pages -w 1 -r $2 $_n"
}

for m in $(echo "$modes" | tr + ' '); do
	result profile=flood tag=$tag mode=$m cmd=$(flood "$m" "$rounds" | tr ' ' ,)
	if sh "$P/record.sh" "$W/$m.data" $(flood "$m" "$rounds") >"$W/$m.out" 2>&1; then
		sh "$P/report.sh" "$W/$m.data" >"$W/$m.report.txt" 2>&1 ||
			{ tail -n 3 "$W/$m.report.txt"; echo "FAILED: report $m"; fails=$((fails + 1)); }
		emit_file "$m.data" "$W/$m.data"
		emit_file "$m.report.txt" "$W/$m.report.txt"
	else
		cat "$W/$m.out"
		echo "FAILED: record $m"
		fails=$((fails + 1))
	fi
	sh "$P/stat.sh" "$stat" $(flood "$m" $((rounds / 8 + 1))) >"$W/$m.stat.out" 2>"$W/$m.stat.txt" ||
		{ echo "FAILED: stat $m"; fails=$((fails + 1)); }
	emit_file "$m.stat.txt" "$W/$m.stat.txt"
	rm -f "$W/$m.data"
done

# One page request, traced: a success and (the failure path) a write to a
# read-only page
if [ -z "${FLOOD:-}" ]; then
	for m in success fail-ro; do
		_n=
		[ $m = fail-ro ] && [ $notify = 1 ] && _n="-N 1 -C 0"
		sh "$P/ftrace-graph.sh" $U -t "$tag" -c 1 -m $m -n 1 -w 0 -r 1 $_n \
			>"$W/$m.ftrace.txt" 2>&1 || { echo "FAILED: ftrace $m"; fails=$((fails + 1)); }
		emit_file "$m.ftrace.txt" "$W/$m.ftrace.txt"
	done
	rmmod iopf_bench || fails=$((fails + 1))
	[ -d /sys/module/iopf_pri_test ] && { rmmod iopf_pri_test || fails=$((fails + 1)); }
fi
rm -rf "$W"
result profile=done tag=$tag failed=$fails
exit $((fails > 0))
