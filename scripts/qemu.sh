#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# qemu.sh KERNEL MODE JOB LOG [TIMEOUT]: boot KERNEL (baseline-perf,
# patched-perf, patched-debug) with its initramfs and run guest job JOB
# (guest/jobs/JOB.sh); the serial console goes to LOG. This is the one QEMU
# command line of the project.
#   MODE smp     multi-threaded TCG, 2 vCPUs, wall-clock time
#   MODE icount  -icount shift=0,sleep=off: guest time advances 1 ns per
#                executed instruction (deterministic instruction counts);
#                TCG then runs the 2 vCPUs round-robin on one host thread;
#                the RTC follows that virtual clock from a fixed date and
#                the guest's random numbers come from a fixed seed
# The QEMU is ours (scripts/qemu-build.sh: $QEMU_BIN, firmware $QEMU_FW),
# with the page request test device iopf-pri-test at 00:04.0.
# Environment: QEMU_TIMEOUT (seconds, default 600), GUEST_ARGS (comma-
# separated arguments for the job), QEMU_SMP (vCPUs, default 2),
# QEMU_APPEND (more kernel parameters, e.g. iopf_notify.ring_size=16), QEMU_EXTRA (extra QEMU options, for
# debugging only), QEMU_SHOW=1 (copy the console to the terminal),
# QEMU_PLUGIN (a TCG plugin and its arguments, given to -plugin as is:
# PATH.so,ARG=VAL,...; see qemu/plugins/README.md).
# Fails on a timeout, a kernel splat, a guest that died before its end
# marker, or a job that returned non-zero.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/splat.sh"

usage="usage: qemu.sh KERNEL smp|icount JOB LOG [TIMEOUT]"
k=${1:?$usage}
mode=${2:?$usage}
job=${3:?$usage}
log=${4:?$usage}
timeout=${5:-${QEMU_TIMEOUT:-600}}
obj=$(kernel_objdir "$k")
bz=$obj/arch/x86/boot/bzImage
[ -f "$bz" ] || die "kernel $k is not built ($bz missing); run: scripts/kbuild.sh $k"
extra=$BUILD/guest-extra/$k
[ -f "$TOP/guest/jobs/$job.sh" ] || [ -f "$extra/guest/jobs/$job.sh" ] ||
	die "no guest job '$job' (guest/jobs/$job.sh or ${extra#"$TOP"/}/guest/jobs/$job.sh); jobs: $(ls "$TOP/guest/jobs" "$extra/guest/jobs" 2>/dev/null | grep '\.sh$' | sed 's/\.sh$//' | tr '\n' ' ')"
"$TOP/scripts/qemu-build.sh"

# QEMU_SMP: another vCPU count (the benchmark's scaling runs)
smp=${QEMU_SMP:-2}
case $smp in ''|*[!0-9]*|0) die "QEMU_SMP=$smp: not a vCPU count (1..64)" ;; esac
case $mode in
smp)    accel=(-smp "$smp" -accel tcg,thread=multi) ;;
icount) accel=(-smp "$smp" -accel tcg,thread=single -icount shift=0,sleep=off,align=off
		-rtc base=2026-01-01T00:00:00,clock=vm -seed 1) ;;
*) die "unknown MODE '$mode' (smp, icount)" ;;
esac

initrd=$BUILD/initramfs/$k.cpio
"$TOP/scripts/initramfs.sh" "$k" "$initrd"

# intel_iommu=on: the VT-d driver probes the emulated DMAR unit.
# panic=-1 + -no-reboot: a panic ends QEMU at once; oops=panic: an Oops
# cannot leave a half-dead guest running into the timeout.
append="console=ttyS0 intel_iommu=on panic=-1 oops=panic"
append+=" job=$job${GUEST_ARGS:+ args=$GUEST_ARGS}${QEMU_APPEND:+ $QEMU_APPEND}"

# intel-iommu, what Linux's VT-d SVA path needs to bind a process and take
# page requests: scalable mode, PASID, first-stage translation (x-flts,
# which wants aw-bits=48), ATS (device-iotlb) and page requests (x-prs,
# ours: ECAP.PRS/PDS/SMPWC). intremap=off: the kernels have no IRQ_REMAP,
# and "on" would need kernel-irqchip=split should anyone add KVM.
# -cpu max,la57=off: SVA shares the CPU page tables, and the emulated VT-d
# has no 5-level first stage (the driver refuses SVA with LA57).
# iopf-pri-test: the PCIe device that issues the page requests, on the
# root bus (an integrated endpoint, RID 00:04.0); tests/vtd-pri drives it.
# -nodefaults: no VGA, NIC or CD-ROM (this QEMU is built without them).
mkdir -p "$(dirname "$log")"
: >"$log"
cmd=("$QEMU_BIN" -L "$QEMU_FW"
	-machine q35 -cpu max,la57=off -m 2G "${accel[@]}"
	-device intel-iommu,intremap=off,x-scalable-mode=on,x-pasid-mode=on,x-flts=on,aw-bits=48,device-iotlb=on,x-prs=on
	-device iopf-pri-test,addr=04.0
	-nodefaults -nographic -no-reboot -monitor none -serial "file:$log"
	-kernel "$bz" -initrd "$initrd" -append "$append"
	${QEMU_PLUGIN:+-plugin "$QEMU_PLUGIN"}
	${QEMU_EXTRA:-})
printf '%q ' "${cmd[@]}" >"$log.cmd"; echo >>"$log.cmd"

say "qemu: $k $mode job=$job (console: ${log#"$TOP"/}, timeout ${timeout}s)"
start=$(date +%s)
shower=
if [ "${QEMU_SHOW:-0}" = 1 ]; then
	tail -n +1 -f "$log" &
	shower=$!
fi
rc=0
timeout -k 10 "$timeout" "${cmd[@]}" </dev/null >"$log.qemu" 2>&1 || rc=$?
[ -z "$shower" ] || { sleep 0.5; kill "$shower" 2>/dev/null || true; }
el=$(( $(date +%s) - start ))

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	{
		echo "QEMU timed out after ${timeout}s running $job on $k; last 40 console lines:"
		tail -n 40 "$log" | tr -d '\r'
	} >&2
	splat_scan "$log" || true
	die "guest hung: $k $mode job=$job killed after ${timeout}s (full console: ${log#"$TOP"/}; raise QEMU_TIMEOUT if it was merely slow)"
fi
if [ $rc -ne 0 ]; then
	cat "$log.qemu" >&2
	die "${QEMU_BIN#"$TOP"/} failed (exit $rc, above; command line in ${log#"$TOP"/}.cmd)"
fi
splat_scan "$log" || die "kernel splat while running $job on $k ($mode; full console: ${log#"$TOP"/})"
done_line=$(tr -d '\r' <"$log" | grep -a -m 1 '^IOPF-GUEST-DONE rc=' || true)
if [ -z "$done_line" ]; then
	{
		echo "guest died before its end marker IOPF-GUEST-DONE; last 40 console lines:"
		tail -n 40 "$log" | tr -d '\r'
	} >&2
	die "guest $k $mode job=$job ended early after ${el}s (full console: ${log#"$TOP"/})"
fi
grc=${done_line#*rc=}
say "qemu: $k $mode job=$job finished in ${el}s, guest rc=$grc"
[ "$grc" = 0 ] || die "guest job $job on $k returned rc=$grc (its @@TEST/@@RESULT lines are in ${log#"$TOP"/})"
