// SPDX-License-Identifier: GPL-2.0
/*
 * iopf-bench-user: drive the iopf_bench module from user space.
 *
 * Opens /dev/iopf_bench (which binds the mock device to this process's mm
 * with iommu_sva_bind_device()), maps a buffer, puts its pages in the state
 * the mode asks for, and has the module's PRQ threads send one page request
 * per page through iommu_report_device_fault(). After warm-up rounds, the
 * timed rounds' per-group latencies (last request reported -> page
 * response) are fetched from the module and printed as guest/lib.sh
 * "@@RESULT key=value" lines.
 *
 * Modes:
 *   success        not-present pages (MADV_DONTNEED before every round)
 *   present        pages already present: a spurious fault
 *   fail-ro        write request to PROT_READ pages (access fault)
 *   fail-novma     addresses with no VMA
 *   fail-nohandler a PASID with no handler: the core answers INVALID
 *   mixed          success pages with a share (-f PCT) of fail-ro pages
 *   enqueue        time __iopf_report_failure() itself (RID-slot kernel),
 *                  with the consumer as it comes (-E free, bursts of -b),
 *                  idle before each call (-E idle) or held (-E pending)
 *   isolation      a neighbour registration's callback sleeps -K ms while
 *                  the mock device's failures are delivered (RID-slot)
 *
 *   info           what the module offers, one line
 *
 * -M 1 turns the fncount plugin's region on around every timed round
 * (QEMU with qemu/plugins/fncount/; an ordinary NOP elsewhere).
 *
 * Build: gcc -static -O2 -o iopf-bench-user iopf-bench-user.c -lm
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <getopt.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "iopf_bench.h"
#if __has_include("fncount-marker.h")
#include "fncount-marker.h"
#else
static inline void fncount_region_on(void) { }
static inline void fncount_region_off(void) { }
#endif

typedef __u64 u64;
typedef __u32 u32;

#define PAGE 4096UL

static const char *const modes[] = {
	"success", "present", "fail-ro", "fail-novma", "fail-nohandler",
	"mixed", "enqueue", "isolation", "info", NULL
};

static const char *const states[] = { "free", "idle", "pending", NULL };

enum {
	M_SUCCESS, M_PRESENT, M_FAIL_RO, M_FAIL_NOVMA, M_FAIL_NOHANDLER,
	M_MIXED, M_ENQUEUE, M_ISOLATION, M_INFO
};

struct opts {
	int mode;
	unsigned int pages, group, warmup, rounds, fail_pct, cpu;
	unsigned int state, batch, block_ms, mark;
	struct iopf_bench_setup setup;
	const char *tag;
};

struct samples {
	u64 *v;
	size_t n, cap;
};

static int fd;

static void die(const char *what)
{
	fprintf(stderr, "iopf-bench-user: %s: %s\n", what, strerror(errno));
	printf("@@RESULT bench=iopf error=%s errno=%d\n", what, errno);
	exit(1);
}

static void add(struct samples *s, const u64 *v, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("realloc");
	}
	memcpy(s->v + s->n, v, n * sizeof(*v));
	s->n += n;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* nearest-rank quantile of sorted @s */
static u64 q(const struct samples *s, double p)
{
	size_t i = (size_t)(p * s->n + 0.999999);

	if (i)
		i--;
	if (i >= s->n)
		i = s->n - 1;
	return s->v[i];
}

static void fetch(unsigned int kind, u32 n, struct samples *s)
{
	u64 *buf = calloc(n ? n : 1, sizeof(*buf));
	struct iopf_bench_samples a = {
		.kind = kind, .max = n, .buf = (uintptr_t)buf,
	};

	if (!buf)
		die("calloc");
	if (ioctl(fd, IOPF_BENCH_SAMPLES, &a))
		die("IOPF_BENCH_SAMPLES");
	add(s, buf, a.count);
	free(buf);
}

