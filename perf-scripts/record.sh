#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# record.sh OUT.data CMD [ARG...]: perf record -g of the whole machine (-a:
# the PRQ thread and the fault workqueue are kernel threads) while CMD runs,
# with the event perf_event picks (cycles with a PMU, else cpu-clock).
# PERF_FREQ: samples per second per CPU (default 997).
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: record.sh OUT.data CMD [ARG...]"
out=$1
shift
ev=$(perf_event)
echo "record.sh: event $ev, ${PERF_FREQ:-997} Hz, -g -a, into $out" >&2
exec "$PERF" record -q -e "$ev" -F "${PERF_FREQ:-997}" -g -a -o "$out" -- "$@"
