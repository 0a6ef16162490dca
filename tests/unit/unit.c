/* unit.c - runner for the host unit tests (see unit.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "unit.h"

#define MAX_CASES 1024

struct unit_case {
	const char *name;
	const char *file;
	void (*fn)(void);
};

static struct unit_case cases[MAX_CASES];
static int ncases;
static int case_failed;
static const char *current;

void unit_register(const char *name, void (*fn)(void), const char *file)
{
	if (ncases == MAX_CASES) {
		fprintf(stderr, "unit: too many test cases (raise MAX_CASES)\n");
		exit(2);
	}
	cases[ncases++] = (struct unit_case){ name, file, fn };
}

bool unit_check(bool ok, const char *file, int line, const char *what)
{
	if (!ok) {
		printf("  FAIL %s (%s:%d): %s\n", current, file, line, what);
		case_failed = 1;
	}
	return ok;
}

bool unit_check_eq(uint64_t got, uint64_t want, const char *file, int line,
		   const char *expr)
{
	if (got != want) {
		printf("  FAIL %s (%s:%d): %s = 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
		       current, file, line, expr, got, want);
		case_failed = 1;
	}
	return got == want;
}

bool unit_check_str(const char *got, const char *want, const char *file, int line,
		    const char *expr)
{
	bool ok = got && want && strcmp(got, want) == 0;

	if (!ok) {
		printf("  FAIL %s (%s:%d): %s = \"%s\", expected \"%s\"\n",
		       current, file, line, expr, got ? got : "(null)",
		       want ? want : "(null)");
		case_failed = 1;
	}
	return ok;
}

static int matches(const struct unit_case *c, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(c->name, argv[i]) || strstr(c->file, argv[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < ncases; i++) {
		if (!matches(&cases[i], argc, argv))
			continue;
		current = cases[i].name;
		case_failed = 0;
		sim_reset();
		cases[i].fn();
		if (case_failed) {
			failed++;
			printf("not ok %s\n", current);
		} else {
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