static void print_prefix(const struct opts *o)
{
	printf("@@RESULT bench=iopf tag=%s mode=%s group=%u notify=%u rids=%u nbase=%#x cb_us=%u cb_sleep=%u defer=%u",
	       o->tag, modes[o->mode], o->group, o->setup.notify,
	       o->setup.nr_neighbours, o->setup.neighbour_rid,
	       o->setup.cb_cost_us, o->setup.cb_sleep, o->setup.defer);
	if (o->mode == M_ENQUEUE)
		printf(" state=%s batch=%u", states[o->state], o->batch);
	if (o->mode == M_ISOLATION)
		printf(" block_ms=%u", o->block_ms);
}

/* One line of quantiles, one of the CDF (0.5% steps); empty is an error */
static int report(const struct opts *o, const char *metric,
		  struct samples *s)
{
	long double sum = 0;
	size_t i;

	if (!s->n) {
		print_prefix(o);
		printf(" metric=%s error=no_samples\n", metric);
		return 1;
	}
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	print_prefix(o);
	printf(" metric=%s n=%zu min=%llu p50=%llu p90=%llu p99=%llu",
	       metric, s->n, (unsigned long long)s->v[0],
	       (unsigned long long)q(s, 0.5), (unsigned long long)q(s, 0.9),
	       (unsigned long long)q(s, 0.99));
	printf(" p999=%llu max=%llu mean=%.1Lf\n",
	       (unsigned long long)q(s, 0.999),
	       (unsigned long long)s->v[s->n - 1], sum / s->n);
	print_prefix(o);
	printf(" metric=%s_cdf q=", metric);
	for (i = 0; i <= 200; i++)
		printf("%s%llu", i ? "," : "",
		       (unsigned long long)q(s, i == 0 ? 0 : i / 200.0));
	printf("\n");
	return 0;
}

/*
 * The counters of the mock device's registration, from the notifier's
 * debugfs (CONFIG_IOMMU_DEBUGFS): the file whose "rids:" line is @rid.
 * Read before the file goes with the registration (close).
 */
static void report_counters(const struct opts *o, u32 rid)
{
	static const char dir[] = "/sys/kernel/debug/iommu/iopf_notify";
	unsigned long gen = 0, del = 0, ovf = 0, ring = 0;
	char path[512], line[256], want[32];
	struct dirent *e;
	int found = 0;
	DIR *d = opendir(dir);
	FILE *f;

	if (!d)
		return;
	snprintf(want, sizeof(want), "rids: %#x\n", rid);
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && !strcmp(line, want)) {
			found = 1;
			while (fgets(line, sizeof(line), f)) {
				sscanf(line, "ring: %lu", &ring);
				sscanf(line, "generated: %lu", &gen);
				sscanf(line, "delivered: %lu", &del);
				sscanf(line, "overflow: %lu", &ovf);
			}
		}
		fclose(f);
	}
	closedir(d);
	if (!found)
		return;
	print_prefix(o);
	printf(" metric=counters ring=%lu generated=%lu delivered=%lu overflow=%lu\n",
	       ring, gen, del, ovf);
}

static u32 rnd_state = 12345;

static u32 rnd(void)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return rnd_state >> 8;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: iopf-bench-user -m MODE [-n PAGES] [-g GROUP] [-w WARMUP] [-r ROUNDS]\n"
		"       [-f FAIL_PCT] [-c CPU] [-N NOTIFY] [-R NEIGHBOUR_RIDS] [-B FIRST_RID]\n"
		"       [-C CB_US] [-S CB_SLEEP] [-D DEFER] [-E free|idle|pending] [-b BATCH]\n"
		"       [-K BLOCK_MS] [-M MARK] [-t TAG]\n"
		"modes: success present fail-ro fail-novma fail-nohandler mixed enqueue isolation\n");
	exit(2);
}

