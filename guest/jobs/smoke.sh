# SPDX-License-Identifier: GPL-2.0
# smoke: print what this guest is (placeholder for `make bench` until the
# benchmark exists).
. /guest/lib.sh

result job=smoke kernel="$(uname -r)" machine="$(uname -m)" cpus="$(nproc)"
result uname="$(uname -v | tr ' ' _)"
result mem_kb="$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
result clocksource="$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
result iommus="$(ls /sys/class/iommu 2>/dev/null | tr '\n' ',' | sed 's/,$//')"
result modules="$(ls /lib/modules 2>/dev/null | tr '\n' ',' | sed 's/,$//')"
result uptime_s="$(cut -d' ' -f1 /proc/uptime)"
exit 0
