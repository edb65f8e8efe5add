// SPDX-License-Identifier: GPL-2.0
/*
 * noeventfd.so: LD_PRELOAD stopgap for `perf record` on a kernel built
 * without CONFIG_EVENTFD, where perf (built with eventfd support) stops at
 * "Failed to create wakeup eventfd". perf only writes to its wakeup fd and
 * polls it, so a pipe opened read-write through /proc/self/fd (one fd both
 * ends) does the job. Never used where eventfd2() works: the real call is
 * tried first. The fix is CONFIG_EVENTFD=y in the kernel's config.
 *   gcc -shared -fPIC -O2 -o noeventfd.so noeventfd.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

int eventfd(unsigned int initval, int flags)
{
	int (*real)(unsigned int, int) = (int (*)(unsigned int, int))dlsym(RTLD_NEXT, "eventfd");
	char path[64];
	int p[2], fd;

	fd = real ? real(initval, flags) : -1;
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	if (pipe(p))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	fd = open(path, O_RDWR | O_NONBLOCK | ((flags & EFD_CLOEXEC) ? O_CLOEXEC : 0));
	close(p[0]);
	close(p[1]);
	return fd;
}
