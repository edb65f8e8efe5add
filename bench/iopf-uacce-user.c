// SPDX-License-Identifier: GPL-2.0
/*
 * iopf-uacce-user: end to end, a process owning a uacce queue learns that
 * the device's write to one of its read-only pages failed.
 *
 *  1. open the uacce queue of the mock accelerator (/dev/iopf_mock-N):
 *     uacce binds our mm to the device, the queue gets our PASID;
 *  2. open /dev/iopf_uacce, which plays the device on the same PASID;
 *  3. the device reads a read-write page: success, the queue is quiet;
 *  4. the device writes a read-only page: the SVA handler answers INVALID,
 *     the notifier calls uacce, poll() on the queue reports POLLPRI, and
 *     UACCE_CMD_GET_FAULT returns the address, PASID, access and code;
 *  5. a second UACCE_CMD_GET_FAULT finds nothing (ENODATA).
 * Prints one "ok"/"not ok" line per check; exits 1 if any failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <misc/uacce/uacce.h>

#include "iopf_uacce.h"

static int failed;

static void check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
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

int main(void)
{
	struct iopf_uacce_inject inj = {};
	struct uacce_fault fault;
	long page = sysconf(_SC_PAGESIZE);
	struct pollfd pfd;
	char *rw, *ro;
	int q, dev, ret;

	q = open_queue();
	check(q >= 0, "open the uacce queue of the mock accelerator");
	dev = open("/dev/iopf_uacce", O_RDWR);
	check(dev >= 0, "open /dev/iopf_uacce (bind the same mm)");
	if (q < 0 || dev < 0)
		return 1;
	check(ioctl(q, UACCE_CMD_START_Q) == 0, "UACCE_CMD_START_Q");

	rw = mmap(NULL, page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED)
		return 1;

	inj.addr = (unsigned long)rw;
	inj.perm = IOPF_UACCE_PERM_READ | IOPF_UACCE_PERM_WRITE;
	ret = ioctl(dev, IOPF_UACCE_INJECT, &inj);
	check(ret == 0 && inj.code == 0, "device writes a read-write page: success");
	pfd = (struct pollfd){ .fd = q, .events = POLLIN | POLLPRI };
	check(poll(&pfd, 1, 200) == 0, "no fault reported after a successful request");
	check(ioctl(q, UACCE_CMD_GET_FAULT, &fault) < 0 && errno == ENODATA,
	      "UACCE_CMD_GET_FAULT: ENODATA before any failure");

	inj.addr = (unsigned long)ro + 0x123;
	inj.perm = IOPF_UACCE_PERM_WRITE;
	ret = ioctl(dev, IOPF_UACCE_INJECT, &inj);
	check(ret == 0 && inj.code == 1,
	      "device writes a read-only page: the device gets INVALID");

	pfd = (struct pollfd){ .fd = q, .events = POLLIN | POLLPRI };
	ret = poll(&pfd, 1, 10000);
	check(ret == 1 && (pfd.revents & POLLPRI) && (pfd.revents & POLLERR),
	      "poll() on the queue wakes with POLLPRI | POLLERR");

	memset(&fault, 0, sizeof(fault));
	ret = ioctl(q, UACCE_CMD_GET_FAULT, &fault);
	check(ret == 0, "UACCE_CMD_GET_FAULT returns the fault");
	printf("# fault: addr=%#llx pasid=%u perm=%#x code=%u count=%u (expected addr=%#lx pasid=%u)\n",
	       (unsigned long long)fault.addr, fault.pasid, fault.perm,
	       fault.code, fault.count, (unsigned long)ro, inj.pasid);
	check(fault.addr == (unsigned long)ro, "fault address is the read-only page");
	check(fault.pasid == inj.pasid, "fault PASID is the queue's PASID");
	check(fault.perm == UACCE_FAULT_PERM_WRITE, "fault access is a write");
	check(fault.code == 1, "fault code is INVALID (1)");
	check(fault.count == 1, "exactly one fault counted");
	check(ioctl(q, UACCE_CMD_GET_FAULT, &fault) < 0 && errno == ENODATA,
	      "the fault was cleared: ENODATA");
	pfd = (struct pollfd){ .fd = q, .events = POLLIN | POLLPRI };
	check(poll(&pfd, 1, 0) == 0, "poll() is quiet again");

	close(dev);
	close(q);
	return failed;
}
