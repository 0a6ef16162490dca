/*
 * explore_seq.c - steps, random numbers and script lines (see explore_seq.h).
 */
#include "cfgname.h"
#include "explore_seq.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"

bool xstep_is_host(const struct xstep *s)
{
	return s->op == XOP_DEVICE_ADD || s->op == XOP_DEVICE_DEL || s->op == XOP_MIGRATE;
}

void xrng_seed(struct xrng *r, uint64_t seed)
{
	r->state = seed;
}

uint32_t xrng_next(struct xrng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

uint32_t xrng_below(struct xrng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)xrng_next(r) * n) >> 32);
}

/* The one register table's names (pci_regs.def), as scripts use them. */
uint32_t xbytes_move(uint32_t v, uint8_t from, uint8_t to)
{
	return from >= to ? v << ((from - to) * 8) : v >> ((to - from) * 8);
}

const char *xreg_name(uint8_t off, uint8_t size)
{
	return cfgname_cap_reg(PCI_CAP_ID_EXP, off, size);
}

static int reg_line(const struct xstep *s, const char *verb, const char *port,
		    char *buf, int len)
{
	const char *name = xreg_name(s->off, s->size);
	char where[24];

	if (name)
		snprintf(where, sizeof(where), "%s", name);
	else
		snprintf(where, sizeof(where), "cap:0x%x+0x%x", PCI_CAP_ID_EXP, s->off);
	if (s->op == XOP_READ)
		return snprintf(buf, len, "%s%d %s %s", verb, s->size * 8, port, where);
	return snprintf(buf, len, "%s%d %s %s 0x%0*x", verb, s->size * 8, port, where,
			s->size * 2, s->value);
}

int xstep_script(const struct xstep *s, const struct xscript_names *nm, int n,
		 char *buf, int len)
{
	switch (s->op) {
	case XOP_READ:
		return reg_line(s, "read", nm->port, buf, len);
	case XOP_WRITE:
		return reg_line(s, "write", nm->port, buf, len);
	case XOP_READ_CHILD:
		return snprintf(buf, len, "read16 slot-child %s VENDOR", nm->port);
	case XOP_WAIT_CC:
		return snprintf(buf, len, "wait-cc %s", nm->port);
	case XOP_DELAY:
		return snprintf(buf, len, "delay %u", s->value);
	case XOP_DEVICE_ADD:
		return snprintf(buf, len, "checkpoint h%d qmp device_add %s", n, nm->device_add);
	case XOP_DEVICE_DEL:
		return snprintf(buf, len, "checkpoint h%d qmp device_del {\"id\": \"%s\"}", n,
				nm->device_id);
	case XOP_MIGRATE:
		return snprintf(buf, len, "checkpoint h%d migrate", n);
	}
	return snprintf(buf, len, "log unknown step %u", s->op);
}
