/*
 * explore_run.c - running sequences, campaigns, triage and minimization
 * (see explore_run.h).
 */
#include "explore_run.h"
#include "explore_diff.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"

#define WAIT_CC_US	1000000ull	/* wait-cc's deadline (PCIe r5.0 §6.7.3.2) */
#define POLL_FAST_US	100		/* first 2 ms: commands usually complete here */
#define POLL_SLOW_US	10000

/* ---- one step ---- */

static void wait_cc(const struct xtarget *t, const struct regattr_ctx *caps, struct xobs *o)
{
	uint64_t end = o->t0 + WAIT_CC_US, now;

	if (caps->sltcap & PCI_EXP_SLTCAP_NCCS) {
		o->ok = true;	/* nothing to wait for (lib/pcie_slot.c does the same) */
		return;
	}
	for (;;) {
		o->value = t->read(t->ctx, PCI_EXP_SLTSTA, 2);
		if (o->value == 0xffff)
			return;			/* the port is gone: no completion */
		if (o->value & PCI_EXP_SLTSTA_CC) {
			t->write(t->ctx, PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_CC);
			o->ok = true;
			return;
		}
		now = t->now_us(t->ctx);
		if (now >= end)
			return;
		t->delay_us(t->ctx, now - o->t0 < 2000 ? POLL_FAST_US : POLL_SLOW_US);
	}
}

void xexec_step(const struct xtarget *t, const struct regattr_ctx *caps,
		const struct xstep *s, struct xobs *o)
{
	memset(o, 0, sizeof(*o));
	o->t0 = t->now_us(t->ctx);
	switch (s->op) {
	case XOP_READ:
		o->value = t->read(t->ctx, s->off, s->size);
		break;
	case XOP_WRITE:
		t->write(t->ctx, s->off, s->size, s->value);
		break;
	case XOP_READ_CHILD:
		o->value = t->read_child(t->ctx);
		break;
	case XOP_WAIT_CC:
		wait_cc(t, caps, o);
		break;
	case XOP_DELAY:
		t->delay_us(t->ctx, s->value * 1000ull);
		break;
	default:
		o->ok = t->host(t->ctx, s->op);
		o->has_deleted = t->deleted != NULL;	/* the DEVICE_DELETED oracle */
		o->deleted = t->deleted ? t->deleted(t->ctx) : 0;
	}
	o->t1 = t->now_us(t->ctx);
}

/* ---- sequences ---- */

bool xrun_begin(const struct xtarget *t, const struct xmodel_cfg *mc, struct xmodel *m,
		struct xfinding *f)
{
	struct xstep pro[XREGS + 1];
	struct regattr_ctx caps;
	int n;

	t->reset(t->ctx);
	caps.lnkcap = t->read(t->ctx, PCI_EXP_LNKCAP, 4);
	caps.sltcap = t->read(t->ctx, PCI_EXP_SLTCAP, 4);
	caps.lnkcap2 = t->read(t->ctx, PCI_EXP_LNKCAP2, 4);
	caps.sltcap2 = t->read(t->ctx, PCI_EXP_SLTCAP2, 4);
	xmodel_init(m, mc, &caps);
	n = xmodel_prologue(pro, (int)ARRAY_SIZE(pro));
	for (int i = 0; i < n; i++) {
		struct xobs o;

		xexec_step(t, &m->ctx, &pro[i], &o);
		if (xmodel_step(m, &pro[i], &o, f)) {
			f->step = -1 - i;	/* in the prologue */
			return true;
		}
	}
	return false;
}

/*
 * Replays @q: the index of the first step that shows @want, carrying on past
 * other findings as the model does (the first finding of any kind when
 * @want is NULL), or -1.
 */
static int replay_to(const struct xtarget *t, const struct xmodel_cfg *mc, const struct xseq *q,
		     const struct xfinding *want, struct xfinding *f)
{
	static struct xdiff_run d;	/* large: not on the stack */
	struct xmodel m;

	if (xrun_begin(t, mc, &m, f))
		return -1;
	xdiff_start(&d);
	for (int i = 0; i < q->n; i++) {
		struct xobs o;

		xexec_step(t, &m.ctx, &q->s[i], &o);
		xdiff_note(&d, &m, i, &q->s[i], &o);
		if (xmodel_step(&m, &q->s[i], &o, f)) {
			f->step = i;
			if (!want || xfinding_same(f, want))
				return i;
		}
	}
	/* The migration-differential oracle (explore_diff.h): its replay only
	   where a differential finding is what is wanted. */
	if (want && want->oracle != XOR_DIFF)
		return -1;
	if (xdiff_check(t, mc, q, &d, f) && (!want || xfinding_same(f, want)))
		return f->step;
	return -1;
}

