/*
 * explore_gen.c - seeded random steps (see explore_gen.h).
 */
#include "explore_gen.h"
#include "libc.h"
#include "pci_regs.h"
#include "regattr.h"

void xgen_defaults(struct xgen_cfg *c)
{
	static const uint16_t w[XG_KINDS] = {
		[XG_READ] = 24, [XG_SLTCTL] = 18, [XG_SLTSTA] = 8, [XG_LNKCTL] = 6,
		[XG_LNKSTA] = 3, [XG_REGS2] = 3, [XG_CAPS] = 2, [XG_CHILD] = 8,
		[XG_WAIT_CC] = 4, [XG_DELAY] = 6, [XG_ADD] = 4, [XG_DEL] = 4,
		[XG_MIGRATE] = 4,
	};

	memset(c, 0, sizeof(*c));
	memcpy(c->weight, w, sizeof(w));
	c->min_len = 8;
	c->max_len = 24;
	c->max_delay_ms = 1100;
	c->long_delay_pct = 5;
	c->idle_wait_pct = 10;
	c->overlap_pct = 0;
}

int xgen_length(const struct xgen_cfg *c, struct xrng *r)
{
	int span = c->max_len - c->min_len + 1;

	return c->min_len + (span > 1 ? (int)xrng_below(r, (uint32_t)span) : 0);
}

static bool chance(struct xrng *r, unsigned int pct)
{
	return xrng_below(r, 100) < pct;
}

static struct xstep reg_step(uint8_t op, uint8_t off, uint8_t size, uint32_t v)
{
	uint32_t mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	return (struct xstep){ op, off, size, v & mask };
}

/* An access to register @reg (offset, width) at a random width and alignment. */
static struct xstep any_width(struct xrng *r, uint8_t op, uint8_t reg, uint8_t width,
			      uint32_t v)
{
	uint8_t size = (uint8_t)(1u << xrng_below(r, 3));	/* 1, 2, 4 */
	uint8_t off = (uint8_t)(reg + (width == 4 ? xrng_below(r, 4) : xrng_below(r, 2)));

	off &= (uint8_t)~(size - 1);
	if (off < reg && size < 4)
		off = reg;
	/* The value as it sits at @off: @v is in the register's position. */
	return reg_step(op, off, size, xbytes_move(v, reg, off));
}

static struct xstep read_step(struct xrng *r)
{
	const struct regattr_reg *reg = &regattr_regs[xrng_below(r, (uint32_t)regattr_nregs)];

	return any_width(r, XOP_READ, reg->offset, reg->width, 0);
}

/* A random Slot Control value: from the known one (as pciehp would) or from scratch. */
static uint16_t sltctl_value(struct xrng *r, struct xmodel *m)
{
	uint16_t v = chance(r, 60) ? xmodel_sltctl(m) : (uint16_t)(xrng_next(r) & 0x1fff);
	int changes = 1 + (int)xrng_below(r, 3);

	v &= (uint16_t)~PCI_EXP_SLTCTL_EIC;	/* reads 0: a copy of it would be a toggle */
	while (changes--) {
		switch (xrng_below(r, 7)) {
		case 0:		/* an event enable, Hot-Plug Interrupt Enable, DLLSC enable */
			v ^= (uint16_t)(1u << xrng_below(r, 6));
			break;
		case 1:
			v ^= PCI_EXP_SLTCTL_DLLSCE;
			break;
		case 2:		/* any encoding, 00b (reserved) included */
			v = (uint16_t)((v & ~PCI_EXP_SLTCTL_AIC) | xrng_below(r, 4) << 6);
			break;
		case 3:
			v = (uint16_t)((v & ~PCI_EXP_SLTCTL_PIC) | xrng_below(r, 4) << 8);
			break;
		case 4:
		case 5:		/* power: the slot's main business */
			v ^= PCI_EXP_SLTCTL_PCC;
			break;
		default:	/* the interlock, power limit / in-band PD disables, bit 15 */
			v ^= (uint16_t)((uint32_t[]){ PCI_EXP_SLTCTL_EIC,
						       PCI_EXP_SLTCTL_ASPL_DISABLE,
						       PCI_EXP_SLTCTL_IBPD_DISABLE,
						       0x8000 /* RsvdP */ })[xrng_below(r, 4)];
		}
	}
	return v;
}

