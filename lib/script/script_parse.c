/*
 * script_parse.c - the parser of the resolved script form (see script.h).
 * Pure: it reads text and fills steps, touching neither the machine nor any
 * state of its own, so the host unit tests cover it alone; a malformed
 * script is refused as a whole before its first step runs (script_run.c).
 */
#include "libc.h"
#include "pci.h"
#include "printf.h"
#include "script.h"

static const struct {
	const char *word;
	uint8_t op;
} ops[] = {
	{ "read", SCRIPT_READ }, { "write", SCRIPT_WRITE },
	{ "expect", SCRIPT_EXPECT }, { "save", SCRIPT_SAVE },
	{ "same", SCRIPT_SAME }, { "power-off", SCRIPT_POWER_OFF },
	{ "power-on", SCRIPT_POWER_ON }, { "clear-events", SCRIPT_CLEAR_EVENTS },
	{ "wait-cc", SCRIPT_WAIT_CC }, { "delay", SCRIPT_DELAY },
	{ "checkpoint", SCRIPT_CHECKPOINT }, { "log", SCRIPT_LOG },
};

/* ---- parsing ------------------------------------------------------------ */

/* The next space-separated word of *p into @buf; false if none or too long. */
static bool word(const char **p, char *buf, int size)
{
	int n = 0;

	while (**p == ' ')
		(*p)++;
	while (**p && **p != ' ') {
		if (n == size - 1)
			return false;
		buf[n++] = *(*p)++;
	}
	buf[n] = 0;
	return n > 0;
}

