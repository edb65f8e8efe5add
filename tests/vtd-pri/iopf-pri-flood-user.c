// SPDX-License-Identifier: GPL-2.0
/*
 * iopf-pri-flood-user: the benchmark's flood of real page requests through
 * QEMU's iopf-pri-test device, the emulated VT-d and Linux's
 * prq_event_thread() (guest/jobs/bench.sh). Test-only, static, for the
 * busybox guest; it drives /dev/iopf-pri-test (iopf_pri_test.ko) with the
 * same ioctls as iopf-pri-user.
 *
 *   iopf-pri-flood-user -m MODE [-n GROUPS] [-W WINDOW] [-w WARMUP]
 *                       [-r ROUNDS] [-f FAIL_PCT] [-M MARK] [-t TAG]
 *
 * A round sends GROUPS one-page groups, WINDOW at a time (WINDOW are
 * submitted back to back, then their responses are waited for in order).
 * Modes, as the mock benchmark's (bench/iopf-bench-user.c):
 *   success        not-present pages (MADV_DONTNEED before every round)
 *   present        pages already present
 *   fail-ro        write requests to PROT_READ pages
 *   fail-novma     addresses with no VMA
 *   fail-nohandler a PASID with no domain: the core answers INVALID
 *   mixed          success pages with a share (-f PCT) of fail-ro pages
 * Every response code is checked against the mode. On a kernel with the
 * failure notifier, the failure records the driver received in a round
 * must be exactly the round's failures. The device's request-to-response
 * time (QEMU virtual clock; with -icount shift=0, guest instructions) of
 * each timed group is reported as "@@RESULT bench=prq ..." lines
 * (guest/lib.sh). -M 1 turns the fncount plugin's region on around the
 * timed rounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "iopf-pri-test.h"
/* the fncount plugin's region markers (qemu/plugins/), where present */
#if __has_include("fncount-marker.h")
#include "fncount-marker.h"
#else
static inline void fncount_region_on(void) { }
static inline void fncount_region_off(void) { }
#endif

#define PAGE		4096UL
#define DEV		"/dev/iopf-pri-test"
#define WAIT_MS		20000
#define MAX_WINDOW	48	/* the device logs the last 64 groups */
#define MAX_GROUPS	256	/* the driver keeps 256 failure records */
#define BATCH_RECORDS	64

static const char *const modes[] = {
	"success", "present", "fail-ro", "fail-novma", "fail-nohandler",
	"mixed", NULL
};

enum { M_SUCCESS, M_PRESENT, M_FAIL_RO, M_FAIL_NOVMA, M_FAIL_NOHANDLER,
	M_MIXED };

struct opts {
	int mode;
	unsigned int groups, window, warmup, rounds, fail_pct, mark;
	const char *tag;
};

static int fd = -1;
static struct opts o = {
	.mode = -1, .groups = 128, .window = 16, .warmup = 1, .rounds = 4,
	.fail_pct = 10, .tag = "-",
};
static struct iopf_pri_info info;

static void prefix(void)
{
	printf("@@RESULT bench=prq tag=%s mode=%s window=%u notify=%u",
	       o.tag, modes[o.mode], o.window, info.notify);
}

static void die(const char *what)
{
	fprintf(stderr, "iopf-pri-flood-user: %s: %s\n", what, strerror(errno));
	printf("@@RESULT bench=prq tag=%s error=%s errno=%d\n", o.tag, what,
	       errno);
	exit(1);
}

static void fail(const char *what, unsigned int got, unsigned int want)
{
	prefix();
	printf(" error=%s got=%u expected=%u\n", what, got, want);
	exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t q(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * n + 0.999999);

	if (i)
		i--;
	return v[i >= n ? n - 1 : i];
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned int rnd_state = 12345;

static unsigned int rnd(void)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return rnd_state >> 8;
}

static unsigned int num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > 1000000UL) {
		fprintf(stderr, "bad number %s\n", s);
		exit(2);
	}
	return v;
}

/* the failure records of a round: exactly @want, none more */
static void take_records(unsigned int want)
{
	struct iopf_pri_failure rec[BATCH_RECORDS];
	unsigned int got = 0;

	while (got < want) {
		struct iopf_pri_failures f = {
			.records = (uintptr_t)rec, .max = BATCH_RECORDS,
			.min = want - got < BATCH_RECORDS ? want - got : BATCH_RECORDS,
			.timeout_ms = WAIT_MS,
		};

		if (ioctl(fd, IOPF_PRI_FAILURES, &f))
			die("IOPF_PRI_FAILURES");
		if (f.dropped)
			fail("records_dropped_by_driver", f.dropped, 0);
		if (!f.count)
			fail("records_missing", got, want);
		for (unsigned int i = 0; i < f.count; i++)
			if (rec[i].rid != info.rid)
				fail("record_rid", rec[i].rid, info.rid);
		got += f.count;
	}
	if (got != want)
		fail("records", got, want);
}

