#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# stat.sh N CMD [ARG...]: perf stat -r N of CMD, whole machine (-a), with
# perf's mean and +- spread over the N runs. Software events always; cycles
# and instructions too where the CPU has a PMU. PERF_STAT_EVENTS replaces
# the list.
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: stat.sh N CMD [ARG...]"
n=$1
shift
ev=cpu-clock,context-switches,cpu-migrations,page-faults
has_pmu && ev=$ev,cycles,instructions
exec "$PERF" stat -r "$n" -a -e "${PERF_STAT_EVENTS:-$ev}" -- "$@"
