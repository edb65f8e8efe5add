# SPDX-License-Identifier: GPL-2.0
# Every target calls a script in scripts/; the scripts hold the logic.
#   make bench     build the three perf kernels, QEMU and its plugin; the benchmark; RESULTS.md
#   make check     build patched-debug, boot it, KUnit + guest tests, "N passed, N failed"

K    ?= patched-debug
JOB  ?= smoke
MODE ?= smp

MAKEFLAGS += --no-print-directory

.PHONY: help deps source kernels check check-fast bench profile rt torture series \
	checkpatch bisect-check modules boot clean distclean

DURATION ?= 1800

help:
	@echo 'make bench      build the 3 perf kernels, QEMU, fncount plugin; mock + real-PRQ floods (icount, smp), scaling, exact counts; RESULTS.md; ends "goals: N met, N missed"'
	@echo 'make check      the tests: fast tier, series checks, debug kernel with KUnit, guest and uacce tests, torture; ends "N passed, N failed"'
	@echo 'make check-fast the user-space tier alone: table and dispatch under TSAN/ASan, callgrind counts'
	@echo 'make profile    perf record/report/flame graphs of the PRQ path, baseline vs patched (QEMU; TARGET=host)'
	@echo 'make rt         cyclictest on the other CPU during floods, baseline vs patched (QEMU; TARGET=host)'
	@echo 'make torture    the lifetime cases, then torture the notifier in the debug kernel for DURATION seconds (default 1800)'
	@echo 'make checkpatch checkpatch.pl --strict on the assembled series'
	@echo 'make bisect-check  build each patch of the series on its own, sparse on the touched files'
	@echo 'make modules    build every module folder (bench/, tests/*/ with a Kbuild) and its user programs for K=$(K) (FOLDERS=tests/torture ... for some)'
	@echo 'make deps       install the missing Debian packages (apt-get, needs root)'
	@echo 'make source     fetch and unpack linux-source-7.2 into build/linux (pristine commit, tagged)'
	@echo 'make kernels    build all four kernels: baseline-perf, patched-perf, patched-debug, domainhook-perf'
	@echo 'make series     assemble the upstream series (patches/, src/, include/) into build/series/'
	@echo 'make boot       boot one kernel and show its console: K=$(K) JOB=$(JOB) MODE=$(MODE) (smp|icount)'
	@echo 'make clean      remove the kernel object dirs, initramfs and logs (keeps build/linux and ccache)'
	@echo 'make distclean  remove build/ entirely'

deps:
	@scripts/deps.sh

source: deps
	@scripts/source.sh

kernels: deps
	@for k in baseline-perf patched-perf patched-debug domainhook-perf; do scripts/kbuild.sh $$k || exit 1; done

check:
	@scripts/check.sh

bench:
	@scripts/bench.sh

check-fast:
	@scripts/check-fast.sh

profile:
	@scripts/profile.sh

rt:
	@scripts/rt.sh

torture:
	@scripts/torture.sh $(DURATION)

checkpatch: source
	@scripts/checkpatch.sh

bisect-check: source
	@scripts/bisect-check.sh

modules:
	@scripts/modules.sh $(K) $(FOLDERS)

series: source
	@scripts/series.sh

boot: deps
	@scripts/kbuild.sh $(K)
	@QEMU_SHOW=1 scripts/qemu.sh $(K) $(MODE) $(JOB) build/logs/boot-$(K)-$(MODE)-$(JOB).log

clean:
	rm -rf build/k/*/obj-* build/initramfs build/logs build/series

distclean:
	rm -rf build
