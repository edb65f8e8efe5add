# SPDX-License-Identifier: GPL-2.0
# The KCSAN mutant (tree kcsan-mutant, kernel mutant-kcsan; scripts/tree.sh
# applies it to drivers/iommu/iopf-notify.c, scripts/kcsan.sh boots it): the
# fault side publishes a record with a plain store of prod instead of
# smp_store_release(). Under strict KCSAN that store races with the
# consumer's smp_load_acquire(&r->prod); built with the same config and the
# same per-file instrumentation as patched-kcsan, it must be reported.
s/^\tsmp_store_release(&r->prod, prod + 1);$/\tr->prod = prod + 1;\t\/* MUTANT: plain store *\//
