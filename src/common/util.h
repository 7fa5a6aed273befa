/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by every module: container_of, ARRAY_SIZE, bounded
 * string copy. Header only.
 */
#ifndef DPU_COMMON_UTIL_H
#define DPU_COMMON_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef container_of /* DPDK's rte_common.h has an equivalent one */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#endif

#define DPU_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DPU_MAX(a, b) ((a) > (b) ? (a) : (b))

#define DPU_UNUSED __attribute__((unused))
#define DPU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define DPU_MUST_CHECK __attribute__((warn_unused_result))

/*
 * Copy 'src' into 'dst' of 'size' bytes, always NUL-terminated when size > 0.
 * Returns the length copied, or -E2BIG when 'src' did not fit (the copy is
 * then truncated).
 */
static inline ssize_t dpu_strscpy(char *dst, const char *src, size_t size)
{
	size_t i;

	if (size == 0) {
		return -E2BIG;
	}
	for (i = 0; i + 1 < size && src[i] != '\0'; i++) {
		dst[i] = src[i];
	}
	dst[i] = '\0';
	return src[i] == '\0' ? (ssize_t)i : -E2BIG;
}

/* The big-endian 32-bit word at p + off (device registers, command mailboxes). */
static inline uint32_t dpu_get_be32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 |
	       p[off + 3];
}

static inline void dpu_put_be32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)(v >> 24);
	p[off + 1] = (uint8_t)(v >> 16);
	p[off + 2] = (uint8_t)(v >> 8);
	p[off + 3] = (uint8_t)v;
}

/* Bits bit..bit+width-1 (0 = least significant) of the big-endian word at p + off. */
static inline uint32_t dpu_be32_field(const uint8_t *p, size_t off, unsigned int bit,
				      unsigned int width)
{
	uint32_t mask = width >= 32 ? UINT32_MAX : (1u << width) - 1;

	return (dpu_get_be32(p, off) >> bit) & mask;
}

static inline void dpu_be32_set_field(uint8_t *p, size_t off, unsigned int bit, unsigned int width,
				      uint32_t v)
{
	uint32_t mask = width >= 32 ? UINT32_MAX : (1u << width) - 1;
	uint32_t w = dpu_get_be32(p, off) & ~(mask << bit);

	dpu_put_be32(p, off, w | (v & mask) << bit);
}

/* The value of hexadecimal digit 'c', or -1. */
static inline int dpu_hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

#endif /* DPU_COMMON_UTIL_H */
