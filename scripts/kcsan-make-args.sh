#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kcsan-make-args.sh: the make variables that restrict KCSAN to our code in
# the kcsan flavour (config/kcsan.config), one per line, for scripts/kbuild.sh.
#
#   KCSAN_SANITIZE=n                        nothing is instrumented ...
#   KCSAN_SANITIZE_<stem>.o=y               ... but the C files the series
#                                           adds (patches/series names them)
#   KCSAN_INSTRUMENT_BARRIERS_<stem>.o=y    barriers only, in the primitives
#                                           those files synchronise through
#
# scripts/Makefile.lib instruments an object when the first of
# KCSAN_SANITIZE_<stem>.o, KCSAN_SANITIZE does not start with "n", so the
# per-file "y" wins over the global "n" given on the command line, and the
# Makefiles' own "n" settings (kernel/kcsan, early boot code) stay in force.
# No kernel file is changed. Barrier-only instrumentation is what upstream
# does for kernel/sched and mm: it lets KCSAN's weak-memory model see the
# release/acquire inside mutex_unlock(), queue_work(), xa_insert() and the
# like, so an access of ours is not modelled as reordered past them.
. "$(dirname "$0")/lib.sh"

echo KCSAN_SANITIZE=n
awk '!/^#/ { for (i = 2; i <= NF; i++) print $i }' "$TOP/patches/series" |
	grep '\.c$' | sed 's|.*/||; s|\.c$||' | LC_ALL=C sort -u |
	while read -r stem; do echo "KCSAN_SANITIZE_$stem.o=y"; done
for stem in mutex spinlock qspinlock rwsem workqueue xarray tree update jump_label; do
	echo "KCSAN_INSTRUMENT_BARRIERS_$stem.o=y"
done
