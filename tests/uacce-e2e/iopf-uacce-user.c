// SPDX-License-Identifier: GPL-2.0
/*
 * iopf-uacce-user: end to end, a process owning a uacce queue learns that
 * the device's access to its memory failed, through the uacce uAPI
 * (poll() EPOLLPRI, UACCE_CMD_GET_FAULT with its size field), and never
 * learns of a fault of an earlier binding of its PASID.
 *
 *  basic         a successful request is not reported; a write to a
 *                read-only page is: POLLPRI for a poller asking for it and
 *                never POLLERR, nothing for a POLLIN-only poller, then the
 *                address, PASID, access, UACCE_FAULT_CODE_INVALID, count 1;
 *                reading clears it;
 *  size          GET_FAULT refuses a size below the first version (EINVAL),
 *                fills and zeroes a larger structure, writes back its size;
 *  count         several faults between two reads: count, last address;
 *  stopped       a queue not started gets no record;
 *  rebind        a failing write, then the PASID unbound and bound again
 *                (same number) before uacce's callback runs: the queue of
 *                the new binding gets nothing; a fault after it does;
 *  process       a process faults and exits; a second process gets the
 *                same PASID (waited for) and sees none of the first's.
 * /dev/iopf_uacce (IOPF_UACCE_FLUSH) waits until uacce's callback handled
 * every failure reported, so no check depends on timing. Prints one
 * "ok"/"not ok" line per check; exits 1 if any failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "iopf_uacce.h"

static int failed;
static int ctl = -1;
static char *rw, *ro;

static void check(int cond, const char *what, const char *todo)
{
	if (cond) {
		printf("ok - %s\n", what);
		return;
	}
	printf("not ok - %s: %s\n", what, todo);
	failed = 1;
}

/* the uacce queue file of the mock accelerator, from sysfs */
static int open_queue(void)
{
	char path[300];
	struct dirent *d;
	DIR *dir = opendir("/sys/class/uacce");
	int fd = -1;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "iopf_mock-", 10)) {
			snprintf(path, sizeof(path), "/dev/%s", d->d_name);
			fd = open(path, O_RDWR);
			break;
		}
	closedir(dir);
	return fd;
}

/* One request of the device on the queue's PASID; returns its code or -1 */
static int inject(int q, void *addr, unsigned int perm, unsigned int *pasid)
{
	struct iopf_uacce_inject inj = {
		.addr = (unsigned long)addr,
		.perm = perm,
	};

	if (ioctl(q, IOPF_UACCE_INJECT, &inj))
		return -1;
	if (pasid)
		*pasid = inj.pasid;
	return inj.code;
}

static int flush(void)
{
	return ioctl(ctl, IOPF_UACCE_FLUSH);
}

static int get_fault(int q, struct uacce_fault *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	return ioctl(q, UACCE_CMD_GET_FAULT, f);
}

static int no_fault(int q)
{
	struct uacce_fault f;

	return get_fault(q, &f) < 0 && errno == ENODATA;
}

static short poll_now(int q, short events)
{
	struct pollfd pfd = { .fd = q, .events = events };

	return poll(&pfd, 1, 0) == 1 ? pfd.revents : 0;
}

