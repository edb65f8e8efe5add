// SPDX-License-Identifier: GPL-2.0
/*
 * fncount-test: the fncount plugin's self-test workload, a static user
 * program for the busybox guest (scripts/fncount-selftest.sh builds it
 * and checks the plugin's output against test/expected.tsv).
 *
 *   fncount-test run        turn the region on, call the t_* functions
 *                           below, turn it off
 *   fncount-test mark on    the region marker, for shell jobs
 *   fncount-test mark off
 *
 * The t_* functions are written in assembly so that their instruction
 * counts are known by hand; each comment gives the count of one call,
 * its ret included. The binary is linked at 0x30000000 so that no
 * other program of the guest has code at these addresses (the plugin
 * finds functions by address).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fncount-marker.h"

#define PAGE		4096UL
#define FAULT_PAGES	16UL
#define REP_BYTES	4096UL
#define REPBIG_BYTES	(8UL << 20)
#define LOOP_N		1000UL
#define SPIN_N		20000000UL
#define REC_DEPTH	10UL
#define GETPPID_CALLS	3

void t_leaf(void);
void t_loop(unsigned long n);
void t_outer(void);
void t_tail(void);
void t_rec(unsigned long depth);
void t_rep(void *dst, const void *src, unsigned long n);
void t_rep0(void);
void t_repbig(void *dst, const void *src, unsigned long n);
void t_fault(void *p, unsigned long pages);
void t_repfault(void *p, unsigned long n);
void t_spin(unsigned long n);
void t_sleep(const struct timespec *ts);

__asm__(
	".text\n"
	".p2align 4\n"
	/* 5; called once from run(), 3 times by t_outer, once by t_tail */
	".globl t_leaf\n.type t_leaf, @function\n"
	"t_leaf:\n"
	"	nop\n	nop\n	nop\n	nop\n	ret\n"
	".size t_leaf, .-t_leaf\n"
	/* 2n + 2 */
	".p2align 4\n.globl t_loop\n.type t_loop, @function\n"
	"t_loop:\n"
	"	mov %rdi, %rcx\n"
	"1:	dec %rcx\n"
	"	jnz 1b\n"
	"	ret\n"
	".size t_loop, .-t_loop\n"
	/* 4 + 3 t_leaf = 19 */
	".p2align 4\n.globl t_outer\n.type t_outer, @function\n"
	"t_outer:\n"
	"	call t_leaf\n	call t_leaf\n	call t_leaf\n	ret\n"
	".size t_outer, .-t_outer\n"
	/* 2 + a tail-called t_leaf = 7 */
	".p2align 4\n.globl t_tail\n.type t_tail, @function\n"
	"t_tail:\n"
	"	nop\n	jmp t_leaf\n"
	".size t_tail, .-t_tail\n"
	/* rec(0) = 3, rec(d) = 5 + rec(d - 1): 5d + 3 */
	".p2align 4\n.globl t_rec\n.type t_rec, @function\n"
	"t_rec:\n"
	"	test %rdi, %rdi\n"
	"	jz 1f\n"
	"	dec %rdi\n"
	"	call t_rec\n"
	"1:	ret\n"
	".size t_rec, .-t_rec\n"
	/* 8: each rep string instruction counts once */
	".p2align 4\n.globl t_rep\n.type t_rep, @function\n"
	"t_rep:\n"
	"	mov %rdx, %rcx\n"
	"	mov %rdi, %r8\n"
	"	rep movsb\n"
	"	mov %r8, %rdi\n"
	"	mov %rdx, %rcx\n"
	"	xor %eax, %eax\n"
	"	rep stosb\n"
	"	ret\n"
	".size t_rep, .-t_rep\n"
	/* 3: a rep with %rcx = 0 executes (and counts) once */
	".p2align 4\n.globl t_rep0\n.type t_rep0, @function\n"
	"t_rep0:\n"
	"	xor %ecx, %ecx\n"
	"	rep movsb\n"
	"	ret\n"
	".size t_rep0, .-t_rep0\n"
	/* 3: a rep long enough for timer interrupts in its middle */
	".p2align 4\n.globl t_repbig\n.type t_repbig, @function\n"
	"t_repbig:\n"
	"	mov %rdx, %rcx\n"
	"	rep movsb\n"
	"	ret\n"
	".size t_repbig, .-t_repbig\n"
	/*
	 * 4 * pages + 1: each store faults once (fresh page) and restarts;
	 * the loop jumps back to the first instruction (not a new call)
	 */
	".p2align 4\n.globl t_fault\n.type t_fault, @function\n"
	"t_fault:\n"
	"1:	movb $1, (%rdi)\n"
	"	add $4096, %rdi\n"
	"	dec %rsi\n"
	"	jnz 1b\n"
	"	ret\n"
	".size t_fault, .-t_fault\n"
	/* 4: a rep stos that faults at every fresh page it reaches */
	".p2align 4\n.globl t_repfault\n.type t_repfault, @function\n"
	"t_repfault:\n"
	"	mov %rsi, %rcx\n"
	"	xor %eax, %eax\n"
	"	rep stosb\n"
	"	ret\n"
	".size t_repfault, .-t_repfault\n"
	/* 2n + 2, long enough for timer interrupts */
	".p2align 4\n.globl t_spin\n.type t_spin, @function\n"
	"t_spin:\n"
	"	mov %rdi, %rcx\n"
	"1:	dec %rcx\n"
	"	jnz 1b\n"
	"	ret\n"
	".size t_spin, .-t_spin\n"
	/* 4 + the kernel's nanosleep; another task runs meanwhile */
	".p2align 4\n.globl t_sleep\n.type t_sleep, @function\n"
	"t_sleep:\n"
	"	mov $35, %eax\n"		/* __NR_nanosleep */
	"	xor %esi, %esi\n"
	"	syscall\n"
	"	ret\n"
	".size t_sleep, .-t_sleep\n"
	".p2align 4\n.globl t_end\n.type t_end, @function\n"
	"t_end:\n"
	"	ret\n"
	".size t_end, .-t_end\n");

