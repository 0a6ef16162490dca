/*
 * libc.h - the few C library functions the firmware needs.
 *
 * There is no libc after ExitBootServices, so lib/libc.c provides these for
 * the EFI image; the host unit tests link the host's own (same prototypes).
 */
#ifndef LIB_LIBC_H
#define LIB_LIBC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* The value of hex digit @c, -1 if it is none (not libc: ours, for parsers). */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
