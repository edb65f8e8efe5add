/* SPDX-License-Identifier: GPL-2.0 */
/* Shim: the event header is read once; linux/tracepoint.h did the work. */
