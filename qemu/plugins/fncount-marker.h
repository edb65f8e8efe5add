/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fncount-marker.h: turn the fncount QEMU plugin's measured region on and
 * off from guest code (a kernel module or a user program). No includes;
 * the same header works in the kernel and in user space.
 *
 * The marker is an 8-byte x86 NOP that compilers and the kernel never
 * emit (their multi-byte NOPs have a zero displacement):
 *
 *     0f 1f 84 00 OP 43 4e 46     nopl 0x464e43OP(%rax,%rax,1)
 *
 * the displacement's upper three bytes are "CNF" (0x464e43), its low byte
 * OP is FNCOUNT_OP_ON (1) or FNCOUNT_OP_OFF (2). On hardware, or under a
 * QEMU without the plugin, it is an ordinary NOP: it reads nothing and
 * changes no register or flag.
 *
 * The region is global: "on" on any vCPU starts counting on every vCPU,
 * "off" on any vCPU stops it. Neither marker instruction is counted. A
 * second "on" while the region is on is ignored (and reported in the
 * output's nested_on count).
 *
 * From a shell, the self-test program does it:
 *     /fncount/fncount-test mark on ... /fncount/fncount-test mark off
 */
#ifndef FNCOUNT_MARKER_H
#define FNCOUNT_MARKER_H

#define FNCOUNT_OP_ON   0x01
#define FNCOUNT_OP_OFF  0x02

/* the marker as an assembler string, for .S files and inline asm */
#define FNCOUNT_MARKER_ASM_ON   ".byte 0x0f, 0x1f, 0x84, 0x00, 0x01, 0x43, 0x4e, 0x46\n\t"
#define FNCOUNT_MARKER_ASM_OFF  ".byte 0x0f, 0x1f, 0x84, 0x00, 0x02, 0x43, 0x4e, 0x46\n\t"

#if defined(__x86_64__)
/* "memory": the compiler moves no load or store across the marker */
static inline void fncount_region_on(void)
{
	__asm__ __volatile__(FNCOUNT_MARKER_ASM_ON ::: "memory");
}

static inline void fncount_region_off(void)
{
	__asm__ __volatile__(FNCOUNT_MARKER_ASM_OFF ::: "memory");
}
#else
/* the plugin decodes x86-64 only: elsewhere the markers are no-ops */
static inline void fncount_region_on(void) { }
static inline void fncount_region_off(void) { }
#endif

#endif /* FNCOUNT_MARKER_H */
