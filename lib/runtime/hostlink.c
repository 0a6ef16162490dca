/*
 * hostlink.c - guest side of the SP1 host link (see hostlink.h).
 */
#include <stdarg.h>

#include "console.h"
#include "hw.h"
#include "hostlink.h"
#include "libc.h"
#include "printf.h"
#include "time.h"

static bool enabled;
static uint64_t go_timeout_ms = 60000;
static unsigned int seq;
static struct hostlink_go last_go = { .qmp = -1 };

void hostlink_init(bool on, uint64_t timeout_ms)
{
	enabled = on;
	go_timeout_ms = timeout_ms;
	if (enabled)
		uart_init(COM2_PORT);
}

bool hostlink_enabled(void)
{
	return enabled;
}

void hostlink_set_go_timeout_ms(uint64_t ms)
{
	go_timeout_ms = ms;
}

static void send_line(const char *s)
{
	for (; *s; s++) {
		char c = *s;

		uart_putc(COM2_PORT, (c >= 0x20 && c < 0x7f) ? c : '?');
	}
	uart_putc(COM2_PORT, '\n');
}

void hostlink_send(const char *verb, const char *fmt, ...)
{
	char line[HOSTLINK_LINE_MAX + 1];
	int n;
	va_list ap;

	if (!enabled)
		return;
	n = snprintf(line, sizeof(line), HOSTLINK_TAG " %u %s ", ++seq, verb);
	if (n < (int)sizeof(line)) {
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		va_end(ap);
	}
	/* A verb without arguments leaves a trailing blank: drop it. */
	n = (int)strlen(line);
	if (n && line[n - 1] == ' ')
		line[n - 1] = 0;
	send_line(line);
}

/* Reads a decimal number; returns the position after it, NULL if none. */
static const char *read_uint(const char *s, unsigned int *out)
{
	const char *end;
	uint64_t v;

	if (!str_to_u64(s, 10, UINT32_MAX, &v, &end))
		return NULL;
	*out = (unsigned int)v;
	return end;
}

static const char *expect_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 ? s + n : NULL;
}

/* The optional fields after side=: " qmp=ok|failed" then " deleted=N". */
static bool parse_go_tail(const char *s, struct hostlink_go *go)
{
	const char *t;

	go->qmp = -1;
	go->deleted = 0;
	if (*s == ' ' && (t = expect_word(s + 1, CONTRACT_GO_QMP_OK)) && (*t == ' ' || !*t)) {
		go->qmp = 1;
		s = t;
	} else if (*s == ' ' && (t = expect_word(s + 1, CONTRACT_GO_QMP_FAILED)) &&
		   (*t == ' ' || !*t)) {
		go->qmp = 0;
		s = t;
	}
	if (*s == ' ' && (t = expect_word(s + 1, CONTRACT_GO_DELETED)) &&
	    (t = read_uint(t, &go->deleted)))
		s = t;
	return *s == 0;
}

/* "SP1 <hseq> go <ckpt-seq> migrations=<n> side=<src|dst>[ qmp=..][ deleted=<n>]" */
bool hostlink_parse_go(const char *line, unsigned int expect_seq,
		       struct hostlink_go *go)
{
	unsigned int hseq, ckpt, migrations;
	struct hostlink_go got;
	const char *s = line, *t;

	if (!(s = expect_word(s, HOSTLINK_TAG " ")) || !(s = read_uint(s, &hseq)) ||
	    !(s = expect_word(s, " go ")) || !(s = read_uint(s, &ckpt)) ||
	    !(s = expect_word(s, " migrations=")) ||
	    !(s = read_uint(s, &migrations)) || !(s = expect_word(s, " side=")))
		return false;
	if (ckpt != expect_seq)
		return false;
	if ((t = expect_word(s, "src")))
		got.on_destination = false;
	else if ((t = expect_word(s, "dst")))
		got.on_destination = true;
	else
		return false;
	if (!parse_go_tail(t, &got))
		return false;
	got.migrations = migrations;
	*go = got;
	return true;
}

/* Collects one line from COM2; returns true when @buf holds a whole line. */
static bool poll_line(char *buf, int *len)
{
	int c;

	while ((c = uart_getc(COM2_PORT)) >= 0) {
		if (c == '\n') {
			buf[*len] = 0;
			return true;
		}
		if (c == '\r')
			continue;
		if (*len < HOSTLINK_LINE_MAX)
			buf[(*len)++] = (char)c;
	}
	return false;
}

bool hostlink_checkpoint(const char *name, struct hostlink_go *go)
{
	char line[HOSTLINK_LINE_MAX + 1];
	int len = 0;
	unsigned int my_seq;
	struct deadline d;

	if (!enabled) {
		*go = last_go;
		return true;
	}
	hostlink_send("checkpoint", "%s", name);
	my_seq = seq;
	printf("checkpoint %s: waiting for the harness\n", name);
	d = deadline_in_ms(go_timeout_ms);
	while (!deadline_expired(d)) {
		if (!poll_line(line, &len)) {
			cpu_relax();
			continue;
		}
		if (hostlink_parse_go(line, my_seq, go)) {
			last_go = *go;
			return true;
		}
		hostlink_send("log", "ignored host line: %s", line);
		len = 0;
	}
	return false;
}

unsigned int hostlink_seq(void)
{
	return seq;
}

unsigned int hostlink_migrations(void)
{
	return last_go.migrations;
}

bool hostlink_on_destination(void)
{
	return last_go.on_destination;
}

unsigned int hostlink_deleted(void)
{
	return last_go.deleted;
}
