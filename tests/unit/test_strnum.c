/* Host unit tests of lib/libc/strnum.c: the one number parser (libc.h). */
#include <stdint.h>
#include <string.h>

#include "libc.h"
#include "unit.h"

UNIT_TEST(str_to_u64_bases_and_end)
{
	const char *end;
	uint64_t v = 0;

	CHECK(str_to_u64("123 rest", 10, UINT64_MAX, &v, &end));
	CHECK_EQ(v, 123);
	CHECK_STR(end, " rest");
	CHECK(str_to_u64("1aF:", 16, UINT64_MAX, &v, &end));
	CHECK_EQ(v, 0x1af);
	CHECK_STR(end, ":");
	CHECK(str_to_u64("0x1f", 0, UINT64_MAX, &v, &end));
	CHECK_EQ(v, 0x1f);
	CHECK(str_to_u64("0X1F", 0, UINT64_MAX, &v, NULL));
	CHECK_EQ(v, 0x1f);
	CHECK(str_to_u64("019", 0, UINT64_MAX, &v, &end));	/* no octal */
	CHECK_EQ(v, 19);
	CHECK(str_to_u64("12a", 10, UINT64_MAX, &v, &end));	/* a is no decimal digit */
	CHECK_EQ(v, 12);
	CHECK_STR(end, "a");
	CHECK(str_to_u64("101", 2, UINT64_MAX, &v, &end));
	CHECK_EQ(v, 5);
}

UNIT_TEST(str_to_u64_refuses_no_digits_and_bad_bases)
{
	uint64_t v = 7;

	CHECK(!str_to_u64("", 10, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64("x1", 16, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64("0x", 0, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64("-1", 10, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64(" 1", 10, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64("1", 1, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64("1", 17, UINT64_MAX, &v, NULL));
	CHECK_EQ(v, 7);				/* untouched on failure */
}

UNIT_TEST(str_to_u64_overflow_is_an_error)
{
	uint64_t v = 7;

	CHECK(str_to_u64("18446744073709551615", 10, UINT64_MAX, &v, NULL));
	CHECK_EQ(v, UINT64_MAX);
	CHECK(!str_to_u64("18446744073709551616", 10, UINT64_MAX, &v, NULL));
	CHECK(!str_to_u64("0x10000000000000000", 0, UINT64_MAX, &v, NULL));
	CHECK(str_to_u64("255", 10, 255, &v, NULL));
	CHECK(!str_to_u64("256", 10, 255, &v, NULL));
	CHECK(!str_to_u64("0x100", 0, 0xff, &v, NULL));
	CHECK(!str_to_u64("1", 10, 0, &v, NULL));
	CHECK(str_to_u64("0", 10, 0, &v, NULL));
	CHECK_EQ(v, 0);
}

UNIT_TEST(str_to_u64_all_wants_the_whole_string)
{
	uint64_t v = 7;

	CHECK(str_to_u64_all("0x10", 0, UINT64_MAX, &v));
	CHECK_EQ(v, 16);
	CHECK(!str_to_u64_all("16 ", 0, UINT64_MAX, &v));
	CHECK(!str_to_u64_all("12z", 0, UINT64_MAX, &v));
	CHECK_EQ(v, 16);
}
