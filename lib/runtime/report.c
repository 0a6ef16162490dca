/*
 * report.c - kvm-unit-tests style reporting (see report.h). Every check is
 * printed on the console and sent to the harness as a "result" line.
 */
#include <stdarg.h>

#include "args.h"
#include "exit.h"
#include "hostlink.h"
#include "libc.h"
#include "printf.h"
#include "report.h"

#define PREFIX_MAX 256
#define MESSAGE_MAX 200

static char prefixes[PREFIX_MAX];
static int tests, failures, skipped, xfailures;

void report_reset(void)
{
	prefixes[0] = 0;
	tests = failures = skipped = xfailures = 0;
}

/*
 * A cut prefix would make every later line name the wrong check: stop the
 * run as a set-up error instead (kvm-unit-tests asserts here too).
 */
void report_prefix_push(const char *prefix)
{
	size_t len = strlen(prefixes);
	int n = snprintf(prefixes + len, sizeof(prefixes) - len, "%s: ", prefix);

	if (n < 0 || (size_t)n >= sizeof(prefixes) - len) {
		prefixes[len] = 0;
		fw_error("report prefix overflow: pushing '%.40s' (%zu bytes) onto %zu "
			 "bytes of prefixes, at most %d", prefix, strlen(prefix), len,
			 PREFIX_MAX - 1);
	}
}

void report_prefix_pushf(const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		fw_error("report prefix overflow: '%s...' is %d bytes, at most %d", buf, n,
			 (int)sizeof(buf) - 1);
	report_prefix_push(buf);
}

void report_prefix_pop(void)
{
	size_t len = strlen(prefixes);

	/* Drop the trailing ": ", then back up to the previous one. */
	if (len < 2)
		return;
	len -= 2;
	while (len >= 2 && !(prefixes[len - 2] == ':' && prefixes[len - 1] == ' '))
		len--;
	if (len < 2)
		len = 0;
	prefixes[len] = 0;
}

/*
 * "key=<test>/<field>/<cond> " for each key: first on the line, never cut by
 * a long text. A key without a condition word (an attribute that has none)
 * is left out: the check is then matched by its text.
 */
static void format_keys(char *buf, size_t size, const struct report_key *keys, int n)
{
	size_t len = 0;

	buf[0] = 0;
	for (int i = 0; i < n && len < size; i++)
		if (keys[i].field && keys[i].cond)
			len += (size_t)snprintf(buf + len, size - len, "key=%s/%s/%s ",
						args_test(), keys[i].field, keys[i].cond);
}

static void emit_keyed(const char *status, const struct report_key *keys, int nkeys,
		       const char *fmt, va_list ap)
{
	char msg[MESSAGE_MAX], keytext[HOSTLINK_LINE_MAX + 1];
	bool explain = strcmp(status, "PASS") && strcmp(status, "SKIP");

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printf("%s: %s%s\n", status, prefixes, msg);
	format_keys(keytext, sizeof(keytext), keys, explain ? nkeys : 0);
	hostlink_send("result", "%s %s%s%s", status, keytext, prefixes, msg);
}

static void emit(const char *status, const char *fmt, va_list ap)
{
	emit_keyed(status, NULL, 0, fmt, ap);
}

static bool count(bool pass)
{
	tests++;
	if (!pass)
		failures++;
	return pass;
}

bool report(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(count(pass) ? "PASS" : "FAIL", fmt, ap);
	va_end(ap);
	return pass;
}

bool report_keys(bool pass, const struct report_key *keys, int n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_keyed(count(pass) ? "PASS" : "FAIL", keys, n, fmt, ap);
	va_end(ap);
	return pass;
}

bool report_keyed(bool pass, struct report_key key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_keyed(count(pass) ? "PASS" : "FAIL", &key, 1, fmt, ap);
	va_end(ap);
	return pass;
}

bool report_xfail(bool xfail, bool pass, const char *fmt, ...)
{
	const char *status;
	va_list ap;

	tests++;
	if (xfail && !pass) {
		xfailures++;
		status = "XFAIL";
	} else if (xfail) {
		failures++;	/* a known bug that did not show: look at it */
		status = "XPASS";
	} else {
		if (!pass)
			failures++;
		status = pass ? "PASS" : "FAIL";
	}
	va_start(ap, fmt);
	emit(status, fmt, ap);
	va_end(ap);
	return pass;
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	tests++;
	skipped++;
	va_start(ap, fmt);
	emit("SKIP", fmt, ap);
	va_end(ap);
}

void report_info(const char *fmt, ...)
{
	char msg[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("INFO: %s%s\n", prefixes, msg);
	hostlink_send("log", "%s%s", prefixes, msg);
}

bool report_checkpoint(const char *name, struct hostlink_go *go)
{
	struct hostlink_go local;

	if (!go)
		go = &local;
	if (!report(hostlink_checkpoint(name, go), "go-ahead at checkpoint %s", name))
		return false;
	report_info("after %s: running on the %s, %u migration(s) so far", name,
		    go->on_destination ? "destination" : "source", go->migrations);
	return true;
}

void report_obs(const char *location, const char *reg, unsigned long long value)
{
	hostlink_send("obs", "%s %s 0x%llx", location, reg, value);
}

int report_failures(void)
{
	return failures;
}

int report_summary(void)
{
	printf("SUMMARY: %d tests, %d unexpected failures, %d skipped", tests,
	       failures, skipped);
	if (xfailures)
		printf(", %d expected failures", xfailures);
	printf("\n");
	hostlink_send("summary", "tests=%d failed=%d skipped=%d xfail=%d", tests,
		      failures, skipped, xfailures);
	if (failures)
		return FW_EXIT_FAIL;
	if (tests && skipped == tests)
		return FW_EXIT_SKIP;
	return FW_EXIT_PASS;
}