/* RW1C masks: random bits, the defined ones mostly, some not set at all. */
static uint16_t w1c_mask(struct xrng *r, uint16_t defined)
{
	if (chance(r, 10))
		return 0xffff;
	return (uint16_t)(xrng_next(r) & (chance(r, 85) ? defined : 0xffff));
}

static struct xstep sltctl_step(struct xrng *r, struct xmodel *m)
{
	uint16_t v = sltctl_value(r, m);
	unsigned int pick = xrng_below(r, 100);

	if (pick < 60)
		return reg_step(XOP_WRITE, PCI_EXP_SLTCTL, 2, v);
	if (pick < 72)
		return reg_step(XOP_WRITE, PCI_EXP_SLTCTL, 1, v);
	if (pick < 84)
		return reg_step(XOP_WRITE, PCI_EXP_SLTCTL + 1, 1, v >> 8);
	return reg_step(XOP_WRITE, PCI_EXP_SLTCTL, 4, v | (uint32_t)w1c_mask(r, 0x1ff) << 16);
}

static struct xstep sltsta_step(struct xrng *r)
{
	uint16_t v = w1c_mask(r, 0x01ff);

	if (chance(r, 70))
		return reg_step(XOP_WRITE, PCI_EXP_SLTSTA, 2, v);
	return chance(r, 50) ? reg_step(XOP_WRITE, PCI_EXP_SLTSTA, 1, v)
			     : reg_step(XOP_WRITE, PCI_EXP_SLTSTA + 1, 1, v >> 8);
}

static struct xstep lnkctl_step(struct xrng *r, struct xmodel *m)
{
	uint16_t v = (uint16_t)xmodel_reg(m, PCI_EXP_LNKCTL);

	v = (uint16_t)((v & ~PCI_EXP_LNKCTL_ASPMC) | xrng_below(r, 4));
	if (chance(r, 30))
		v ^= PCI_EXP_LNKCTL_LD;
	if (chance(r, 25))
		v |= PCI_EXP_LNKCTL_RL;
	if (chance(r, 30))
		v ^= (uint16_t)(0x40u << xrng_below(r, 6));	/* CCC ES CLKREQ HAWD LBMIE LABIE */
	if (chance(r, 5))
		v ^= (uint16_t)((uint32_t[]){ 0x0004, 0x1000, 0x4000, 0x8000 })[xrng_below(r, 4)];
	if (chance(r, 75))
		return any_width(r, XOP_WRITE, PCI_EXP_LNKCTL, 2, v);
	return reg_step(XOP_WRITE, PCI_EXP_LNKCTL, 4, v | (uint32_t)w1c_mask(r, 0xc000) << 16);
}

static struct xstep regs2_step(struct xrng *r, struct xmodel *m)
{
	uint32_t sls = xmodel_reg(m, PCI_EXP_LNKCAP) & PCI_EXP_LNKCAP_SLS;
	uint16_t lnkctl2 = (uint16_t)xmodel_reg(m, PCI_EXP_LNKCTL2);

	switch (xrng_below(r, 5)) {
	case 0:		/* Target Link Speed, supported mostly; other fields rarely */
		lnkctl2 = (uint16_t)((lnkctl2 & ~PCI_EXP_LNKCTL2_TLS) |
				     (chance(r, 85) && sls ? 1 + xrng_below(r, sls) : xrng_below(r, 16)));
		if (chance(r, 20))
			lnkctl2 ^= (uint16_t)(1u << (4 + xrng_below(r, 12)));
		return any_width(r, XOP_WRITE, PCI_EXP_LNKCTL2, 2, lnkctl2);
	case 1:
		return any_width(r, XOP_WRITE, PCI_EXP_LNKSTA2, 2, w1c_mask(r, 0x8020));
	case 2:
		return reg_step(XOP_WRITE, PCI_EXP_LNKCTL2, 4,
				lnkctl2 | (uint32_t)w1c_mask(r, 0x8020) << 16);
	case 3:
		return any_width(r, XOP_WRITE, PCI_EXP_SLTCTL2, 2, xrng_next(r));
	default:
		return reg_step(XOP_WRITE, PCI_EXP_SLTCTL2, 4, xrng_next(r));
	}
}

static struct xstep caps_step(struct xrng *r)
{
	static const uint8_t caps[] = { PCI_EXP_LNKCAP, PCI_EXP_SLTCAP, PCI_EXP_LNKCAP2,
					PCI_EXP_SLTCAP2 };
	uint32_t v = chance(r, 50) ? 0xffffffffu : xrng_next(r);