int xrun_replay(const struct xtarget *t, const struct xmodel_cfg *mc, const struct xseq *q,
		struct xfinding *f)
{
	return replay_to(t, mc, q, NULL, f);
}

bool xfinding_same(const struct xfinding *a, const struct xfinding *b)
{
	return a->oracle == b->oracle && a->reg_off == b->reg_off && a->field == b->field &&
	       a->rule == b->rule;
}

/* ---- minimization (delta debugging) ---- */

/* The campaign's clock: its own (the budget's), else the target's. */
static uint64_t campaign_now(const struct xtarget *t, const struct xcampaign_cfg *c)
{
	return c->clock_us ? c->clock_us(c->clock_arg) : t->now_us(t->ctx);
}

/* Less than @reserve_us left of the budget (never, without one). */
static bool budget_spent(const struct xcampaign_cfg *c, uint64_t reserve_us)
{
	return c->clock_us && c->deadline_us &&
	       c->clock_us(c->clock_arg) + reserve_us >= c->deadline_us;
}

struct mini {
	const struct xtarget *t;
	const struct xcampaign_cfg *c;
	const struct xfinding *want;
	bool others_ok;		/* other findings may come before it */
	int replays, max_replays, used;
};

/* @cand shows the finding in every replay: @q becomes it, cut after the finding. */
static bool take_if_reproduces(struct mini *x, struct xseq *q, const struct xseq *cand)
{
	struct xfinding f;
	int at = -1;

	if (cand->n == 0 || x->used >= x->max_replays)
		return false;
	for (int i = 0; i < x->replays; i++) {
		int a;

		if (budget_spent(x->c, 0))
			return false;	/* the budget ends minimization: the best so far stays */
		a = replay_to(x->t, &x->c->model, cand, x->others_ok ? x->want : NULL, &f);
		x->used++;
		/* The first replay that fails rejects the candidate: most fail there. */
		if (a < 0 || !xfinding_same(&f, x->want) || (i && a != at))
			return false;
		at = a;
	}
	*q = *cand;
	q->n = at + 1;
	return true;
}

static bool drop_chunks(struct mini *x, struct xseq *q)
{
	bool changed = false;

	for (int chunk = q->n / 2; chunk >= 1; chunk /= 2) {
		for (int start = 0; start < q->n;) {
			struct xseq cand = { 0 };

			for (int i = 0; i < q->n; i++)
				if (i < start || i >= start + chunk)
					cand.s[cand.n++] = q->s[i];
			if (take_if_reproduces(x, q, &cand))
				changed = true;
			else
				start += chunk;
		}
	}
	return changed;
}

static bool try_step(struct mini *x, struct xseq *q, int i, struct xstep s)
{
	struct xseq cand = *q;

	if (i >= q->n || !memcmp(&q->s[i], &s, sizeof(s)))
		return false;
	cand.s[i] = s;
	return take_if_reproduces(x, q, &cand);
}

/* Natural width: the register's own width at its own offset. */
static bool natural_width(struct mini *x, struct xseq *q, int i)
{
	struct xstep s = q->s[i];
	const struct regattr_reg *reg = xmodel_reg_at(s.off);
	uint32_t v = s.value;

	if (!reg || (s.op != XOP_READ && s.op != XOP_WRITE))
		return false;
	if (s.size == reg->width && s.off == reg->offset)
		return false;
	v = xbytes_move(v, s.off, reg->offset);
	s.off = reg->offset;
	s.size = reg->width;
	s.value = s.op == XOP_WRITE ? (reg->width == 4 ? v : v & 0xffff) : 0;
	return try_step(x, q, i, s);
}