static void pin_cpu0(void)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(0, &s);
	if (sched_setaffinity(0, sizeof(s), &s)) {
		perror("sched_setaffinity");
		exit(2);
	}
}

static void *pages(unsigned long bytes, int touch)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	if (touch)
		memset(p, 0x5a, bytes);
	return p;
}

static int run(void)
{
	char *a = pages(2 * REP_BYTES, 1), *b = pages(REP_BYTES, 1);
	char *big_a = pages(REPBIG_BYTES, 1), *big_b = pages(REPBIG_BYTES, 1);
	char *fresh = pages(FAULT_PAGES * PAGE, 0);
	char *fresh2 = pages(FAULT_PAGES * PAGE, 0);
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	pid_t child;
	int st, i;

	pin_cpu0();
	fncount_region_on();
	t_leaf();
	t_loop(LOOP_N);
	t_outer();
	t_tail();
	t_rec(REC_DEPTH);
	t_rep(a, b, REP_BYTES);
	t_rep0();
	t_repbig(big_a, big_b, REPBIG_BYTES);
	t_fault(fresh, FAULT_PAGES);
	t_repfault(fresh2, FAULT_PAGES * PAGE);
	for (i = 0; i < GETPPID_CALLS; i++)
		syscall(SYS_getppid);
	/*
	 * The child spins on CPU 0 (SPIN_N loops, about 40 ms of icount time)
	 * while the parent sleeps there for 100 ms: the parent's t_sleep must
	 * not absorb the child's instructions.
	 */
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		t_spin(SPIN_N);
		_exit(0);
	}
	t_sleep(&ts);
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st)) {
		fprintf(stderr, "fncount-test: the spinning child failed\n");
		return 2;
	}
	fncount_region_off();
	printf("fncount-test: done (%d bytes checked)\n",
	       a[0] == 0 && fresh[0] == 1 && fresh2[PAGE] == 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "run"))
		return run();
	if (argc == 3 && !strcmp(argv[1], "mark") && !strcmp(argv[2], "on")) {
		fncount_region_on();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "mark") && !strcmp(argv[2], "off")) {
		fncount_region_off();
		return 0;
	}
	fprintf(stderr, "usage: fncount-test run | mark on|off\n");
	return 2;
}
