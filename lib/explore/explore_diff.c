/*
 * explore_diff.c - the migration-differential oracle (see explore_diff.h).
 */
#include "explore_diff.h"
#include "libc.h"

void xdiff_start(struct xdiff_run *r)
{
	memset(r, 0, sizeof(*r));
}

void xdiff_note(struct xdiff_run *r, struct xmodel *m, int i, const struct xstep *s,
		const struct xobs *o)
{
	if (i < 0 || i >= XSEQ_MAX)
		return;
	r->value[i] = s->op == XOP_READ || s->op == XOP_READ_CHILD ? o->value : 0;
	r->timing[i] = xmodel_timing_bits(m, s, o->t0);
	if (s->op == XOP_MIGRATE && o->ok)
		r->migrated = true;
}

/* Runs @q from the start state, noting every step; false when the model found something. */
static bool run_noted(const struct xtarget *t, const struct xmodel_cfg *mc, const struct xseq *q,
		      struct xdiff_run *r)
{
	struct xfinding f;
	struct xmodel m;

	xdiff_start(r);
	if (xrun_begin(t, mc, &m, &f))
		return false;
	for (int i = 0; i < q->n; i++) {
		struct xobs o;

		xexec_step(t, &m.ctx, &q->s[i], &o);
		xdiff_note(r, &m, i, &q->s[i], &o);
		if (xmodel_step(&m, &q->s[i], &o, &f))
			return false;
	}
	return true;
}

/* The field holding the lowest bit of @differ in a read of @s: register, mask, name. */
static void name_field(struct xfinding *f, const struct xstep *s, uint32_t differ)
{
	/* A 32-bit read covers two registers: the one with the lowest differing byte. */
	const struct regattr_reg *reg = xmodel_reg_at((uint8_t)(s->off + __builtin_ctz(differ) / 8));
	uint32_t at;

	f->reg_off = s->off;
	f->reg_size = s->size;
	f->field = differ;
	f->field_name = "register";
	if (!reg)
		return;
	f->reg_off = reg->offset;
	f->reg_size = reg->width;
	at = xbytes_move(differ, s->off, reg->offset);
	if (reg->width < 4)
		at &= (1u << (reg->width * 8)) - 1;
	f->field = at;
	f->field_name = reg->name;
	for (int i = 0; i < reg->nfields; i++) {
		if (reg->fields[i].mask & at & -at) {
			f->field = reg->fields[i].mask;
			f->field_name = reg->fields[i].name;
			return;
		}
	}
}

/* A finding at read @i of the sequence: @got after the migration, @want without it. */
static void diff_finding(const struct xstep *s, int i, uint32_t got, uint32_t want,
			 uint32_t differ, struct xfinding *f)
{
	memset(f, 0, sizeof(*f));
	f->oracle = XOR_DIFF;
	f->rule = XR_MIGRATION_DIFF;
	f->step = i;
	if (s->op == XOP_READ_CHILD) {
		f->reg_off = XREG_CHILD;
		f->reg_size = 2;
		f->field = 0xffff;
		f->field_name = "VENDOR";
		f->got = got;
		f->want = want;
		return;
	}
	name_field(f, s, differ);
	f->got = xbytes_move(got, s->off, f->reg_off) & f->field;
	f->want = xbytes_move(want, s->off, f->reg_off) & f->field;
}

bool xdiff_check(const struct xtarget *t, const struct xmodel_cfg *mc, const struct xseq *q,
		 const struct xdiff_run *r, struct xfinding *f)
{
	static struct xdiff_run plain;	/* large: not on the stack */
	struct xseq without = { 0 };
	int at[XSEQ_MAX];

	if (!r->migrated)
		return false;
	for (int i = 0; i < q->n; i++) {
		if (q->s[i].op == XOP_MIGRATE)
			continue;
		at[without.n] = i;
		without.s[without.n++] = q->s[i];
	}
	if (!run_noted(t, mc, &without, &plain))
		return false;
	for (int j = 0; j < without.n; j++) {
		const struct xstep *s = &without.s[j];
		int i = at[j];
		uint32_t size_mask = s->size >= 4 ? 0xffffffffu : (1u << (s->size * 8)) - 1;
		uint32_t differ;

		if (s->op != XOP_READ && s->op != XOP_READ_CHILD)
			continue;
		differ = (r->value[i] ^ plain.value[j]) & ~(r->timing[i] | plain.timing[j]) &
			 (s->op == XOP_READ_CHILD ? 0xffff : size_mask);
		if (differ) {
			diff_finding(s, i, r->value[i], plain.value[j], differ, f);
			return true;
		}
	}
	return false;
}