static unsigned int num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > 100000000UL)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.mode = -1, .pages = 256, .group = 1, .warmup = 3, .rounds = 10,
		.fail_pct = 10, .tag = "-", .batch = 64, .block_ms = 500,
	};
	struct samples lat = {}, cost = {}, cb = {}, enq = {}, nul = {};
	u64 *reqs, total_ns = 0, total_groups = 0, total_pages = 0;
	u64 total_cb = 0, total_failed = 0;
	char *rw, *ro, *novma;
	struct iopf_bench_info info;
	unsigned int i, r, nfail = 0;
	cpu_set_t set;
	int c, err = 0;

	while ((c = getopt(argc, argv, "m:n:g:w:r:f:c:N:R:B:C:S:D:E:b:K:M:t:")) != -1) {
		switch (c) {
		case 'm':
			for (i = 0; modes[i]; i++)
				if (!strcmp(optarg, modes[i]))
					o.mode = i;
			break;
		case 'n':
			o.pages = num(optarg);
			break;
		case 'g':
			o.group = num(optarg);
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
		case 'c':
			o.cpu = num(optarg);
			break;
		case 'N':
			o.setup.notify = num(optarg);
			break;
		case 'R':
			o.setup.nr_neighbours = num(optarg);
			break;
		case 'B':
			o.setup.neighbour_rid = num(optarg);
			break;
		case 'C':
			o.setup.cb_cost_us = num(optarg);
			break;
		case 'D':
			o.setup.defer = num(optarg);
			break;
		case 'E':
			o.state = ~0u;
			for (i = 0; states[i]; i++)
				if (!strcmp(optarg, states[i]))
					o.state = i;
			if (o.state == ~0u)
				usage();
			break;
		case 'b':
			o.batch = num(optarg);
			break;
		case 'K':
			o.block_ms = num(optarg);
			break;
		case 'M':
			o.mark = num(optarg);
			break;
		case 'S':
			o.setup.cb_sleep = num(optarg);
			break;
		case 't':
			o.tag = optarg;
			break;
		default:
			usage();
		}
	}
	if (o.mode < 0 || !o.pages || !o.group || !o.rounds || o.fail_pct > 100 ||
	    !o.batch || o.mark > 1)
		usage();
	if (o.mode == M_FAIL_NOHANDLER)
		o.group = 1;

	CPU_ZERO(&set);
	CPU_SET(o.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");

	fd = open("/dev/iopf_bench", O_RDWR);
	if (fd < 0)
		die("open /dev/iopf_bench");
	if (ioctl(fd, IOPF_BENCH_INFO, &info))
		die("IOPF_BENCH_INFO");
	if (o.mode == M_INFO) {
		printf("@@RESULT bench=iopf tag=%s metric=info design=%u rid=%#x nr_threads=%u record_size=%u cpus=%ld\n",
		       o.tag, info.design, info.rid, info.nr_threads,
		       info.record_size, sysconf(_SC_NPROCESSORS_CONF));
		return 0;
	}
	if (ioctl(fd, IOPF_BENCH_SETUP, &o.setup))
		die("IOPF_BENCH_SETUP");

	if (o.mode == M_ISOLATION) {
		struct iopf_bench_isolation is = {
			.block_ms = o.block_ms, .tries = o.pages,
		};

		if (ioctl(fd, IOPF_BENCH_ISOLATION, &is))
			die("IOPF_BENCH_ISOLATION");
		print_prefix(&o);
		printf(" metric=isolation tries=%u max_delay_ns=%llu unregister_ns=%llu\n",
		       is.tries, (unsigned long long)is.max_delay_ns,
		       (unsigned long long)is.unregister_ns);
		return 0;
	}

	if (o.mode == M_ENQUEUE) {
		struct iopf_bench_enqueue e = {
			.nr = o.pages, .batch = o.batch, .state = o.state,
		};
		u32 n;

		for (r = 0; r < o.warmup + o.rounds; r++) {
			e.mark = o.mark && r >= o.warmup;
			if (ioctl(fd, IOPF_BENCH_ENQUEUE, &e))
				die("IOPF_BENCH_ENQUEUE");
			if (ioctl(fd, IOPF_BENCH_DRAIN, &n))
				die("IOPF_BENCH_DRAIN");
			if (r < o.warmup)
				continue;
			fetch(IOPF_BENCH_S_ENQUEUE, e.nr, &enq);
			fetch(IOPF_BENCH_S_NULL, e.nr, &nul);
			fetch(IOPF_BENCH_S_CALLBACK, n, &cb);
		}
		report_counters(&o, info.rid);
		err |= report(&o, "enqueue_ns", &enq);
		err |= report(&o, "null_ns", &nul);
		err |= report(&o, "callback_ns", &cb);
		return err;
	}

	reqs = calloc(o.pages, sizeof(*reqs));
	rw = mmap(NULL, o.pages * PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, o.pages * PAGE, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	novma = mmap(NULL, o.pages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!reqs || rw == MAP_FAILED || ro == MAP_FAILED || novma == MAP_FAILED)
		die("mmap");
	if (munmap(novma, o.pages * PAGE))
		die("munmap");
	if (o.mode == M_PRESENT)
		memset(rw, 1, o.pages * PAGE);

	for (i = 0; i < o.pages; i++) {
		u64 a = (uintptr_t)(rw + i * PAGE);
		u64 f = IOPF_BENCH_PERM_READ | IOPF_BENCH_PERM_WRITE;

		switch (o.mode) {
		case M_FAIL_RO:
			a = (uintptr_t)(ro + i * PAGE);
			nfail++;
			break;
		case M_FAIL_NOVMA:
			a = (uintptr_t)(novma + i * PAGE);
			nfail++;
			break;
		case M_FAIL_NOHANDLER:
			f |= IOPF_BENCH_BAD_PASID;
			nfail++;
			break;
		case M_MIXED:
			if (rnd() % 100 < o.fail_pct) {
				a = (uintptr_t)(ro + i * PAGE);
				nfail++;
			}
			break;
		}
		reqs[i] = a | f;
	}

	for (r = 0; r < o.warmup + o.rounds; r++) {
		struct iopf_bench_run run = {
			.pages = (uintptr_t)reqs, .nr_pages = o.pages,
			.group = o.group, .mark = o.mark && r >= o.warmup,
		};
		u32 n;

		if (o.mode != M_PRESENT && madvise(rw, o.pages * PAGE, MADV_DONTNEED))
			die("madvise");
		if (ioctl(fd, IOPF_BENCH_RUN, &run))
			die("IOPF_BENCH_RUN");
		if (ioctl(fd, IOPF_BENCH_DRAIN, &n))
			die("IOPF_BENCH_DRAIN");
		/* Every answer must be the one the mode asks for */
		if ((o.mode == M_SUCCESS || o.mode == M_PRESENT) && run.nr_failed) {
			print_prefix(&o);
			printf(" error=unexpected_failures failed=%u\n", run.nr_failed);
			return 1;
		}
		if (nfail == o.pages && run.nr_success) {
			print_prefix(&o);
			printf(" error=unexpected_success success=%u\n", run.nr_success);
			return 1;
		}
		if (o.mode == M_MIXED && o.group == 1 && run.nr_failed != nfail) {
			print_prefix(&o);
			printf(" error=wrong_failure_count failed=%u expected=%u\n",
			       run.nr_failed, nfail);
			return 1;
		}
		if (r < o.warmup)
			continue;
		fetch(IOPF_BENCH_S_LATENCY, run.nr_groups, &lat);
		fetch(IOPF_BENCH_S_REPORT, run.nr_groups, &cost);
		if (o.setup.notify && nfail && info.design == IOPF_BENCH_D_RIDSLOT)
			fetch(IOPF_BENCH_S_CALLBACK, n, &cb);
		total_cb += n;
		total_failed += run.nr_failed;
		total_ns += run.elapsed_ns;
		total_groups += run.nr_groups;
		total_pages += o.pages;
	}

	if (o.setup.notify && info.design == IOPF_BENCH_D_RIDSLOT)
		report_counters(&o, info.rid);
	err |= report(&o, "latency_ns", &lat);
	err |= report(&o, "report_ns", &cost);
	/* a design that cannot see a failure (domain hook, no handler) has none */
	if (o.setup.notify && nfail && cb.n)
		err |= report(&o, "callback_ns", &cb);
	print_prefix(&o);
	printf(" metric=throughput pages=%llu groups=%llu elapsed_ns=%llu",
	       (unsigned long long)total_pages,
	       (unsigned long long)total_groups,
	       (unsigned long long)total_ns);
	printf(" faults_per_s=%.0f ns_per_fault=%.1f failed_per_round=%u",
	       total_ns ? total_pages * 1e9 / total_ns : 0.0,
	       total_pages ? (double)total_ns / total_pages : 0.0, nfail);
	printf(" failed_groups=%llu callbacks=%llu\n",
	       (unsigned long long)total_failed, (unsigned long long)total_cb);
	return err;
}
