# SPDX-License-Identifier: GPL-2.0
# Every target calls a script in scripts/; the scripts hold the logic.
#   make bench     build baseline-perf and patched-perf, run the benchmark in QEMU
#   make check     build patched-debug, boot it, KUnit + guest tests, "N passed, N failed"

K    ?= patched-debug
JOB  ?= smoke
MODE ?= smp

MAKEFLAGS += --no-print-directory

.PHONY: help deps source kernels check bench series boot clean distclean

help:
	@echo 'make bench      build baseline-perf and patched-perf, boot each with the benchmark (smp and icount)'
	@echo 'make check      build patched-debug, boot it: KUnit, guest tests, splat scan; ends "N passed, N failed"'
	@echo 'make deps       install the missing Debian packages (apt-get, needs root)'
	@echo 'make source     unpack linux-source-6.12 into build/linux (pristine commit, tagged)'
	@echo 'make kernels    build all three kernels: baseline-perf, patched-perf, patched-debug'
	@echo 'make series     assemble the upstream series (patches/, src/, include/) into build/series/'
	@echo 'make boot       boot one kernel and show its console: K=$(K) JOB=$(JOB) MODE=$(MODE) (smp|icount)'
	@echo 'make clean      remove the kernel object dirs, initramfs and logs (keeps build/linux and ccache)'
	@echo 'make distclean  remove build/ entirely'

deps:
	@scripts/deps.sh

source: deps
	@scripts/source.sh

kernels: deps
	@for k in baseline-perf patched-perf patched-debug; do scripts/kbuild.sh $$k || exit 1; done

check:
	@scripts/check.sh

bench:
	@scripts/bench.sh

series: source
	@scripts/series.sh

boot: deps
	@scripts/kbuild.sh $(K)
	@QEMU_SHOW=1 scripts/qemu.sh $(K) $(MODE) $(JOB) build/logs/boot-$(K)-$(MODE)-$(JOB).log

clean:
	rm -rf build/k/*/obj-* build/initramfs build/logs build/series

distclean:
	rm -rf build
