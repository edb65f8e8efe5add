/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for lib/kfifo.c's scatterlist helpers, which nothing here calls. */
#ifndef _SHIM_SCATTERLIST_H
#define _SHIM_SCATTERLIST_H
#include <linux/types.h>
struct scatterlist {
	void *buf;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
};
#define sg_dma_address(sg)	((sg)->dma_address)
#define sg_dma_len(sg)		((sg)->dma_length)
static inline void sg_set_buf(struct scatterlist *sg, const void *buf,
			      unsigned int len)
{
	sg->buf = (void *)buf;
	sg->length = len;
}
#endif
