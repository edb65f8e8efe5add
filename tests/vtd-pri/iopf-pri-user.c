// SPDX-License-Identifier: GPL-2.0
/*
 * iopf-pri-user: drives /dev/iopf-pri-test (iopf_pri_test.ko) for the VT-d
 * page request tests (guest/jobs/vtd.sh). Test-only, static, for the
 * busybox guest.
 *
 *   iopf-pri-user info         print the bond's PASID, the device's RID
 *                              and whether failure records are delivered
 *   iopf-pri-user CASE         run one case, assert, exit 0 when it passed
 *
 * A case makes the device send one page request group, waits for the
 * device's record of the Page Group Response and checks its code; after a
 * Success it checks that the device's access (ATS translation, then DMA
 * under the PASID) found the page. On a kernel with the failure notifier
 * it also checks that each failure was delivered to the driver exactly
 * once, with the device's RID, the PASID, address, access and code, and
 * that a success was not delivered. Without the notifier those checks are
 * skipped, and the output says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iopf-pri-test.h"

#define PAGE		4096UL
#define DEV		"/dev/iopf-pri-test"
#define WAIT_MS		10000
/* after the expected records: how long a duplicate has to show up */
#define SETTLE_MS	500
#define MAX_RECORDS	64

/* the kernel's values (include/linux/iommu.h, include/linux/iopf-notify.h) */
#define PERM_READ	(1 << 0)
#define PERM_WRITE	(1 << 1)
#define PERM_EXEC	(1 << 2)
#define PERM_PRIV	(1 << 3)
#define FLAG_PASID_VALID (1 << 0)
#define FLAG_LAST_PAGE	(1 << 1)
#define RESP_SUCCESS	0
#define RESP_INVALID	1
#define SRC_RESPONSE	0
#define SRC_NO_HANDLER	2
#define SRC_REJECTED	3
#define SRC_ANY		0xffff

static int fd = -1;
static struct iopf_pri_info info;
static int failed;
static unsigned int next_prgi = 1;

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	failed = 1;
}

