/* Host unit tests of lib/runtime/args.c. */
#include <string.h>

#include "args.h"
#include "unit.h"

static char err[128];

UNIT_TEST(args_test_name_and_values)
{
	CHECK_EQ(args_parse("  slot-power-off slot=00:12.0 n=0x10  quiet\n", err,
			    sizeof(err)), 0);
	CHECK_STR(args_test(), "slot-power-off");
	CHECK_STR(arg_str("slot", NULL), "00:12.0");
	CHECK_EQ(arg_u64("n", 0), 16);
	CHECK(arg_bool("quiet", false));
	CHECK(arg_present("quiet"));
	CHECK(!arg_present("missing"));
	CHECK_STR(arg_str("missing", "dflt"), "dflt");
	CHECK_EQ(arg_u64("missing", 7), 7);
}

UNIT_TEST(args_last_value_wins)
{
	CHECK_EQ(args_parse("t k=1 k=2", err, sizeof(err)), 0);
	CHECK_EQ(arg_u64("k", 0), 2);
}

UNIT_TEST(args_bool_spellings)
{
	CHECK_EQ(args_parse("t a=on b=off c=yes d=no e=1 f=0 g=true h=false", err,
			    sizeof(err)), 0);
	CHECK(arg_bool("a", false) && arg_bool("c", false) && arg_bool("e", false) &&
	      arg_bool("g", false));
	CHECK(!arg_bool("b", true) && !arg_bool("d", true) && !arg_bool("f", true) &&
	      !arg_bool("h", true));
}

UNIT_TEST(args_errors)
{
	char many[600];

	CHECK_EQ(args_parse("t =x", err, sizeof(err)), -1);
	CHECK(strstr(err, "no name") != NULL);
	memset(many, 'a', sizeof(many) - 1);
	many[sizeof(many) - 1] = 0;
	CHECK_EQ(args_parse(many, err, sizeof(err)), -1);
	CHECK(strstr(err, "longer than") != NULL);
	CHECK_EQ(args_parse("t a b c d e f g h i j k l m n o p q r s t u v w x y z "
			    "aa bb cc dd ee ff gg", err, sizeof(err)), -1);
	CHECK(strstr(err, "more than") != NULL);
}

UNIT_TEST(args_unknown_keys)
{
	CHECK_EQ(args_parse("t slot=1 go-timeout=5 hostlink=off bogus=2", err,
			    sizeof(err)), 0);
	CHECK_STR(args_unknown_key("slot child"), "bogus");
	CHECK_EQ(args_parse("t slot=1 watchdog=9", err, sizeof(err)), 0);
	CHECK(args_unknown_key("slot child") == NULL);
	/* A key that is a prefix of an accepted one is still unknown. */
	CHECK_EQ(args_parse("t slo=1", err, sizeof(err)), 0);
	CHECK_STR(args_unknown_key("slot"), "slo");
}

UNIT_TEST(args_empty_line)
{
	CHECK_EQ(args_parse("", err, sizeof(err)), 0);
	CHECK_STR(args_test(), "");
}