static void test_basic(int q)
{
	struct uacce_fault f;
	unsigned int pasid = 0;
	struct pollfd pfd;
	int code, ret;

	code = inject(q, rw, IOPF_UACCE_PERM_READ | IOPF_UACCE_PERM_WRITE, NULL);
	check(code == 0, "basic: the device writes a read-write page: success",
	      "the mock's SVA path failed: check dmesg for iopf_uacce");
	check(flush() == 0, "basic: IOPF_UACCE_FLUSH",
	      "needs CONFIG_IOPF_NOTIFY_KUNIT_TEST and uacce registered for the device (dmesg)");
	check(!poll_now(q, POLLIN | POLLPRI), "basic: no fault after a successful request",
	      "a succeeding request was reported: see the notifier's report sites");
	check(no_fault(q), "basic: UACCE_CMD_GET_FAULT: ENODATA before any failure",
	      "GET_FAULT returned a fault nobody caused");

	code = inject(q, ro + 0x123, IOPF_UACCE_PERM_WRITE, &pasid);
	check(code == UACCE_FAULT_CODE_INVALID,
	      "basic: the device writes a read-only page and gets INVALID",
	      "the SVA handler did not fail the write: check the mock's domain");
	/* 10 s: a failure net for a lost record, not a timing check */
	pfd = (struct pollfd){ .fd = q, .events = POLLPRI };
	ret = poll(&pfd, 1, 10000);
	check(ret == 1 && pfd.revents == POLLPRI,
	      "basic: poll(POLLPRI) wakes with POLLPRI alone (no POLLERR)",
	      "no POLLPRI: uacce's callback did not record the fault, or POLLERR came back");
	check(!poll_now(q, POLLIN), "basic: a POLLIN-only poller is not woken by the fault",
	      "uacce reports the fault to pollers that did not ask for POLLPRI");

	ret = get_fault(q, &f);
	check(ret == 0, "basic: UACCE_CMD_GET_FAULT returns the fault", strerror(errno));
	printf("# fault: size=%u flags=%#x addr=%#llx pasid=%u perm=%#x code=%u count=%u",
	       f.size, f.flags, (unsigned long long)f.addr, f.pasid, f.perm,
	       f.code, f.count);
	printf(" (expected addr=%p pasid=%u)\n", (void *)ro, pasid);
	check(f.size == sizeof(f) && f.flags == 0, "basic: size written back, no flags",
	      "the kernel's struct uacce_fault differs from this header");
	check(f.addr == (unsigned long)ro, "basic: fault address is the read-only page",
	      "the record's address is not the page of the request");
	check(f.pasid == pasid, "basic: fault PASID is the queue's PASID",
	      "a record of another PASID reached the queue");
	check(f.perm == UACCE_FAULT_PERM_WRITE, "basic: fault access is a write",
	      "uacce_fault_perm() maps the access wrong");
	check(f.code == UACCE_FAULT_CODE_INVALID, "basic: fault code is UACCE_FAULT_CODE_INVALID",
	      "the response code did not reach user space");
	check(f.count == 1, "basic: exactly one fault counted",
	      "one failure was recorded more or less than once");
	check(no_fault(q), "basic: the fault was cleared: ENODATA",
	      "GET_FAULT does not clear the fault");
	check(!poll_now(q, POLLPRI), "basic: poll() is quiet again",
	      "POLLPRI stays after GET_FAULT read the fault");
}

static void test_size(int q)
{
	struct {
		struct uacce_fault f;
		unsigned char tail[16];
	} big;
	struct uacce_fault f;
	size_t i;
	int ok = 1;

	check(inject(q, ro, IOPF_UACCE_PERM_WRITE, NULL) == UACCE_FAULT_CODE_INVALID &&
	      flush() == 0, "size: a failing write", "see basic");
	memset(&f, 0, sizeof(f));
	check(ioctl(q, UACCE_CMD_GET_FAULT, &f) < 0 && errno == EINVAL,
	      "size: size 0 is refused with EINVAL", "GET_FAULT ignores the size field");
	f.size = offsetof(struct uacce_fault, count);
	check(ioctl(q, UACCE_CMD_GET_FAULT, &f) < 0 && errno == EINVAL,
	      "size: a size below the first version is refused with EINVAL",
	      "GET_FAULT accepts a structure too small for its fields");
	memset(&big, 0xff, sizeof(big));
	big.f.size = sizeof(big);
	check(ioctl(q, UACCE_CMD_GET_FAULT, &big) == 0,
	      "size: a larger structure is accepted (the fault was kept)", strerror(errno));
	for (i = 0; i < sizeof(big.tail); i++)
		ok &= big.tail[i] == 0;
	check(ok && big.f.size == sizeof(struct uacce_fault) &&
	      big.f.addr == (unsigned long)ro,
	      "size: the fields are filled, the unknown tail zeroed, the kernel's size written back",
	      "copy_struct_to_user() semantics broken in uacce_get_fault()");
}

static void test_count(int q)
{
	struct uacce_fault f;
	int i, ok = 1;

	for (i = 0; i < 3; i++)
		ok &= inject(q, ro + i * 4096, IOPF_UACCE_PERM_WRITE, NULL) ==
		      UACCE_FAULT_CODE_INVALID;
	check(ok && flush() == 0, "count: three failing writes", "see basic");
	check(get_fault(q, &f) == 0 && f.count == 3 &&
	      f.addr == (unsigned long)ro + 2 * 4096,
	      "count: count 3, the last address",
	      "uacce loses or double-counts faults between two reads");
}

static void test_stopped(int q)
{
	check(ioctl(q, UACCE_CMD_PUT_Q) == 0, "stopped: UACCE_CMD_PUT_Q", strerror(errno));
	check(inject(q, ro, IOPF_UACCE_PERM_WRITE, NULL) == UACCE_FAULT_CODE_INVALID &&
	      flush() == 0, "stopped: a failing write on the stopped queue", "see basic");
	check(no_fault(q) && !poll_now(q, POLLPRI),
	      "stopped: a queue not started gets no record",
	      "uacce records faults into queues that are not started");
	check(ioctl(q, UACCE_CMD_START_Q) == 0, "stopped: UACCE_CMD_START_Q again",
	      strerror(errno));
}

