/*
 * strnum.c - the one number parser (see libc.h): every parameter, script
 * word, PCI address and protocol field is read through it, so they all
 * refuse the same things (no digits, overflow, a stray character).
 */
#include "libc.h"

bool str_to_u64(const char *s, unsigned int base, uint64_t max, uint64_t *out,
		const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if (base == 0) {
		base = 10;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			base = 16;
			p += 2;
		}
	}
	if (base < 2 || base > 16)
		return false;
	for (s = p; hex_digit(*p) >= 0 && (unsigned int)hex_digit(*p) < base; p++) {
		unsigned int d = (unsigned int)hex_digit(*p);

		/* v * base + d > max, without computing it (it might wrap). */
		if (v > (max - d) / base || d > max)
			return false;
		v = v * base + d;
	}
	if (p == s)
		return false;
	*out = v;
	if (end)
		*end = p;
	return true;
}

bool str_to_u64_all(const char *s, unsigned int base, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (!str_to_u64(s, base, max, &v, &end) || *end)
		return false;
	*out = v;
	return true;
}
