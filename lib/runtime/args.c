/*
 * args.c - parameter parsing (see args.h). Words are separated by blanks;
 * the first is the test name, the others key=value (a bare key means "on").
 */
#include "args.h"
#include "exit.h"
#include "libc.h"
#include "printf.h"

#define ARGS_LINE_MAX 512
#define COMMON_KEYS "hostlink go-timeout watchdog"

static char line_copy[ARGS_LINE_MAX];
static char storage[ARGS_LINE_MAX];
static const char *test_name = "";
static int nargs;
static struct {
	const char *key;
	const char *value;
} args[ARGS_MAX];

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int args_parse(const char *line, char *err, int errlen)
{
	char *p = storage;

	nargs = 0;
	test_name = "";
	if (strlen(line) >= ARGS_LINE_MAX) {
		snprintf(err, errlen, "parameters longer than %d bytes", ARGS_LINE_MAX - 1);
		return -1;
	}
	memcpy(line_copy, line, strlen(line) + 1);
	memcpy(storage, line, strlen(line) + 1);
	for (int word = 0;; word++) {
		char *start, *eq;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && !is_blank(*p))
			p++;
		if (*p)
			*p++ = 0;
		if (word == 0) {
			test_name = start;
			continue;
		}
		if (nargs == ARGS_MAX) {
			snprintf(err, errlen, "more than %d parameters", ARGS_MAX);
			return -1;
		}
		eq = strchr(start, '=');
		if (eq == start) {
			snprintf(err, errlen, "parameter '%s' has no name", start);
			return -1;
		}
		if (eq)
			*eq = 0;
		args[nargs].key = start;
		args[nargs].value = eq ? eq + 1 : "on";
		nargs++;
	}
	return 0;
}

const char *args_test(void)
{
	return test_name;
}

const char *args_line(void)
{
	return line_copy;
}

bool arg_present(const char *key)
{
	for (int i = 0; i < nargs; i++)
		if (strcmp(args[i].key, key) == 0)
			return true;
	return false;
}

const char *arg_str(const char *key, const char *def)
{
	/* The last occurrence wins, as on a command line. */
	for (int i = nargs - 1; i >= 0; i--)
		if (strcmp(args[i].key, key) == 0)
			return args[i].value;
	return def;
}

uint64_t arg_u64(const char *key, uint64_t def)
{
	const char *s = arg_str(key, NULL);
	uint64_t v;

	if (!s)
		return def;
	if (!str_to_u64_all(s, 0, UINT64_MAX, &v))
		fw_error("parameter %s=%s: not a number", key, s);
	return v;
}

bool arg_bool(const char *key, bool def)
{
	const char *s = arg_str(key, NULL);

	if (!s)
		return def;
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "1") || !strcmp(s, "true"))
		return true;
	if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "0") || !strcmp(s, "false"))
		return false;
	fw_error("parameter %s=%s: expected on or off", key, s);
}

static bool word_in(const char *word, const char *list)
{
	size_t n = strlen(word);

	while (*list) {
		const char *end = list;

		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - list) == n && strncmp(list, word, n) == 0)
			return true;
		list = *end ? end + 1 : end;
	}
	return false;
}

const char *args_unknown_key(const char *known)
{
	for (int i = 0; i < nargs; i++)
		if (!word_in(args[i].key, known) && !word_in(args[i].key, COMMON_KEYS))
			return args[i].key;
	return NULL;
}