static bool simplify(struct mini *x, struct xseq *q)
{
	bool changed = false;

	for (int i = 0; i < q->n; i++) {
		struct xstep s = q->s[i];

		if (s.op == XOP_READ || s.op == XOP_WRITE)
			changed |= natural_width(x, q, i);
		s = q->s[i];
		if (s.op == XOP_WRITE) {
			for (int b = 31; b >= 0; b--) {
				struct xstep c = q->s[i];

				if (!(c.value & (1u << b)))
					continue;
				c.value &= ~(1u << b);
				changed |= try_step(x, q, i, c);
			}
		} else if (s.op == XOP_WAIT_CC) {
			/*
			 * The script's wait-cc is a check (Command Completed within
			 * 1 s), the explorer's only a poll: a wait whose completion
			 * did not matter becomes a Slot Status read (its last poll
			 * showed the finding), else a delay (it only waited).
			 */
			if (!try_step(x, q, i, (struct xstep){ XOP_READ, PCI_EXP_SLTSTA, 2, 0 }))
				changed |= try_step(x, q, i, (struct xstep){ XOP_DELAY, 0, 0, 1000 });
			else
				changed = true;
		}
		s = q->s[i];
		if (s.op == XOP_DELAY) {
			while (i < q->n && q->s[i].op == XOP_DELAY && q->s[i].value) {
				struct xstep c = q->s[i];

				c.value /= 2;
				if (!try_step(x, q, i, c))
					break;
				changed = true;
			}
		}
	}
	return changed;
}

int xminimize(const struct xtarget *t, const struct xcampaign_cfg *c,
	      const struct xfinding *want, bool others_ok, struct xseq *q)
{
	struct mini x = { t, c, want, others_ok, c->replays > 0 ? c->replays : XREPLAYS,
			  c->max_replays ? c->max_replays : XMINIMIZE_REPLAYS, 0 };
	bool changed = true;

	if (want->step >= 0 && want->step < q->n)
		q->n = want->step + 1;
	for (int round = 0; changed && round < 6; round++) {
		changed = drop_chunks(&x, q);
		changed |= simplify(&x, q);
	}
	return x.used;
}

/* ---- campaigns ---- */

/*
 * A finding of sequence @sequence, @q its steps so far: counted when its
 * signature is known, else a new record (minimized when the sequence ends).
 * @earlier: findings before it in this sequence. Returns whether it is new.
 */
static bool note(struct xcampaign *out, const struct xfinding *f, const struct xseq *q,
		 int sequence, int earlier)
{
	struct xrecord *rec;

	for (int i = 0; i < out->nrec; i++) {
		if (xfinding_same(&out->rec[i].f, f)) {
			out->rec[i].seen++;
			return false;
		}
	}
	if (out->nrec == XMAX_FINDINGS) {
		out->dropped++;
		return false;
	}
	rec = &out->rec[out->nrec++];
	memset(rec, 0, sizeof(*rec));
	rec->f = *f;
	rec->found = *q;
	rec->after_other = earlier > 0;
	rec->sequence = sequence;
	rec->steps_before = out->steps - (f->step >= 0 ? q->n : 0);	/* prologue: none */
	rec->seen = 1;
	return true;
}

static void minimize_record(const struct xtarget *t, const struct xcampaign_cfg *c,
			    struct xcampaign *out, struct xrecord *rec)
{
	uint64_t t0 = campaign_now(t, c);
	struct xfinding f;

	rec->min = rec->found;
	if (c->max_replays < 0)
		return;
	rec->replays = xminimize(t, c, &rec->f, rec->after_other, &rec->min);
	/* What the minimized sequence shows: same signature, its own values. */
	if (replay_to(t, &c->model, &rec->min, rec->after_other ? &rec->f : NULL, &f) >= 0 &&
	    xfinding_same(&f, &rec->f))
		rec->f = f;
	out->minimize_us += campaign_now(t, c) - t0;
}

/* A prologue finding: the one read that shows it. */
static void prologue_seq(const struct xfinding *f, struct xseq *q)
{
	struct xstep pro[XREGS + 1];

	xmodel_prologue(pro, (int)ARRAY_SIZE(pro));
	q->n = 1;
	q->s[0] = pro[-1 - f->step];
}

/*
 * Sequence @i to its end, carrying on past findings as the model does (a
 * frequent deviation must not hide the others), then its new findings
 * minimized. Returns true when the campaign stops here (stop_at_first).
 */
static bool run_sequence(const struct xtarget *t, const struct xcampaign_cfg *c,
			 struct xcampaign *out, int i)
{
	int first_new = out->nrec, found = 0, len, migrate_at;
	struct xseq q = { 0 };
	struct xfinding f;
	struct xmodel m;
	struct xrng r;
	static struct xdiff_run d;	/* large: not on the stack */

