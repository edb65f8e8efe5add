/* SPDX-License-Identifier: GPL-2.0 */
/* Shim for lib/kfifo.c's DMA helpers, which nothing here calls. */
#ifndef _SHIM_DMA_MAPPING_H
#define _SHIM_DMA_MAPPING_H
#include <linux/types.h>
#define DMA_MAPPING_ERROR	(~(dma_addr_t)0)
#endif
