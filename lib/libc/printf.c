/*
 * printf.c - vsnprintf and friends (see printf.h).
 *
 * Written here because the firmware runs without a C library once boot
 * services are gone. Output is truncated to the buffer, always terminated,
 * and the return value is the length the full output would have had.
 */
#include "console.h"
#include "libc.h"
#include "printf.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	int width;
	int precision;		/* -1: none (strings only) */
	bool left;
	bool zero;
	bool plus;
	bool space;
	bool alt;		/* '#': 0x / 0X before a nonzero %x / %X, as C's */
	int longs;		/* 0: int, 1: long, 2: long long, 3: size_t */
};

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

static void put_string(struct out *o, const char *s, const struct spec *sp)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->precision < 0 || len < sp->precision))
		len++;
	if (!sp->left)
		pad(o, sp->width - len, ' ');
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, sp->width - len, ' ');
}

static void put_number(struct out *o, unsigned long long v, bool negative,
		       unsigned int base, bool upper, const char *prefix,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = (int)strlen(prefix), sign = 0;
	char signch = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		signch = '-';
	else if (sp->plus)
		signch = '+';
	else if (sp->space)
		signch = ' ';
	sign = signch ? 1 : 0;

	int fill = sp->width - n - plen - sign;

	if (!sp->left && !sp->zero)
		pad(o, fill, ' ');
	if (signch)
		put(o, signch);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero)
		pad(o, fill, '0');
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, fill, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .precision = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->longs++;
		else if (*f == 'z')
			sp->longs = 3;
		else if (*f != 'h')
			break;
	}
	return f;
}

static unsigned long long arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->longs) {
	case 0:
		return va_arg(*ap, unsigned int);
	case 1:
		return va_arg(*ap, unsigned long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned long long);
	}
}

static long long arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->longs) {
	case 0:
		return va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	case 3:
		return (long long)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, long long);
	}
}

static void format_one(struct out *o, char conv, struct spec *sp, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		long long v = arg_signed(sp, ap);
		unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v
					       : (unsigned long long)v;

		put_number(o, mag, v < 0, 10, false, "", sp);
		break;
	}
	case 'u':
		put_number(o, arg_unsigned(sp, ap), false, 10, false, "", sp);
		break;
	case 'x':
	case 'X': {
		unsigned long long v = arg_unsigned(sp, ap);
		const char *prefix = !sp->alt || v == 0 ? "" : conv == 'X' ? "0X" : "0x";

		put_number(o, v, false, 16, conv == 'X', prefix, sp);
		break;
	}
	case 'p':
		put_number(o, (uintptr_t)va_arg(*ap, void *), false, 16, false,
			   "0x", sp);
		break;
	case 's':
		put_string(o, va_arg(*ap, const char *), sp);
		break;
	case 'c': {
		char c[2] = { (char)va_arg(*ap, int), 0 };

		put_string(o, c, sp);
		break;
	}
	case '%':
		put(o, '%');
		break;
	default:		/* unknown conversion: show it, don't guess */
		put(o, '%');
		if (conv)
			put(o, conv);
		break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		format_one(&o, *fmt, &sp, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	console_write(buf, n < (int)sizeof(buf) ? (unsigned long)n : sizeof(buf) - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