	/* Each sequence has its own seed: any one replays alone, shards split evenly. */
	xrng_seed(&r, c->seed * 0x100000001b3ull + (uint64_t)i);
	len = xgen_length(&c->gen, &r);
	if (xrun_begin(t, &c->model, &m, &f)) {	/* the model cannot follow this start */
		prologue_seq(&f, &q);
		note(out, &f, &q, i, found++);
		len = 0;
	}
	migrate_at = c->gen.one_migration && len ? (int)xrng_below(&r, (uint32_t)len) : -1;
	xdiff_start(&d);
	while (q.n < len && q.n < XSEQ_MAX) {
		struct xobs o;
		struct xstep s = q.n == migrate_at ? (struct xstep){ XOP_MIGRATE, 0, 0, 0 }
						   : xgen_next(&c->gen, &r, &m, t->now_us(t->ctx));

		xexec_step(t, &m.ctx, &s, &o);
		xdiff_note(&d, &m, q.n, &s, &o);
		q.s[q.n++] = s;
		out->steps++;
		if (!xmodel_step(&m, &s, &o, &f))
			continue;
		f.step = q.n - 1;
		if (note(out, &f, &q, i, found++) && c->stop_at_first)
			break;
	}
	/* A migration the model found nothing wrong with: the same sequence without it. */
	if (!found && xdiff_check(t, &c->model, &q, &d, &f))
		note(out, &f, &q, i, found++);
	out->sequences++;
	out->undefined += m.undefined;
	for (int k = first_new; k < out->nrec; k++)
		minimize_record(t, c, out, &out->rec[k]);
	return c->stop_at_first && out->nrec > first_new;
}

static bool in_shard(const struct xcampaign_cfg *c, int i)
{
	return c->shards <= 1 || i % c->shards == c->shard - 1;
}

void xcampaign_run(const struct xtarget *t, const struct xcampaign_cfg *c, struct xcampaign *out)
{
	memset(out, 0, sizeof(*out));
	if (c->sequences <= 0 && !(c->clock_us && c->deadline_us))
		return;		/* unbounded needs a budget */
	for (int i = 0; c->sequences <= 0 || i < c->sequences; i++) {
		if (!in_shard(c, i))
			continue;
		if (budget_spent(c, c->reserve_us))
			break;
		if (run_sequence(t, c, out, i))
			return;
	}
}

/* ---- reports ---- */

static const char *const oracle_names[XOR_COUNT] = {
	[XOR_VALUE] = "value", [XOR_COMMAND] = "command", [XOR_HOST] = "host",
	[XOR_DIFF] = "differential",
};

static const char *reg_words(uint8_t off)
{
	const struct regattr_reg *reg = xmodel_reg_at(off);

	if (off == XREG_CHILD)
		return "slot-child";
	if (off == XREG_NONE || !reg)
		return "-";
	return reg->obs;
}

int xfinding_signature(const struct xfinding *f, char *buf, int len)
{
	return snprintf(buf, len, "%s %s %s %s", oracle_names[f->oracle], reg_words(f->reg_off),
			f->field_name, xrule_texts[f->rule].name);
}

/* The field's value moved from register position to a read of @s. */
static uint32_t to_access(const struct xfinding *f, const struct xstep *s, uint32_t v)
{
	v = xbytes_move(v, f->reg_off, s->off);
	return s->size == 4 ? v : v & ((1u << (s->size * 8)) - 1);
}

/* The last step: an expect of what the spec allows, where a read showed it. */
static int last_line(const struct xrecord *rec, const struct xscript_names *nm, int n,
		     char *buf, int len)
{
	const struct xfinding *f = &rec->f;
	const struct xstep *s = &rec->min.s[rec->min.n - 1];
	struct xstep r = *s;
	char line[160];
	int w = 0;

	if (f->oracle != XOR_VALUE && f->oracle != XOR_DIFF)	/* a diff: what it read without */
		return xstep_script(s, nm, n, buf, len);
	if (f->reg_off == XREG_CHILD)
		return snprintf(buf, len, "expect16 slot-child %s VENDOR 0xffff 0x%04x", nm->port,
				f->want);
	if (s->op == XOP_WAIT_CC) {	/* the wait's last poll showed it */
		w = xstep_script(s, nm, n, buf, len);
		w += snprintf(buf + w, len - w, "\n    ");
		r = (struct xstep){ XOP_READ, PCI_EXP_SLTSTA, 2, 0 };
	}
	xstep_script(&r, nm, n, line, sizeof(line));
	/* "readW PORT REG" -> "expectW PORT REG MASK VALUE" */
	return w + snprintf(buf + w, len - w, "expect%s 0x%0*x 0x%0*x", line + 4,
			    r.size * 2, to_access(f, &r, f->field), r.size * 2,
			    to_access(f, &r, f->want));
}

