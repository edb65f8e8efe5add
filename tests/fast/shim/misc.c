// SPDX-License-Identifier: GPL-2.0
/* kmalloc's size limit, dev_warn(), debugfs and seq_file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "shim.h"

void *shim_kmalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	p = malloc(size ? size : 1);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

static int warnings;

void shim_dev_warn(const struct device *dev, const char *fmt, ...)
{
	va_list ap;

	/* the storm releases devices by the hundred: print the first few */
	if (__atomic_fetch_add(&warnings, 1, __ATOMIC_SEQ_CST) >= 3)
		return;
	fprintf(stderr, "dev_warn: %s: ", dev ? dev->name : "(null)");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int shim_warnings(void)
{
	return __atomic_load_n(&warnings, __ATOMIC_SEQ_CST);
}

/* --- debugfs: files in a list, read through their show() --- */

struct dentry {
	struct dentry *next;
	char name[64];
	void *data;
	const struct file_operations *fops;
};

static pthread_mutex_t debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dentry *debugfs_files;
static struct dentry debugfs_dir, iommu_dir;
struct dentry *iommu_debugfs_dir = &iommu_dir;

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return &debugfs_dir;
}

struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->data = data;
	d->fops = fops;
	pthread_mutex_lock(&debugfs_lock);
	d->next = debugfs_files;
	debugfs_files = d;
	pthread_mutex_unlock(&debugfs_lock);
	return d;
}

void debugfs_remove(struct dentry *dentry)
{
	struct dentry **p;

	if (!dentry || dentry == &debugfs_dir)
		return;
	pthread_mutex_lock(&debugfs_lock);
	for (p = &debugfs_files; *p; p = &(*p)->next)
		if (*p == dentry) {
			*p = dentry->next;
			break;
		}
	pthread_mutex_unlock(&debugfs_lock);
	free(dentry);
}

int shim_debugfs_read(const char *name, char *buf, size_t size)
{
	struct seq_file s = { .buf = buf, .size = size };
	struct dentry *d;
	int ret = -ENOENT;

	buf[0] = 0;
	pthread_mutex_lock(&debugfs_lock);
	for (d = debugfs_files; d; d = d->next)
		if (!strcmp(d->name, name)) {
			s.private = d->data;
			ret = d->fops->show(&s, NULL);
			break;
		}
	pthread_mutex_unlock(&debugfs_lock);
	return ret;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->count >= m->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->count += n;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}
