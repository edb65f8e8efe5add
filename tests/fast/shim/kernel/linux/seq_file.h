/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_SEQ_FILE_H
#define _SHIM_SEQ_FILE_H
#include <stddef.h>

struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	void *private;
};

void seq_puts(struct seq_file *m, const char *s);
void seq_printf(struct seq_file *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#endif
