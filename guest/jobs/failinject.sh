# SPDX-License-Identifier: GPL-2.0
# failinject: bad input and fault injection for the failure notifier and
# our modules, then a kmemleak scan.
#  1. every module parameter of iopf_torture.ko (and of iopf_bench.ko when
#     the guest has it) with bad values: insmod must fail with a defined
#     errno and leave no module;
#  2. iopf_torture.ko mode=badinput: the exported functions with bad
#     arguments (NULL, error pointers, unknown or removed device, duplicate
#     RID, 65536 RIDs);
#  3. iopf_torture.ko mode=failinject twice: the nth allocation failing,
#     n = 1, 2, ... (current->fail_nth), once through failslab and once
#     through fail_page_alloc;
#  4. kmemleak: nothing of ours.
# Needs CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS
# and CONFIG_DEBUG_KMEMLEAK (the debug kernel).
# Arguments: max=N (highest nth, default 5000)
. /guest/lib.sh

max=5000
for a in "$@"; do
	case $a in
	max=*) max=${a#max=} ;;
	esac
done

T=/torture
B=/bench
[ -f $T/iopf_torture.ko ] ||
	{ echo "no $T/iopf_torture.ko (scripts/modules.sh builds tests/torture)"; exit 1; }
KL=/sys/kernel/debug/kmemleak
FS=/sys/kernel/debug/failslab
FP=/sys/kernel/debug/fail_page_alloc
if [ -w $KL ]; then
	echo scan >$KL
	echo clear >$KL
fi

# --- 1. module parameters
# badparam DIR MODULE PARAM=VALUE: insmod must fail and leave nothing loaded
badparam() {
	d=$1
	m=$2
	p=$3
	out=$(insmod $d/$m.ko $p 2>&1)
	r=$?
	# spaces in values are written as '~' (scripts/results/reliability.py turns them back)
	err=$(echo "$out" | sed -n "s/.*: \([A-Z][a-z].*\)$/\1/p" | tail -n 1 | tr ' ' '~')
	if [ $r = 0 ]; then
		rmmod $m 2>/dev/null
		v=FAIL
		err=accepted
	elif [ -d /sys/module/$m ]; then
		v=FAIL
		err=${err}~but~loaded
	else
		v=PASS
	fi
	msg=$(dmesg | grep "$m: " | tail -n 1 | sed "s/.*$m: //" | tr ' ' '~')
	result test=badparam module=$m param=$p errno=${err:-none} message=${msg:-none} verdict=$v
	[ $v = PASS ]
}
params_bad() {
	f=0
	for p in nr_threads=-1 nr_threads=100000 ring_size=0 ring_size=100 ring_size=131072 \
		 max_samples=0 max_samples=4194305 rid=-1 rid=0x8000 pasid_bits=0 pasid_bits=21 \
		 ring_size=abc rid=99999999999; do
		[ -f $B/iopf_bench.ko ] || break
		badparam $B iopf_bench $p || f=$((f + 1))
	done
	[ -f $B/iopf_bench.ko ] || echo "no $B/iopf_bench.ko in this guest: its parameters are not checked"
	for p in mode=bogus duration=0 duration=86401 duration=-1 nr_devs=1 nr_devs=257 \
		 rids_per_dev=0 rids_per_dev=9 stat_interval=-1 storm_count=0 storm_cpu=-1 \
		 storm_cpu=64 failinject_max=0 failinject_max=100001 duration=abc; do
		badparam $T iopf_torture $p || f=$((f + 1))
	done
	for p in rid=0x10000 rid=-1 rid=abc; do
		[ -f /uacce-e2e/iopf_uacce.ko ] || break
		badparam /uacce-e2e iopf_uacce $p || f=$((f + 1))
	done
	echo "$f bad parameters were not refused cleanly"
	[ $f = 0 ]
}
guest_test bad_module_params params_bad

# --- 2. the exported functions
badinput() {
	insmod $T/iopf_torture.ko mode=badinput || return 1
	rmmod iopf_torture
	dmesg | grep 'iopf_torture: badinput case=' | sed 's/.*iopf_torture: badinput /@@RESULT test=badinput /; s/ \(PASS\|FAIL\)$/ verdict=\1/'
	dmesg | grep -q 'iopf_torture: PASS badinput'
}
guest_test bad_input_exported_functions badinput

# --- 3. fault injection
fi_attr() { # DIR: quiet, never by chance, only via fail-nth
	echo 0 >"$1/verbose"
	echo 0 >"$1/probability"
	echo 0 >"$1/interval" 2>/dev/null
	echo -1 >"$1/times"
}
failinject() { # NAME: one sweep
	before=$(dmesg | grep -c 'iopf_torture: failinject: result')
	insmod $T/iopf_torture.ko mode=failinject failinject_max=$max || return 1
	rmmod iopf_torture
	dmesg | grep 'iopf_torture: failinject nth=' | sed 's/.*iopf_torture: //' | tail -n 100 | sed 's/^/# /'
	line=$(dmesg | grep 'iopf_torture: failinject: result' | tail -n 1 | sed 's/.*failinject: result //')
	[ "$(dmesg | grep -c 'iopf_torture: failinject: result')" -gt "$before" ] || return 1
	result test=failinject sweep=$1 $line
	dmesg | grep -E 'iopf_torture: (PASS|FAIL) failinject' | tail -n 1 | grep -q PASS
}
if [ -d $FS ] && [ -d $FP ]; then
	fi_attr $FS
	fi_attr $FP
	# failslab: every kmalloc/kmem_cache_alloc of this task counts
	echo N >$FS/ignore-gfp-wait
	echo Y >$FP/ignore-gfp-wait
	guest_test failinject_failslab failinject failslab
	# fail_page_alloc: every page allocation of this task counts
	echo Y >$FS/ignore-gfp-wait
	echo N >$FP/ignore-gfp-wait
	echo N >$FP/ignore-gfp-highmem
	echo 0 >$FP/min-order
	guest_test failinject_fail_page_alloc failinject fail_page_alloc
	echo Y >$FP/ignore-gfp-wait
else
	echo "no $FS or $FP: no fault injection in this kernel"
	guest_test failinject_available false
fi
ls /sys/kernel/debug/iopf_notify/ 2>/dev/null | sed 's/^/# left in debugfs: /'
left=$(ls /sys/kernel/debug/iopf_notify/ 2>/dev/null | wc -l)
result test=failinject debugfs_files_left=$left
guest_test failinject_no_debugfs_left [ "$left" = 0 ]

# --- 4. leaks
guest_test failinject_kmemleak_clean kmemleak_scan failinject

# the system is still usable: a short torture after all of it
usable() {
	insmod $T/iopf_torture.ko mode=torture duration=5 stat_interval=0 || return 1
	rmmod iopf_torture
	dmesg | grep -E 'iopf_torture: (PASS|FAIL) duration=' | tail -n 1 | grep -q PASS
}
guest_test usable_after_injection usable
exit $GUEST_FAILED
