# SPDX-License-Identifier: GPL-2.0
# perf-scripts/lib.sh: what every perf-scripts/*.sh shares. Sourced, never
# run. POSIX sh: the same file runs under the guest's busybox sh and a real
# host's bash/dash.
#
# Environment (all optional):
#   PERF         the perf binary (default: perf)
#   PERF_EVENT   the sampling event; default: cycles where the CPU has a
#                PMU that counts it, else cpu-clock (QEMU TCG, most VMs)
#   PRQ_COMM     extended regex of the comms that consume page requests:
#                the bench's PRQ kthreads (iopf_prq/N), VT-d's threaded PRQ
#                IRQ (irq/N-dmarM-prq; a comm keeps 15 characters, so
#                irq/24-dmar0-pr), AMD's PPR (irq/N-AMD-Vi*)
#   TRACEFS      tracefs mount (default: /sys/kernel/tracing, else
#                /sys/kernel/debug/tracing)

set -e
PERF=${PERF:-perf}
PRQ_COMM=${PRQ_COMM:-'^(iopf_prq/[0-9]+|irq/[0-9]+-dmar[0-9]+-p(r(q)?)?|irq/[0-9]+-AMD-Vi.*)$'}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

command -v "$PERF" >/dev/null 2>&1 || die "no perf ($PERF); on Debian: apt-get install linux-perf"

# has_pmu: true when the CPU counts hardware cycles. `perf stat` says
# "<not supported>" (exit 0) where there is no PMU, so read its CSV value.
has_pmu() {
	"$PERF" stat -x, -e cycles -- true 2>&1 | grep -q '^[0-9]'
}

# perf_event: the sampling event for perf record
perf_event() {
	if [ -n "${PERF_EVENT:-}" ]; then
		echo "$PERF_EVENT"
	elif has_pmu; then
		echo cycles
	else
		echo cpu-clock
	fi
}

# comms DATA: the comms that have samples in DATA, most samples first
comms() {
	"$PERF" report -i "$1" --stdio --no-children --sort comm -g none -q 2>/dev/null |
		sed -n 's/^ *[0-9.]*% *//p' | sed 's/ *$//'
}

# prq_comms DATA: the PRQ consumer comms of DATA, comma-separated
prq_comms() {
	comms "$1" | grep -E "$PRQ_COMM" | paste -sd, -
}

# busy_comms DATA: every comm but the idle tasks, comma-separated
busy_comms() {
	comms "$1" | grep -v '^swapper' | paste -sd, -
}

# tracefs: the tracefs directory
tracefs() {
	for d in ${TRACEFS:-} /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -f "$d/current_tracer" ] && { echo "$d"; return 0; }
	done
	die "no tracefs (mount -t tracefs tracefs /sys/kernel/tracing)"
}
