/* Host unit tests of lib/libc/printf.c (built as fw_snprintf & co.). */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "printf.h"
#include "sim.h"
#include "unit.h"

static char buf[128];

#define FMT(...) (snprintf(buf, sizeof(buf), __VA_ARGS__), buf)

UNIT_TEST(printf_integers)
{
	CHECK_STR(FMT("%d|%i|%u", -42, 7, 3000000000u), "-42|7|3000000000");
	CHECK_STR(FMT("%d", INT_MIN), "-2147483648");
	CHECK_STR(FMT("%lld", (long long)INT64_MIN), "-9223372036854775808");
	CHECK_STR(FMT("%llu", (unsigned long long)UINT64_MAX), "18446744073709551615");
	CHECK_STR(FMT("%lx %zx", 0xdeadbeefUL, (size_t)0x10), "deadbeef 10");
	CHECK_STR(FMT("%x %X", 0xabcdu, 0xabcdu), "abcd ABCD");
	CHECK_STR(FMT("%hx", 0x12), "12");
}

UNIT_TEST(printf_width_and_flags)
{
	CHECK_STR(FMT("[%5d][%-5d][%05d]", 42, 42, 42), "[   42][42   ][00042]");
	CHECK_STR(FMT("[%04x][%08llx]", 0xab, 0x1234ull), "[00ab][00001234]");
	CHECK_STR(FMT("[%05d]", -42), "[-0042]");
	CHECK_STR(FMT("[%+d][% d]", 5, 5), "[+5][ 5]");
	CHECK_STR(FMT("[%*d][%-*d]", 4, 1, 3, 2), "[   1][2  ]");
	CHECK_STR(FMT("[%.3s][%6.2s]", "abcdef", "xyz"), "[abc][    xy]");
}

UNIT_TEST(printf_strings_chars_pointers)
{
	CHECK_STR(FMT("%s %c%c %%", "hi", 'o', 'k'), "hi ok %");
	CHECK_STR(FMT("%p", (void *)0xfee00000), "0xfee00000");
/* Deliberately bad formats: what the firmware does with them is the test. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
	CHECK_STR(FMT("%s", (char *)NULL), "(null)");
	CHECK_STR(FMT("%q", 1), "%q");		/* unknown conversions are shown */
#pragma GCC diagnostic pop
}

UNIT_TEST(printf_truncation)
{
	char small[5];

	CHECK_EQ(snprintf(small, sizeof(small), "%s", "abcdefgh"), 8);
	CHECK_STR(small, "abcd");
	CHECK_EQ(snprintf(small, 0, "%d", 12345), 5);
	CHECK_EQ(snprintf(small, 1, "%d", 12345), 5);
	CHECK_STR(small, "");
}

UNIT_TEST(printf_goes_to_com1_with_crlf)
{
	printf("a\nb %d\n", 3);
	CHECK_STR(sim_uart_output(COM1_PORT), "a\r\nb 3\r\n");
	CHECK_STR(sim_uart_output(COM2_PORT), "");
}

/* '#' as C: a 0x / 0X prefix for nonzero values, counted in the width. */
UNIT_TEST(printf_alternate_form_hex)
{
	CHECK_STR(FMT("%#x", 0x1a), "0x1a");
	CHECK_STR(FMT("%#X", 0x1a), "0X1A");
	CHECK_STR(FMT("%#x", 0), "0");
	CHECK_STR(FMT("%#06x", 0x1a), "0x001a");
	CHECK_STR(FMT("%#6x", 0x1a), "  0x1a");
	CHECK_STR(FMT("%-#6x|", 0x1a), "0x1a  |");
	CHECK_STR(FMT("%#lx", 0x100000000ul), "0x100000000");
	CHECK_STR(FMT("finding %#x", 0x40), "finding 0x40");
}