int main(int argc, char **argv)
{
	unsigned int i, r, w, prgi = 1, nfail, total_fail = 0, total_rec = 0;
	uint64_t *lat, *addr, t0, elapsed = 0;
	unsigned char *bad;
	size_t n = 0;
	char *rw, *ro, *novma;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "m:n:W:w:r:f:M:t:")) != -1) {
		switch (c) {
		case 'm':
			for (i = 0; modes[i]; i++)
				if (!strcmp(optarg, modes[i]))
					o.mode = i;
			break;
		case 'n':
			o.groups = num(optarg);
			break;
		case 'W':
			o.window = num(optarg);
			break;
		case 'w':
			o.warmup = num(optarg);
			break;
		case 'r':
			o.rounds = num(optarg);
			break;
		case 'f':
			o.fail_pct = num(optarg);
			break;
		case 'M':
			o.mark = num(optarg);
			break;
		case 't':
			o.tag = optarg;
			break;
		default:
			o.mode = -1;
			optind = argc;
			break;
		}
	}
	if (o.mode < 0 || !o.groups || o.groups > MAX_GROUPS || !o.window ||
	    o.window > MAX_WINDOW || !o.rounds || o.fail_pct > 100) {
		fprintf(stderr, "usage: iopf-pri-flood-user -m success|present|fail-ro|fail-novma|fail-nohandler|mixed\n"
			"       [-n GROUPS (1-%u)] [-W WINDOW (1-%u)] [-w WARMUP] [-r ROUNDS] [-f FAIL_PCT] [-M 0|1] [-t TAG]\n",
			MAX_GROUPS, MAX_WINDOW);
		return 2;
	}

	fd = open(DEV, O_RDWR);
	if (fd < 0)
		die("open " DEV " (is iopf_pri_test.ko loaded, did SVA bind? see dmesg)");
	if (ioctl(fd, IOPF_PRI_INFO, &info))
		die("IOPF_PRI_INFO");

	lat = calloc(o.groups * o.rounds, sizeof(*lat));
	addr = calloc(o.groups, sizeof(*addr));
	bad = calloc(o.groups, 1);
	rw = mmap(NULL, o.groups * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, o.groups * PAGE, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	novma = mmap(NULL, o.groups * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!lat || !addr || !bad || rw == MAP_FAILED || ro == MAP_FAILED ||
	    novma == MAP_FAILED)
		die("allocate");
	if (munmap(novma, o.groups * PAGE))
		die("munmap");
	if (o.mode == M_PRESENT)
		memset(rw, 1, o.groups * PAGE);

	nfail = 0;
	for (i = 0; i < o.groups; i++) {
		addr[i] = (uintptr_t)(rw + i * PAGE);
		if (o.mode == M_FAIL_RO ||
		    (o.mode == M_MIXED && rnd() % 100 < o.fail_pct)) {
			addr[i] = (uintptr_t)(ro + i * PAGE);
			bad[i] = 1;
		} else if (o.mode == M_FAIL_NOVMA) {
			addr[i] = (uintptr_t)(novma + i * PAGE);
			bad[i] = 1;
		} else if (o.mode == M_FAIL_NOHANDLER) {
			bad[i] = 1;
		}
		nfail += bad[i];
	}

	for (r = 0; r < o.warmup + o.rounds; r++) {
		int timed = r >= o.warmup;

		if (o.mode != M_PRESENT && madvise(rw, o.groups * PAGE, MADV_DONTNEED))
			die("madvise");
		if (timed && o.mark)
			fncount_region_on();
		t0 = now_ns();
		for (i = 0; i < o.groups; i += o.window) {
			struct iopf_pri_submit s[MAX_WINDOW];
			unsigned int m = o.groups - i < o.window ? o.groups - i : o.window;

			for (w = 0; w < m; w++) {
				unsigned int g = i + w;

				memset(&s[w], 0, sizeof(s[w]));
				s[w].addr = addr[g];
				s[w].count = 1;
				s[w].prgi = prgi++ % 512;
				s[w].flags = IOPF_PRI_READ;
				if (o.mode != M_FAIL_NOVMA && o.mode != M_FAIL_NOHANDLER)
					s[w].flags |= IOPF_PRI_WRITE;
				if (o.mode == M_FAIL_NOHANDLER) {
					s[w].pasid_mode = IOPF_PRI_PASID_EXPLICIT;
					s[w].pasid = info.pasid + 0x100;
				}
				if (ioctl(fd, IOPF_PRI_SUBMIT, &s[w]))
					die("IOPF_PRI_SUBMIT");
				if (s[w].submit_err)
					fail("submit_err", s[w].submit_err, 0);
			}
			for (w = 0; w < m; w++) {
				struct iopf_pri_result res = {
					.seq = s[w].seq, .timeout_ms = WAIT_MS,
				};
				unsigned int want = bad[i + w] ?
						    IOPF_PRI_RC_INVALID : IOPF_PRI_RC_SUCCESS;

				if (ioctl(fd, IOPF_PRI_WAIT, &res))
					die("IOPF_PRI_WAIT (no page response)");
				if (!res.responded || res.code != want)
					fail("response_code", res.code, want);
				if (timed)
					lat[n++] = res.latency;
			}
		}
		if (timed) {
			elapsed += now_ns() - t0;
			if (o.mark)
				fncount_region_off();
		}
		if (info.notify) {
			take_records(nfail);
			total_rec += nfail;
		}
		if (timed)
			total_fail += nfail;
	}

	qsort(lat, n, sizeof(*lat), cmp_u64);
	prefix();
	printf(" metric=device_latency n=%zu min=%llu p50=%llu p90=%llu p99=%llu max=%llu\n",
	       n, (unsigned long long)lat[0],
	       (unsigned long long)q(lat, n, 0.5),
	       (unsigned long long)q(lat, n, 0.9),
	       (unsigned long long)q(lat, n, 0.99),
	       (unsigned long long)lat[n - 1]);
	prefix();
	printf(" metric=device_latency_cdf q=");
	for (i = 0; i <= 200; i++)
		printf("%s%llu", i ? "," : "",
		       (unsigned long long)q(lat, n, i == 0 ? 0 : i / 200.0));
	printf("\n");
	prefix();
	printf(" metric=throughput groups=%zu elapsed_ns=%llu failed=%u records=%u\n",
	       n, (unsigned long long)elapsed, total_fail, total_rec);
	return 0;
}
