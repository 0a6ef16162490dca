/*
 * printf.h - formatted output: %d %i %u %x %X %s %c %p %%, field width,
 * the '-', '0', '+', ' ' and '#' flags ('#': 0x before a nonzero %x, 0X
 * before %X, as C's), and the l / ll / z length modifiers.
 *
 * Hand-written because the firmware has no libc; the host unit tests build
 * these under other names (tests/unit/host_names.h) to keep clear of libc's.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(__printf__, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(__printf__, 3, 4)));
/* To the human console (COM1). */
int printf(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(__printf__, 1, 0)));

#endif