/* Hex digits (no prefix) up to @max; the end of the number in *end. */
static bool parse_hex(const char *s, uint32_t max, uint32_t *out, const char **end)
{
	uint64_t v;

	if (!str_to_u64(s, 16, max, &v, end))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Decimal or 0x-hex, the whole word, at most @max. */
static bool parse_num(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!str_to_u64_all(s, 0, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

/* "00:12.0" or "00:12.0/F" (function F behind that port's slot). */
static bool parse_dev(char *s, struct script_dev *d)
{
	char *slash = strchr(s, '/');

	d->behind_slot = false;
	d->fn = 0;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '7' || slash[2])
			return false;
		d->behind_slot = true;
		d->fn = (uint8_t)(slash[1] - '0');
		*slash = 0;
	}
	return pci_bdf_parse(s, &d->bdf) == 0;
}

/* "h1a", "c10+1a", "e1+8", aligned to @width bits and inside config space. */
static bool parse_loc(const char *s, struct script_reg *r)
{
	const char *end;
	uint32_t id = 0, off;

	switch (s[0]) {
	case 'h':
		r->space = SCRIPT_HEADER;
		break;
	case 'c':
		r->space = SCRIPT_CAP;
		break;
	case 'e':
		r->space = SCRIPT_EXT;
		break;
	default:
		return false;
	}
	s++;
	if (r->space != SCRIPT_HEADER) {
		if (!parse_hex(s, r->space == SCRIPT_CAP ? 0xff : 0xffff, &id, &end) ||
		    *end != '+')
			return false;
		s = end + 1;
	}
	if (!parse_hex(s, PCI_MAX_CFG_SIZE - 1, &off, &end) || *end)
		return false;
	r->cap_id = (uint16_t)id;
	r->off = (uint16_t)off;
	return off % (r->width / 8) == 0;
}

static int fail(char *err, int errlen, const char *what, const char *w)
{
	snprintf(err, errlen, "%s%s%s", what, w ? ": " : "", w ? w : "");
	return -1;
}

int script_parse_line(const char *line, struct script_step *st, char *err, int errlen)
{
	char w[SCRIPT_TEXT_MAX];
	const char *p = line;
	uint32_t n, max;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (!word(&p, w, sizeof(w)) || !parse_num(w, 1000000, &n))
		return fail(err, errlen, "no line number", NULL);
	st->line = n;
	if (!word(&p, w, sizeof(w)))
		return fail(err, errlen, "no step", NULL);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(w, ops[i].word) == 0)
			break;
	if (i == ARRAY_SIZE(ops))
		return fail(err, errlen, "unknown step", w);
	st->op = ops[i].op;

	switch (st->op) {
	case SCRIPT_READ:
	case SCRIPT_WRITE:
	case SCRIPT_EXPECT:
	case SCRIPT_SAVE:
		if (!word(&p, w, sizeof(w)) || !parse_num(w, 32, &n) ||
		    (n != 8 && n != 16 && n != 32))
			return fail(err, errlen, "bad width", w);
		st->reg.width = (uint8_t)n;
		max = n == 32 ? 0xffffffffu : (1u << n) - 1;
		if (!word(&p, w, sizeof(w)) || !parse_dev(w, &st->dev))
			return fail(err, errlen, "bad device", w);
		if (!word(&p, w, sizeof(w)) || !parse_loc(w, &st->reg))
			return fail(err, errlen, "bad register location", w);
		if (!word(&p, st->reg.label, sizeof(st->reg.label)))
			return fail(err, errlen, "bad register label", NULL);
		if (st->op == SCRIPT_EXPECT &&
		    (!word(&p, w, sizeof(w)) || !parse_num(w, max, &st->mask)))
			return fail(err, errlen, "bad mask", w);
		if ((st->op == SCRIPT_WRITE || st->op == SCRIPT_EXPECT) &&
		    (!word(&p, w, sizeof(w)) || !parse_num(w, max, &st->value)))
			return fail(err, errlen, "bad value", w);
		if (st->op == SCRIPT_EXPECT && (st->value & ~st->mask))
			return fail(err, errlen, "value outside mask", NULL);
		if (st->op == SCRIPT_SAVE &&
		    (!word(&p, st->name, sizeof(st->name)) || !parse_name(st->name)))
			return fail(err, errlen, "bad save name", NULL);
		break;
	case SCRIPT_SAME:
	case SCRIPT_CHECKPOINT:
		if (!word(&p, st->name, sizeof(st->name)) || !parse_name(st->name))
			return fail(err, errlen, "bad name", NULL);
		break;
	case SCRIPT_POWER_OFF:
	case SCRIPT_POWER_ON:
	case SCRIPT_CLEAR_EVENTS:
	case SCRIPT_WAIT_CC:
		if (!word(&p, w, sizeof(w)) || !parse_dev(w, &st->dev) ||
		    st->dev.behind_slot)
			return fail(err, errlen, "bad port", w);
		break;
	case SCRIPT_DELAY:
		if (!word(&p, w, sizeof(w)) || !parse_num(w, SCRIPT_DELAY_MAX_MS, &st->value))
			return fail(err, errlen, "bad delay", w);
		break;
	case SCRIPT_LOG:
		while (*p == ' ')
			p++;
		if (!*p || strlen(p) >= sizeof(st->text))
			return fail(err, errlen, "log text empty or too long", NULL);
		memcpy(st->text, p, strlen(p) + 1);
		return 0;
	}
	if (word(&p, w, sizeof(w)) || *p)
		return fail(err, errlen, "extra words", w);
	return 0;
}

int script_parse(const char *text, struct script_step *steps, int max, char *err,
		 int errlen)
{
	char line[SCRIPT_TEXT_MAX + 64], why[120];
	const char *p = text;
	int n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && p[len - 1] == '\r')
			len--;
		if (len == 0) {
			p = nl ? nl + 1 : p + len;
			continue;
		}
		if (n == max) {
			snprintf(err, errlen, "more than %d steps", max);
			return -1;
		}
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "step %d: line too long", n + 1);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = 0;
		if (script_parse_line(line, &steps[n], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "step %d (%.40s): %s", n + 1, line, why);
			return -1;
		}
		n++;
		p = nl ? nl + 1 : p + len;
	}
	return n;
}