static void *map_pages(unsigned long n, int prot)
{
	void *p = mmap(NULL, n * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return p;
}

/* what a case expects of its one group */
struct expect {
	uint64_t addr;		/* first page of the group */
	unsigned int count;
	unsigned int flags;	/* IOPF_PRI_* */
	unsigned int pasid_mode;
	uint32_t pasid;		/* for IOPF_PRI_PASID_EXPLICIT */
	uint64_t pattern;
	int code;		/* IOPF_PRI_RC_* the device must get */
	/*
	 * Page responses the group gets: 1 (PCIe answers a group once;
	 * pristine 7.2 answered every request of a group without handler,
	 * fixed by patches/fixes/0001); the device counts extra ones as stray.
	 */
	unsigned int responses;
	/* the failure record, when code is not Success */
	uint64_t fail_addr;
	uint32_t fail_perm;
	uint16_t fail_code;
	uint16_t fail_source;	/* SRC_ANY: not checked */
};

static int submit(const struct expect *x, struct iopf_pri_submit *s)
{
	memset(s, 0, sizeof(*s));
	s->addr = x->addr;
	s->count = x->count;
	s->flags = x->flags;
	s->pasid_mode = x->pasid_mode;
	s->pasid = x->pasid;
	s->pattern = x->pattern;
	s->prgi = next_prgi++ % 512;
	if (ioctl(fd, IOPF_PRI_SUBMIT, s)) {
		fail("IOPF_PRI_SUBMIT: %s", strerror(errno));
		return -1;
	}
	printf("submitted seq=%u prgi=%u addr=%#" PRIx64 " pages=%u flags=%#x pasid_mode=%u submit_err=%d\n",
	       s->seq, s->prgi, x->addr, x->count, x->flags, x->pasid_mode,
	       s->submit_err);
	if (s->submit_err) {
		fail("the device could not send the page requests (errno %d): PRI, PASID or bus mastering not enabled?",
		     s->submit_err);
		return -1;
	}
	return 0;
}

static int wait_response(const struct iopf_pri_submit *s,
			 struct iopf_pri_result *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = s->seq;
	r->timeout_ms = WAIT_MS;
	if (ioctl(fd, IOPF_PRI_WAIT, r)) {
		fail("no page response for seq %u: %s", s->seq, strerror(errno));
		return -1;
	}
	printf("response seq=%u code=%#x access=%u pages_ok=%u latency_ns=%llu data=%#llx\n",
	       s->seq, r->code, r->access, r->pages_ok,
	       (unsigned long long)r->latency, (unsigned long long)r->data);
	return 0;
}

/* take records: at least min within WAIT_MS, then whatever else comes */
static int take_records(struct iopf_pri_failure *rec, unsigned int min,
			unsigned int timeout_ms)
{
	struct iopf_pri_failures f = {
		.records = (uintptr_t)rec,
		.max = MAX_RECORDS,
		.min = min,
		.timeout_ms = timeout_ms,
	};

	if (ioctl(fd, IOPF_PRI_FAILURES, &f)) {
		fail("IOPF_PRI_FAILURES: %s", strerror(errno));
		return -1;
	}
	if (f.dropped)
		fail("the driver dropped %u failure records", f.dropped);
	return f.count;
}

static void print_record(const struct iopf_pri_failure *r)
{
	printf("record rid=%02x:%02x.%x pasid=%#x addr=%#llx grpid=%u perm=%#x flags=%#x code=%u source=%u\n",
	       r->rid >> 8, (r->rid >> 3) & 0x1f, r->rid & 7, r->pasid,
	       (unsigned long long)r->addr, r->grpid, r->perm, r->flags, r->code, r->source);
}

/* one record against the group; @seen: pages already recorded */
static void check_record(const struct expect *x,
			 const struct iopf_pri_submit *s,
			 const struct iopf_pri_failure *r, uint32_t pasid,
			 uint64_t *seen)
{
	uint64_t page = (r->addr - x->addr) / PAGE;
	bool last;

	if (r->rid != info.rid)
		fail("record rid %#x, the device is %#x", r->rid, info.rid);
	if (x->responses == 1 && r->addr != x->fail_addr)
		fail("record addr %#" PRIx64 ", expected %#" PRIx64,
		     (uint64_t)r->addr, x->fail_addr);
	if (x->responses > 1) {
		/* one record per answered request, each page once */
		if (r->addr < x->addr || page >= x->count ||
		    (*seen & (1ULL << page)))
			fail("record addr %#" PRIx64 ": not a page of the group, or twice",
			     (uint64_t)r->addr);
		else
			*seen |= 1ULL << page;
	}
	if (r->perm != x->fail_perm)
		fail("record perm %#x, expected %#x", r->perm, x->fail_perm);
	if (r->code != x->fail_code)
		fail("record code %u, expected %u", r->code, x->fail_code);
	if (x->fail_source != SRC_ANY && r->source != x->fail_source)
		fail("record source %u, expected %u", r->source, x->fail_source);
	if (r->grpid != s->prgi)
		fail("record grpid %u, expected %u", r->grpid, s->prgi);
	last = r->addr == x->addr + (x->count - 1) * PAGE;
	if (!(r->flags & FLAG_LAST_PAGE) != !last)
		fail("record flags %#x: last-page flag wrong", r->flags);
	if (x->pasid_mode == IOPF_PRI_PASID_NONE) {
		if (r->flags & FLAG_PASID_VALID)
			fail("record of a request without PASID has PASID_VALID");
		return;
	}
	if (!(r->flags & FLAG_PASID_VALID) || r->pasid != pasid)
		fail("record pasid %#x flags %#x, expected pasid %#x",
		     r->pasid, r->flags, pasid);
}

static void check_delivery(const struct expect *x,
			   const struct iopf_pri_submit *s)
{
	struct iopf_pri_failure rec[MAX_RECORDS];
	unsigned int want = x->code == IOPF_PRI_RC_SUCCESS ? 0 : x->responses;
	uint64_t seen = 0;
	uint32_t pasid;
	int n, more;

	if (!info.notify) {
		printf("delivery checks skipped: this kernel has no failure notifier\n");
		return;
	}
	n = take_records(rec, want, want ? WAIT_MS : SETTLE_MS);
	if (n < 0)
		return;
	/* a second record for the same failure would come meanwhile */
	more = take_records(rec + n, 1, SETTLE_MS);
	if (more < 0)
		return;
	n += more;
	for (int i = 0; i < n; i++)
		print_record(&rec[i]);
	if ((unsigned int)n != want) {
		fail("%d failure records delivered, expected %u", n, want);
		return;
	}
	if (!want) {
		printf("success not delivered: ok\n");
		return;
	}
	pasid = x->pasid_mode == IOPF_PRI_PASID_BOUND ? info.pasid : x->pasid;
	for (int i = 0; i < n; i++)
		check_record(x, s, &rec[i], pasid, &seen);
}

/* one group: submit, response code, delivery */
static void run(const struct expect *x, struct iopf_pri_result *r)
{
	struct iopf_pri_submit s;
	struct iopf_pri_info now;

	if (submit(x, &s) || wait_response(&s, r))
		return;
	if ((int)r->code != x->code)
		fail("response code %#x, expected %#x", r->code, x->code);
	check_delivery(x, &s);
	/* responses beyond the first: the device counts them as stray */
	for (int ms = 0; ; ms += 10) {
		if (ioctl(fd, IOPF_PRI_INFO, &now)) {
			fail("IOPF_PRI_INFO: %s", strerror(errno));
			return;
		}
		if (now.stray >= x->responses - 1 || ms >= WAIT_MS)
			break;
		usleep(10000);
	}
	if (x->responses == 1)
		usleep(SETTLE_MS * 1000);	/* room for a duplicate */
	if (ioctl(fd, IOPF_PRI_INFO, &now)) {
		fail("IOPF_PRI_INFO: %s", strerror(errno));
		return;
	}
	printf("page responses for the group: %u\n", now.stray + 1);
	if (now.stray != x->responses - 1)
		fail("the device got %u page responses for one group, expected %u",
		     now.stray + 1, x->responses);
}

static unsigned int perm_of(unsigned int flags)
{
	return (flags & IOPF_PRI_READ ? PERM_READ : 0) |
	       (flags & IOPF_PRI_WRITE ? PERM_WRITE : 0) |
	       (flags & IOPF_PRI_EXEC ? PERM_EXEC : 0) |
	       (flags & IOPF_PRI_PRIV ? PERM_PRIV : 0);
}

static struct expect failing(uint64_t addr, unsigned int count,
			     unsigned int flags, unsigned int bad_page,
			     uint16_t source)
{
	struct expect x = {
		.addr = addr,
		.count = count,
		.flags = flags,
		.code = IOPF_PRI_RC_INVALID,
		.responses = 1,
		.fail_addr = addr + bad_page * PAGE,
		.fail_perm = perm_of(flags),
		.fail_code = RESP_INVALID,
		.fail_source = source,
	};
	return x;
}

/* write to untouched pages: faulted in, then the device writes them */
static void case_success(unsigned int count)
{
	volatile uint64_t *p = map_pages(count, PROT_READ | PROT_WRITE);
	struct expect x = {
		.addr = (uintptr_t)p,
		.count = count,
		.flags = IOPF_PRI_READ | IOPF_PRI_WRITE | IOPF_PRI_ACCESS,
		.pattern = 0x10f0000000000000ULL | (uintptr_t)p,
		.code = IOPF_PRI_RC_SUCCESS,
		.responses = 1,
	};
	struct iopf_pri_result r;

	run(&x, &r);
	if (failed)
		return;
	if (r.access != IOPF_PRI_ACC_OK || r.pages_ok != count)
		fail("device access after success: result %u, %u of %u pages",
		     r.access, r.pages_ok, count);
	for (unsigned int i = 0; i < count; i++) {
		uint64_t v = p[i * PAGE / sizeof(*p)];

		if (v != x.pattern + i)
			fail("page %u holds %#" PRIx64 ", the device wrote %#" PRIx64,
			     i, v, (uint64_t)(x.pattern + i));
	}
	if (!failed)
		printf("device wrote %u pages through the PASID: ok\n", count);
}

/* read a page the process wrote: the device reads what the process wrote */
static void case_success_read(void)
{
	uint64_t *p = map_pages(1, PROT_READ | PROT_WRITE);
	struct expect x = {
		.addr = (uintptr_t)p,
		.count = 1,
		.flags = IOPF_PRI_READ | IOPF_PRI_ACCESS,
		.code = IOPF_PRI_RC_SUCCESS,
		.responses = 1,
	};
	struct iopf_pri_result r;

	*p = 0x5eed0000cafe0000ULL ^ (uintptr_t)p;
	run(&x, &r);
	if (failed)
		return;
	if (r.access != IOPF_PRI_ACC_OK || r.data != *p)
		fail("device read %#" PRIx64 " (access %u), the page holds %#" PRIx64,
		     (uint64_t)r.data, r.access, *p);
	else
		printf("device read the process's value: ok\n");
}

/* write to a read-only mapping; in a group, the first failing page counts */
static void case_ro_write(unsigned int count)
{
	char *p = map_pages(count, PROT_READ | PROT_WRITE);
	unsigned int bad = count > 1 ? count / 2 : 0;
	struct expect x;
	struct iopf_pri_result r;

	if (mprotect(p + bad * PAGE, (count - bad) * PAGE, PROT_READ)) {
		perror("mprotect");
		exit(2);
	}
	x = failing((uintptr_t)p, count, IOPF_PRI_WRITE, bad, SRC_RESPONSE);
	run(&x, &r);
}

/* no VMA: the group's tail is unmapped */
static void case_no_vma(unsigned int count)
{
	char *p = map_pages(count, PROT_READ | PROT_WRITE);
	unsigned int bad = count > 1 ? count / 2 : 0;
	struct expect x;
	struct iopf_pri_result r;

	if (munmap(p + bad * PAGE, (count - bad) * PAGE)) {
		perror("munmap");
		exit(2);
	}
	x = failing((uintptr_t)p, count, IOPF_PRI_READ, bad, SRC_RESPONSE);
	run(&x, &r);
}

/*
 * A PASID no domain is attached to: the core answers INVALID, once per
 * group, to its last request (pristine 7.2 answered each request of the
 * group: patches/fixes/0001), and that answer is the one failure, delivered
 * once, naming the last request.
 */
static void case_unbound_pasid(unsigned int count)
{
	char *p = map_pages(count, PROT_READ | PROT_WRITE);
	struct expect x = failing((uintptr_t)p, count, IOPF_PRI_READ,
				  count - 1, SRC_NO_HANDLER);
	struct iopf_pri_result r;

	x.pasid_mode = IOPF_PRI_PASID_EXPLICIT;
	x.pasid = info.pasid + 0x100;
	run(&x, &r);
}

/* a request without PASID: no SVA domain, the core answers INVALID */
static void case_no_pasid(void)
{
	char *p = map_pages(1, PROT_READ | PROT_WRITE);
	struct expect x = failing((uintptr_t)p, 1, IOPF_PRI_READ, 0, SRC_ANY);
	struct iopf_pri_result r;

	x.pasid_mode = IOPF_PRI_PASID_NONE;
	run(&x, &r);
}

/*
 * Requests VT-d's prq_event_thread() rejects in handle_bad_prq_event():
 * only the last request of a group is answered (INVALID), so only it is
 * delivered. Non-canonical: the group starts at bit 47.
 */
static void case_bad(const char *what, unsigned int count)
{
	uint64_t addr = 1ULL << 47;
	unsigned int flags = IOPF_PRI_READ;
	struct expect x;
	struct iopf_pri_result r;

	if (!strcmp(what, "priv")) {
		addr = (uintptr_t)map_pages(count, PROT_READ | PROT_WRITE);
		flags |= IOPF_PRI_PRIV;
	} else if (!strcmp(what, "exec")) {
		addr = (uintptr_t)map_pages(count, PROT_READ | PROT_EXEC);
		flags |= IOPF_PRI_EXEC;
	}
	x = failing(addr, count, flags, count - 1, SRC_REJECTED);
	run(&x, &r);
}

/*
 * A group whose last request VT-d rejects (non-canonical) after a first
 * request the core kept as a partial fault, then a good group with the
 * same index. PCIe: the first group is over once answered, so the second
 * must succeed. Pristine 7.2 left the first request on the device's
 * partial list (handle_bad_prq_event() answered without telling the fault
 * core) and iopf_group_alloc() took it into the second group, which failed
 * on it; patches/fixes/0002 drops it.
 */
static void case_stale_partial(void)
{
	uint64_t *p = map_pages(1, PROT_READ | PROT_WRITE);
	struct expect a = failing((1ULL << 47) - PAGE, 2, IOPF_PRI_READ, 1,
				  SRC_REJECTED);
	struct expect b = {
		.addr = (uintptr_t)p,
		.count = 1,
		.flags = IOPF_PRI_READ | IOPF_PRI_ACCESS,
		.code = IOPF_PRI_RC_SUCCESS,
		.responses = 1,
	};
	struct iopf_pri_result r;

	*p = 1;
	next_prgi = 77;
	run(&a, &r);
	next_prgi = 77;
	run(&b, &r);
}

static const char *const cases[] = {
	"success", "success-group", "success-read", "ro-write", "ro-write-group",
	"no-vma", "no-vma-group", "unbound-pasid", "unbound-pasid-group",
	"no-pasid", "noncanonical", "noncanonical-group", "priv", "exec",
	"stale-partial", NULL
};

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		printf("FAIL: open %s: %s (is iopf_pri_test.ko loaded, and did SVA bind? see dmesg)\n",
		       DEV, strerror(errno));
		return 1;
	}
	if (ioctl(fd, IOPF_PRI_INFO, &info)) {
		printf("FAIL: IOPF_PRI_INFO: %s\n", strerror(errno));
		return 1;
	}
	printf("bound pasid=%#x rid=%02x:%02x.%x notify=%u\n", info.pasid,
	       info.rid >> 8, (info.rid >> 3) & 0x1f, info.rid & 7, info.notify);

	if (!strcmp(c, "info"))
		return 0;
	else if (!strcmp(c, "success"))
		case_success(1);
	else if (!strcmp(c, "success-group"))
		case_success(4);
	else if (!strcmp(c, "success-read"))
		case_success_read();
	else if (!strcmp(c, "ro-write"))
		case_ro_write(1);
	else if (!strcmp(c, "ro-write-group"))
		case_ro_write(4);
	else if (!strcmp(c, "no-vma"))
		case_no_vma(1);
	else if (!strcmp(c, "no-vma-group"))
		case_no_vma(4);
	else if (!strcmp(c, "unbound-pasid"))
		case_unbound_pasid(1);
	else if (!strcmp(c, "unbound-pasid-group"))
		case_unbound_pasid(3);
	else if (!strcmp(c, "no-pasid"))
		case_no_pasid();
	else if (!strcmp(c, "noncanonical"))
		case_bad("noncanonical", 1);
	else if (!strcmp(c, "noncanonical-group"))
		case_bad("noncanonical", 3);
	else if (!strcmp(c, "priv"))
		case_bad("priv", 1);
	else if (!strcmp(c, "exec"))
		case_bad("exec", 1);
	else if (!strcmp(c, "stale-partial"))
		case_stale_partial();
	else {
		printf("usage: iopf-pri-user info|CASE; cases:");
		for (int i = 0; cases[i]; i++)
			printf(" %s", cases[i]);
		printf("\n");
		return 2;
	}
	printf("%s: %s\n", c, failed ? "FAIL" : "ok");
	return failed;
}