	return any_width(r, XOP_WRITE, caps[xrng_below(r, 4)], 4, v);
}

/*
 * Mostly short: a delay costs its length on every run. A few (long_pct)
 * last max_delay_ms, past the model's deadlines (1 s for a command or the
 * link, 1.1 s for a function to answer), so "must eventually" is checked.
 */
static struct xstep delay_step(const struct xgen_cfg *c, struct xrng *r)
{
	static const uint32_t ms[] = { 0, 1, 2, 5, 10, 20, 50, 100, 200 };
	uint32_t v = ms[xrng_below(r, ARRAY_SIZE(ms))];

	if (chance(r, c->long_delay_pct))
		v = c->max_delay_ms;
	return (struct xstep){ XOP_DELAY, 0, 0, v < c->max_delay_ms ? v : c->max_delay_ms };
}

/*
 * A wait-cc where a Command Completed is coming; elsewhere it polls its
 * whole second for nothing, so only now and then (idle_wait_pct), and a
 * read of Slot Status instead.
 */
static struct xstep wait_step(const struct xgen_cfg *c, struct xrng *r, struct xmodel *m)
{
	if (xmodel_cc_coming(m) || chance(r, c->idle_wait_pct))
		return (struct xstep){ XOP_WAIT_CC, 0, 0, 0 };
	return reg_step(XOP_READ, PCI_EXP_SLTSTA, 2, 0);
}

/* What to do first when a command may still be in progress. */
static bool must_wait(const struct xgen_cfg *c, struct xrng *r, struct xmodel *m,
		      uint64_t now, struct xstep *wait)
{
	uint64_t left_ms;

	if (!xmodel_cmd_pending(m, now) || chance(r, c->overlap_pct))
		return false;
	if (xmodel_cc_coming(m) || !(xmodel_reg(m, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_CC)) {
		*wait = (struct xstep){ XOP_WAIT_CC, 0, 0, 0 };
	} else {
		left_ms = (m->cmd_due - now + 999) / 1000 + 1;
		*wait = (struct xstep){ XOP_DELAY, 0, 0, (uint32_t)left_ms };
	}
	return true;
}

static uint8_t pick_kind(const struct xgen_cfg *c, struct xrng *r)
{
	uint32_t total = 0, x;

	for (int k = 0; k < XG_KINDS; k++)
		total += c->weight[k];
	if (!total)
		return XG_READ;
	x = xrng_below(r, total);
	for (int k = 0; k < XG_KINDS; k++) {
		if (x < c->weight[k])
			return (uint8_t)k;
		x -= c->weight[k];
	}
	return XG_READ;
}

struct xstep xgen_next(const struct xgen_cfg *c, struct xrng *r, struct xmodel *m,
		       uint64_t now)
{
	uint8_t kind = pick_kind(c, r);
	struct xstep wait;

	if ((kind == XG_SLTCTL || kind == XG_ADD || kind == XG_DEL) &&
	    must_wait(c, r, m, now, &wait))
		return wait;
	/*
	 * Command Completed still set from before: cleared first, as pciehp's
	 * interrupt handler would, so this command's completion shows (mostly:
	 * a command over a set CC is worth trying too, then waited out).
	 */
	if (kind == XG_SLTCTL && (xmodel_reg(m, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_CC) &&
	    chance(r, 90))
		return reg_step(XOP_WRITE, PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_CC);
	switch (kind) {
	case XG_SLTCTL:
		return sltctl_step(r, m);
	case XG_SLTSTA:
		return sltsta_step(r);
	case XG_LNKCTL:
		return lnkctl_step(r, m);
	case XG_LNKSTA:
		return any_width(r, XOP_WRITE, PCI_EXP_LNKSTA, 2, w1c_mask(r, 0xc000));
	case XG_REGS2:
		return regs2_step(r, m);
	case XG_CAPS:
		return caps_step(r);
	case XG_CHILD:
		return (struct xstep){ XOP_READ_CHILD, 0, 2, 0 };
	case XG_WAIT_CC:
		return wait_step(c, r, m);
	case XG_DELAY:
		return delay_step(c, r);
	case XG_ADD:
		return (struct xstep){ XOP_DEVICE_ADD, 0, 0, 0 };
	case XG_DEL:
		return (struct xstep){ XOP_DEVICE_DEL, 0, 0, 0 };
	case XG_MIGRATE:
		return (struct xstep){ XOP_MIGRATE, 0, 0, 0 };
	}
	return read_step(r);
}