static const char *host_words(const struct xfinding *f)
{
	switch (f->rule) {
	case XR_MIGRATE:
		return "the migration was refused";
	case XR_ADD:
		return f->got ? "device_add was accepted into an occupied slot"
			      : "device_add into the empty slot was refused";
	default:
		return f->got ? "device_del was accepted with no adapter in the slot"
			      : "device_del of the adapter in the slot was refused";
	}
}

static int summary(const struct xrecord *rec, const struct xreport_names *nm, char *buf, int len)
{
	const struct xfinding *f = &rec->f;
	const struct xrule_text *rule = &xrule_texts[f->rule];
	const struct regattr_reg *reg = xmodel_reg_at(f->reg_off);
	int w;

	w = snprintf(buf, len, "What was done: the %d step%s below on %s (%s). ", rec->min.n,
		     rec->min.n == 1 ? "" : "s", nm->script.port,
		     nm->hypervisor ? nm->hypervisor : "the port under test");
	w += snprintf(buf + w, len - w, "What the spec says: %s (%s%s%s). ", rule->what,
		      rule->section, reg && f->reg_off < XREG_NONE ? "; register: " : "",
		      reg && f->reg_off < XREG_NONE ? reg->spec : "");
	if (f->oracle == XOR_VALUE)
		w += snprintf(buf + w, len - w, "What happened: %s %s read 0x%x, the spec "
			      "allows 0x%x%s", reg_words(f->reg_off), f->field_name, f->got,
			      f->want, f->has_alt ? " (or" : "");
	else if (f->rule == XR_DELETED)
		w += snprintf(buf + w, len - w, "What happened: %u DEVICE_DELETED event(s) "
			      "came for %u removal(s) device_del asked for", f->got, f->want);
	else if (f->oracle == XOR_DIFF)
		w += snprintf(buf + w, len - w, "What happened: after the migration %s %s read "
			      "0x%x; the same steps without the migration read 0x%x",
			      reg_words(f->reg_off), f->field_name, f->got, f->want);
	else if (f->oracle == XOR_COMMAND)
		w += snprintf(buf + w, len - w, "What happened: no Command Completed within 1 s");
	else
		w += snprintf(buf + w, len - w, "What happened: %s", host_words(f));
	if (f->oracle == XOR_VALUE && f->has_alt)
		w += snprintf(buf + w, len - w, " 0x%x)", f->alt);
	return w + snprintf(buf + w, len - w, ".");
}

/* @text as comment lines of at most @width characters ("# " included). */
static int wrap_comment(const char *text, int width, char *buf, int len)
{
	int w = 0;

	while (*text && w < len) {
		int n = (int)strlen(text), cut = n;

		if (n > width - 2) {
			for (cut = width - 2; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = width - 2;
		}
		w += snprintf(buf + w, len - w, "# %.*s\n", cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
	return w;
}

int xrecord_report(const struct xrecord *rec, const struct xreport_names *nm, char *buf, int len)
{
	char sig[120], para[1024];
	int w;

	xfinding_signature(&rec->f, sig, sizeof(sig));
	w = snprintf(buf, len, "# Finding: %s\n", sig);
	summary(rec, nm, para, sizeof(para));
	w += wrap_comment(para, 78, buf + w, len - w);
	w += snprintf(buf + w, len - w, "[%s]\n", nm->entry);
	if (nm->machine)
		w += snprintf(buf + w, len - w, "machine = %s\n", nm->machine);
	if (nm->devices)
		w += snprintf(buf + w, len - w, "devices = %s\n", nm->devices);
	w += snprintf(buf + w, len - w, "script = ");
	for (int i = 0; i < rec->min.n && w < len; i++) {
		if (i)
			w += snprintf(buf + w, len - w, "    ");
		if (i == rec->min.n - 1)
			w += last_line(rec, &nm->script, i + 1, buf + w, len - w);
		else
			w += xstep_script(&rec->min.s[i], &nm->script, i + 1, buf + w, len - w);
		w += snprintf(buf + w, len - w, "\n");
	}
	return w;
}
