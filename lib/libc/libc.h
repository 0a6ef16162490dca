/*
 * libc.h - the few C library functions the firmware needs.
 *
 * There is no libc after ExitBootServices, so lib/libc/libc.c provides these for
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

/*
 * Ours, not libc (lib/libc/strnum.c, built for the firmware and the host): strtoul
 * without its traps. The digits at @s in @base (2..16; 0: decimal, or hex
 * after "0x"/"0X"), no sign, no blanks; *@end (if not NULL) is set after the
 * last digit. False when there is no digit or the value exceeds @max: an
 * overflow is an error, never a wrap-around or a saturated value. @out is
 * written only on success.
 */
bool str_to_u64(const char *s, unsigned int base, uint64_t max, uint64_t *out,
		const char **end);
/* The same, and the number must be the whole string. */
bool str_to_u64_all(const char *s, unsigned int base, uint64_t max, uint64_t *out);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