static void test_rebind(int q)
{
	struct iopf_uacce_rebind rb = { .addr = (unsigned long)ro };
	struct iopf_uacce_counts c;
	struct uacce_fault f;
	unsigned int pasid = 0;

	check(ioctl(q, IOPF_UACCE_REBIND, &rb) == 0 && rb.code == UACCE_FAULT_CODE_INVALID,
	      "rebind: a failing write, then the PASID unbound and bound again", strerror(errno));
	check(rb.pasid_after == rb.pasid_before,
	      "rebind: the new binding has the same PASID number",
	      "the mm lost its PASID: the reuse was not tested");
	check(flush() == 0, "rebind: uacce's callback handled the old write", "see basic");
	check(no_fault(q) && !poll_now(q, POLLPRI),
	      "rebind: the old binding's fault did not reach the new binding",
	      "uacce matched the record by PASID number alone: see iopf_failure_current()");
	check(inject(q, ro, IOPF_UACCE_PERM_WRITE, &pasid) == UACCE_FAULT_CODE_INVALID &&
	      flush() == 0 && get_fault(q, &f) == 0 && f.count == 1 && f.pasid == pasid,
	      "rebind: a fault of the new binding arrives",
	      "the new binding gets no record: a stale epoch or a lost registration");
	if (ioctl(ctl, IOPF_UACCE_COUNTS, &c) == 0) {
		printf("# counts: generated=%llu delivered=%llu overflow=%llu",
		       c.generated, c.delivered, c.overflow);
		printf(" stale=%llu released=%llu\n", c.stale, c.released);
		check(c.generated == c.delivered + c.overflow + c.stale + c.released,
		      "rebind: generated == delivered + overflow + stale + released",
		      "the notifier lost or invented records");
	} else {
		check(0, "rebind: IOPF_UACCE_COUNTS", strerror(errno));
	}
}

/* Child: open a queue, report its PASID, fault (or check), exit */
static int child(int wfd, int fault, unsigned int want)
{
	unsigned int pasid = 0;
	int q, tries, ok;

	for (tries = 0; tries < 100; tries++) {
		q = open_queue();
		if (q < 0 || ioctl(q, UACCE_CMD_START_Q))
			return 2;
		/* a read of a read-write page: learns the PASID */
		if (inject(q, rw, IOPF_UACCE_PERM_READ, &pasid) != 0)
			return 2;
		if (fault || !want || pasid == want)
			break;
		/* the first process's mm (and PASID) is not freed yet */
		close(q);
		usleep(100000);
	}
	if (write(wfd, &pasid, sizeof(pasid)) != sizeof(pasid))
		return 2;
	if (fault) {
		inject(q, ro, IOPF_UACCE_PERM_WRITE, NULL);
		close(q);
		return 0;
	}
	ok = flush() == 0 && no_fault(q) && !poll_now(q, POLLPRI);
	return ok ? 0 : 1;
}

static int run_child(int fault, unsigned int want, unsigned int *pasid)
{
	int p[2], st = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(child(p[1], fault, want));
	}
	close(p[1]);
	if (pid < 0 || read(p[0], pasid, sizeof(*pasid)) != sizeof(*pasid))
		*pasid = 0;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_process(void)
{
	unsigned int first = 0, second = 0;

	check(run_child(1, 0, &first) == 0 && first,
	      "process: a first process faults on its PASID and exits", "see basic");
	check(run_child(0, first, &second) == 0,
	      "process: a second process sees none of the first's faults",
	      "a record of an exited process reached the next owner of its PASID");
	printf("# PASID of the first process %u, of the second %u\n", first, second);
	check(second == first, "process: the second process got the same PASID",
	      "the PASID was not reused within 10 s: the reuse was not tested");
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int q;

	setvbuf(stdout, NULL, _IOLBF, 0);
	rw = mmap(NULL, page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, 4 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED)
		return 1;
	rw[0] = 1;
	q = open_queue();
	check(q >= 0, "open the uacce queue of the mock accelerator (binds our mm)",
	      "no /sys/class/uacce/iopf_mock-*: is iopf_uacce.ko loaded?");
	ctl = open("/dev/iopf_uacce", O_RDWR);
	check(ctl >= 0, "open /dev/iopf_uacce", "is iopf_uacce.ko loaded?");
	if (q < 0 || ctl < 0)
		return 1;
	check(ioctl(q, UACCE_CMD_START_Q) == 0, "UACCE_CMD_START_Q", strerror(errno));

	test_basic(q);
	test_size(q);
	test_count(q);
	test_stopped(q);
	test_rebind(q);
	close(q);
	test_process();
	close(ctl);
	return failed;
}
