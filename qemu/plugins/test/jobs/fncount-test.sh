# SPDX-License-Identifier: GPL-2.0
# fncount-test: the fncount plugin's self-test workload (qemu/plugins/test,
# staged into the guest by scripts/fncount.sh as /fncount). The counts are
# checked on the host, in the plugin's output (scripts/fncount-selftest.sh).
. /guest/lib.sh

guest_test fncount_test /fncount/fncount-test run
exit $((GUEST_FAILED > 0))
