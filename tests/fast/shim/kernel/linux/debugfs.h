/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shim debugfs: files are kept in a list so a test can read one through its
 * show() function (DEFINE_SHOW_ATTRIBUTE).
 */
#ifndef _SHIM_DEBUGFS_H
#define _SHIM_DEBUGFS_H

#include <linux/seq_file.h>

struct dentry;

struct file_operations {
	int (*show)(struct seq_file *s, void *unused);
};

#define DEFINE_SHOW_ATTRIBUTE(__name)					\
	static const struct file_operations __name##_fops = {		\
		.show = __name##_show,					\
	}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops);
void debugfs_remove(struct dentry *dentry);
/* test helper: show() of the file @name into @buf; -ENOENT if absent */
int shim_debugfs_read(const char *name, char *buf, size_t size);

#endif
