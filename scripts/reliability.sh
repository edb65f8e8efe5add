#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# reliability.sh: the fault-injection/bad-input job, the fault storm and
# boots with bad iopf_notify.ring_size values (each running the lifetime
# cases and 5 s of torture, which register with it) on the debug kernel,
# then results/reliability.md from every torture log in build/logs
# (scripts/results/reliability.py). Runs a 60-second torture first when
# no torture log exists yet (`scripts/torture.sh 1800` is the long one).
# Environment: STORM_COUNT (default 10000000: about 8 minutes under TCG
# with KASAN; lower it on a busier host), STORM_REF (seconds of cyclictest without the storm,
# default 30), FAILINJECT_MAX (highest nth, default 5000), RINGSIZE_VALUES
# (default "0 1048576 4294967295").
. "$(dirname "$0")/lib.sh"

count=${STORM_COUNT:-10000000}
ref=${STORM_REF:-30}
max=${FAILINJECT_MAX:-5000}
failed=0

"$TOP/scripts/torture.sh" - failinject "max=$max" || failed=$((failed + 1))
TORTURE_NO_BUILD=1 "$TOP/scripts/torture.sh" - storm "count=$count,ref=$ref" || failed=$((failed + 1))
# The notifier's own parameter iopf_notify.ring_size (0444, built in) can
# only be given at boot: a space in GUEST_ARGS adds a kernel parameter to
# scripts/qemu.sh's command line (the first word is the job's argument).
for v in ${RINGSIZE_VALUES:-0 1048576 4294967295}; do
	say "reliability: booting patched-debug with iopf_notify.ring_size=$v"
	rc=0
	GUEST_ARGS="5 iopf_notify.ring_size=$v" "$TOP/scripts/qemu.sh" patched-debug smp torture \
		"$BUILD/logs/ringsize-$v.log" 900 >"$BUILD/logs/ringsize-$v.out" 2>&1 || rc=$?
	echo "rc=$rc" >>"$BUILD/logs/ringsize-$v.out"
done
logs=("$BUILD"/logs/torture-torture-*s.log)
if [ ${#logs[@]} -eq 0 ]; then
	TORTURE_NO_BUILD=1 "$TOP/scripts/torture.sh" 60 || failed=$((failed + 1))
fi
python3 -B "$TOP/scripts/results/reliability.py" --logs "$BUILD/logs" --out "$TOP/results/reliability.md"
say "reliability: results/reliability.md written ($failed failed jobs)"
[ $failed -eq 0 ]
