# SPDX-License-Identifier: GPL-2.0
# storm: COUNT failing page requests from one RID on CPU 0
# (/torture/iopf_torture.ko mode=storm, tests/torture/storm.c) while victim
# devices on every CPU send one failing request per millisecond each, and
# cyclictest runs on CPU 1.
# Before it, cyclictest alone for the same time gives the reference bound.
# A control run with CPU 0 in a busy loop separates what a busy vCPU costs
# the other one under TCG from what the storm costs. Reports slab
# (in-kernel, /proc/meminfo and the caches that grew), the storm RID's and
# the victims' counters, the debugfs counters sampled during the storm, and
# the three cyclictest maxima. The module checks that every registration's
# counters balance and that no record reached another device.
# Arguments: count=N (default 10000000), ref=SECONDS (cyclictest alone,
# default 30), interval=US (cyclictest, default 1000)
. /guest/lib.sh

count=10000000
ref=30
interval=1000
for a in "$@"; do
	case $a in
	count=*) count=${a#count=} ;;
	ref=*) ref=${a#ref=} ;;
	interval=*) interval=${a#interval=} ;;
	esac
done

M=/torture/iopf_torture.ko
[ -f $M ] || { echo "no $M in this initramfs (scripts/modules.sh builds tests/torture)"; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "the storm needs 2 CPUs"; exit 1; }
D=/sys/kernel/debug/iopf_notify

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# cyclictest's summary line: ... Min: a Act: b Avg: c Max: d
ct_max() { tr -d '\r' <"$1" | grep -E 'T: *0 ' | tail -n 1 | sed -n 's/.*Max: *\([0-9]*\).*/\1/p'; }
ct_avg() { tr -d '\r' <"$1" | grep -E 'T: *0 ' | tail -n 1 | sed -n 's/.*Avg: *\([0-9]*\).*/\1/p'; }

echo "cyclictest alone on CPU 1 for ${ref}s"
cyclictest -m -q -a 1 -t 1 -p 95 -i "$interval" -D "$ref" >/tmp/ct-ref.txt 2>&1
cat /tmp/ct-ref.txt
ref_max=$(ct_max /tmp/ct-ref.txt)
ref_avg=$(ct_avg /tmp/ct-ref.txt)

# Control: CPU 0 merely busy (a shell loop), no page request at all. Under
# TCG a busy vCPU competes with the other one for the host's cores.
echo "cyclictest on CPU 1 for ${ref}s with a busy loop on CPU 0"
taskset -c 0 sh -c 'while :; do :; done' &
hog=$!
cyclictest -m -q -a 1 -t 1 -p 95 -i "$interval" -D "$ref" >/tmp/ct-hog.txt 2>&1
kill $hog
wait $hog 2>/dev/null
cat /tmp/ct-hog.txt
hog_max=$(ct_max /tmp/ct-hog.txt)
hog_avg=$(ct_avg /tmp/ct-hog.txt)

# slab caches (CONFIG_SLUB_DEBUG): name active_objs objsize
slabs() { [ -r /proc/slabinfo ] && awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo | sort; }
slabs >/tmp/slab-before.txt
slab_before=$(slab_kb)
cyclictest -m -q -a 1 -t 1 -p 95 -i "$interval" -D 100000 >/tmp/ct-storm.txt 2>&1 &
ct=$!
# the debugfs counters of every registration, every 2 s
(
	while :; do
		for f in "$D"/*; do
			[ -f "$f" ] || continue
			echo "$(basename "$f") $(tr '\n' ' ' <"$f")"
		done >/tmp/dbg.new 2>/dev/null
		[ -s /tmp/dbg.new ] && mv /tmp/dbg.new /tmp/dbg.last
		awk '/^Slab:/ { print $2 }' /proc/meminfo >>/tmp/slab.samples
		sleep 2
	done
) &
sampler=$!
start=$(date +%s)
insmod $M mode=storm storm_count="$count" storm_cpu=0 nr_devs=4
rc=$?
el=$(($(date +%s) - start))
kill $sampler 2>/dev/null
wait $sampler 2>/dev/null
kill -INT $ct
wait $ct 2>/dev/null
slab_after=$(slab_kb)
slabs >/tmp/slab-after.txt
cat /tmp/ct-storm.txt
storm_max=$(ct_max /tmp/ct-storm.txt)
storm_avg=$(ct_avg /tmp/ct-storm.txt)
slab_max=$(sort -n /tmp/slab.samples | tail -n 1)
rmmod iopf_torture 2>/dev/null

dmesg | grep -E 'iopf_torture: storm' | sed 's/.*iopf_torture: /# /'
echo "debugfs counters, last sample during the storm:"
cat /tmp/dbg.last 2>/dev/null
verdict=$(dmesg | grep -E 'iopf_torture: (PASS|FAIL) storm' | tail -n 1 | sed 's/.*iopf_torture: //')

result test=storm count=$count seconds=$el kernel=$(uname -r) $(dmesg | grep 'iopf_torture: storm: result' | tail -n 1 | sed 's/.*storm: result //')
result test=storm meminfo_slab_before_kb=$slab_before meminfo_slab_max_kb=$slab_max meminfo_slab_after_kb=$slab_after
dmesg | grep 'iopf_torture: storm: victim cpu' | sed 's/.*victim cpu \([0-9]*\) rid \([0-9a-fx]*\): sent \([0-9]*\) generated \([0-9]*\) delivered \([0-9]*\) overflow \([0-9]*\) callbacks \([0-9]*\)/@@RESULT test=storm victim_cpu=\1 rid=\2 sent=\3 generated=\4 delivered=\5 overflow=\6 callbacks=\7/'
storm_rid=$(head -n 1 /tmp/dbg.last 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i == "generated:") print $(i + 1) }')
result test=storm debugfs_last_sample_storm_generated=${storm_rid:-none}
result test=storm cyclictest_interval_us=$interval cyclictest_ref_s=$ref cyclictest_ref_avg_us=$ref_avg cyclictest_ref_max_us=$ref_max cyclictest_hog_avg_us=$hog_avg cyclictest_hog_max_us=$hog_max cyclictest_storm_s=$el cyclictest_storm_avg_us=$storm_avg cyclictest_storm_max_us=$storm_max
# the caches that grew most during the storm (bytes)
if [ -s /tmp/slab-before.txt ]; then
	awk 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1]; if (d != 0) print d, $1, b[$1] + 0, $2 }' \
		/tmp/slab-before.txt /tmp/slab-after.txt | sort -rn | head -n 8 |
		while read -r d name b a; do
			result test=storm slab_cache=$name bytes_before=$b bytes_after=$a growth=$d
		done
fi
result test=storm verdict=$(echo "$verdict" | tr ' ' ,)

storm_pass() {
	[ $rc = 0 ] || { echo "insmod returned $rc"; return 1; }
	case $verdict in
	PASS*) return 0 ;;
	*) echo "${verdict:-no verdict}"; return 1 ;;
	esac
}
guest_test storm_counters_balance storm_pass
exit $GUEST_FAILED
