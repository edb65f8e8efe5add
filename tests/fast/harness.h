/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test harness: expectations, completions, the case table. A case is a
 * function; a failed EXPECT marks it failed and goes on, a failed ASSERT
 * returns. Each message names the file, line and the expression that did
 * not hold, with both values for the _EQ forms.
 */
#ifndef _FAST_HARNESS_H
#define _FAST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

extern int case_failed;

#define FAIL_AT(fmt, ...) do {						\
		printf("    %s:%d: " fmt "\n", __FILE__, __LINE__,	\
		       ##__VA_ARGS__);					\
		case_failed = 1;					\
	} while (0)
#define EXPECT(c) do {							\
		if (!(c))						\
			FAIL_AT("expected %s", #c);			\
	} while (0)
#define EXPECT_MSG(c, fmt, ...) do {					\
		if (!(c))						\
			FAIL_AT("expected %s: " fmt, #c, ##__VA_ARGS__); \
	} while (0)
#define EXPECT_EQ(a, b) do {						\
		long long __a = (long long)(a), __b = (long long)(b);	\
		if (__a != __b)						\
			FAIL_AT("%s == %s: %lld != %lld", #a, #b, __a, __b); \
	} while (0)
#define ASSERT(c) do {							\
		if (!(c)) {						\
			FAIL_AT("assertion %s", #c);			\
			return;						\
		}							\
	} while (0)
#define ASSERT_EQ(a, b) do {						\
		long long __a = (long long)(a), __b = (long long)(b);	\
		if (__a != __b) {					\
			FAIL_AT("assertion %s == %s: %lld != %lld",	\
				#a, #b, __a, __b);			\
			return;						\
		}							\
	} while (0)

#define aread(p)	__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define aset(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define ainc(p)		__atomic_fetch_add((p), 1, __ATOMIC_SEQ_CST)
#define adec(p)		__atomic_fetch_sub((p), 1, __ATOMIC_SEQ_CST)

/* how long a test waits for something that must happen (a hang bound) */
#define WAIT_MS		10000

/* completions, as in the kernel */
struct completion {
	pthread_mutex_t m;
	pthread_cond_t c;
	int done;
};

void init_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);
/* false if @ms went by first */
bool wait_for_completion_timeout(struct completion *x, int ms);
void msleep(int ms);
long now_ms(void);
/* poll @cond every millisecond for up to WAIT_MS; the value of @cond */
#define wait_until(cond) ({						\
		long __end = now_ms() + WAIT_MS;			\
		while (!(cond) && now_ms() < __end)			\
			msleep(1);					\
		(cond);							\
	})

/* FAST_RACE_MS: how long each storm runs */
extern int race_ms;

#endif
