# SPDX-License-Identifier: GPL-2.0
# torture: /torture/iopf_torture.ko (tests/torture) on the debug kernel
# (KASAN, lockdep, PROVE_RCU, kmemleak; any splat fails the run on the
# host, scripts/qemu.sh):
#  1. mode=lifetime: the deterministic lifetime and isolation cases (a
#     device released while registered, PASID reuse, unregistration from
#     callbacks, a blocking callback, unregistration under a storm), one
#     @@TEST line each;
#  2. mode=torture for DURATION seconds: flooders and churners on every
#     CPU (see tests/torture/main.c);
#  3. each device released while registered warned exactly once;
#  4. kmemleak: nothing left.
# Arguments (args=A,B on the kernel command line):
#   duration=N | N   seconds of torture (default 60)
#   devs=N           mock devices (default 8)
#   rids=N           RIDs per mock device (default 2)
. /guest/lib.sh

duration=60
devs=8
rids=2
for a in "$@"; do
	case $a in
	duration=*) duration=${a#duration=} ;;
	devs=*) devs=${a#devs=} ;;
	rids=*) rids=${a#rids=} ;;
	[0-9]*) duration=$a ;;
	esac
done

M=/torture/iopf_torture.ko
[ -f $M ] || { echo "no $M in this initramfs (scripts/modules.sh builds tests/torture)"; exit 1; }
KL=/sys/kernel/debug/kmemleak
WARN='released while registered for failed page fault notification'
# warnings before this job (the built-in KUnit suite releases devices
# while registered too) are not the torture module's
warn_before=$(dmesg | grep -c "$WARN" || true)

# Boot-time reports are not ours: scan once and forget them
if [ -w $KL ]; then
	echo scan >$KL
	echo clear >$KL
fi

# verdict PATTERN: the last "iopf_torture: PASS|FAIL PATTERN..." line
verdict() { dmesg | grep -E "iopf_torture: (PASS|FAIL) $1" | tail -n 1 | sed 's/.*iopf_torture: //'; }

# --- 1. the lifetime cases
insmod $M mode=lifetime
lrc=$?
rmmod iopf_torture 2>/dev/null
dmesg | grep 'iopf_torture: lifetime case=' | sed 's/.*iopf_torture: lifetime case=//' >/tmp/lt.txt
# lt_case VERDICT DETAIL: one case's line, for guest_test
lt_case() {
	echo "$2"
	[ "$1" = PASS: ]
}
while read -r name v detail; do
	guest_test "lifetime_$name" lt_case "$v" "$name: $detail"
done </tmp/lt.txt
lt_line=$(verdict lifetime)
lt_warn=$(dmesg | grep 'iopf_torture: lifetime: released_while_registered_expected=' | tail -n 1 | sed 's/.*expected=\([0-9]*\).*/\1/')
lifetime_pass() {
	[ $lrc = 0 ] || { echo "insmod mode=lifetime returned $lrc"; return 1; }
	[ -s /tmp/lt.txt ] || { echo "mode=lifetime printed no case"; return 1; }
	case $lt_line in
	PASS*) return 0 ;;
	*) echo "iopf_torture: ${lt_line:-no verdict of mode=lifetime}"; return 1 ;;
	esac
}
guest_test torture_lifetime lifetime_pass
result test=lifetime $(dmesg | grep 'iopf_torture: lifetime: released_while' | tail -n 1 | sed 's/.*lifetime: //')

# --- 2. the torture
stat=$((duration / 4))
[ $stat -lt 5 ] && stat=5
result test=torture duration=$duration cpus=$(nproc) devs=$devs rids_per_dev=$rids kernel=$(uname -r)
insmod $M mode=torture duration=$duration nr_devs=$devs rids_per_dev=$rids stat_interval=$stat
rc=$?
line=$(verdict duration=)
rmmod iopf_torture 2>/dev/null
echo "summary: $line"
result test=torture summary=$(echo "$line" | tr ' ' ,)
dmesg | grep "iopf_torture: end: " | sed 's/.*iopf_torture: /# /'

torture_pass() {
	[ $rc = 0 ] || { echo "insmod returned $rc"; return 1; }
	case $line in
	PASS*) return 0 ;;
	*) echo "iopf_torture: ${line:-no verdict}"; return 1 ;;
	esac
}
guest_test torture_${duration}s torture_pass

# --- 3. a device released while registered warns once, and only then
released=$(echo "$line" | sed -n 's/.*removed_registered=\([0-9]*\).*/\1/p')
warned() {
	want=$(( ${lt_warn:-0} + ${released:-0} ))
	got=$(( $(dmesg | grep -c "$WARN") - warn_before ))
	echo "'$WARN': $got in dmesg since the job began ($warn_before before), $want devices released while registered (lifetime ${lt_warn:-?}, torture ${released:-?})"
	[ -n "$lt_warn" ] && [ -n "$released" ] && [ "$got" = "$want" ]
}
guest_test torture_release_warns_once warned

# --- 4. leaks
guest_test torture_kmemleak_clean kmemleak_scan torture

exit $GUEST_FAILED
