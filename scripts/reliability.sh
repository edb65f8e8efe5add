#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# reliability.sh: the fault-injection/bad-input job and the fault storm on
# the debug kernel, then results/reliability.md from every torture log in
# build/logs (scripts/reliability.py). Runs a 60-second torture first when
# no torture log exists yet (`scripts/torture.sh 1800` is the long one).
# Environment: STORM_COUNT (default 4000000: 10^7 takes about 20 minutes
# under TCG with KASAN), STORM_REF (seconds of cyclictest without the storm,
# default 30), FAILINJECT_MAX (highest nth, default 5000).
. "$(dirname "$0")/lib.sh"

count=${STORM_COUNT:-4000000}
ref=${STORM_REF:-30}
max=${FAILINJECT_MAX:-5000}
failed=0

"$TOP/scripts/torture.sh" - failinject "max=$max" || failed=$((failed + 1))
TORTURE_NO_BUILD=1 "$TOP/scripts/torture.sh" - storm "count=$count,ref=$ref" || failed=$((failed + 1))
logs=("$BUILD"/logs/torture-torture-*s.log)
if [ ${#logs[@]} -eq 0 ]; then
	TORTURE_NO_BUILD=1 "$TOP/scripts/torture.sh" 60 || failed=$((failed + 1))
fi
python3 -B "$TOP/scripts/reliability.py" --logs "$BUILD/logs" --out "$TOP/results/reliability.md"
say "reliability: results/reliability.md written ($failed failed jobs)"
[ $failed -eq 0 ]
