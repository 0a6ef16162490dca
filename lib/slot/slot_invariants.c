/*
 * slot_invariants.c - the invariants of a slot under a stream of commands
 * (see slot_invariants.h). Registers: PCIe r5.0 §7.5.3.10 Slot Control,
 * §7.5.3.11 Slot Status, §7.5.3.8 Link Status; Command Completed §6.7.3.2.
 */
#include "libc.h"
#include "lspci.h"
#include "pci_regs.h"
#include "printf.h"
#include "slot_invariants.h"

/* What an adapter coming or going raises (§6.7.3.1 Presence Detect, §6.7.3.3 DLL State). */
#define ADAPTER_EVENTS	(PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC)

uint16_t slot_expect_bits(uint32_t sltcap)
{
	/* PDCE and HPIE exist on every hot-plug port (§7.5.3.10). */
	uint16_t bits = PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_HPIE;

	if (sltcap & PCI_EXP_SLTCAP_PCP)
		bits |= PCI_EXP_SLTCTL_PCC;
	if (sltcap & PCI_EXP_SLTCAP_PIP)
		bits |= PCI_EXP_SLTCTL_PIC;
	if (sltcap & PCI_EXP_SLTCAP_AIP)
		bits |= PCI_EXP_SLTCTL_AIC;
	if (sltcap & PCI_EXP_SLTCAP_ABP)
		bits |= PCI_EXP_SLTCTL_ABPE;
	/* CCIE may be read-only 0 with No Command Completed Support. */
	if (!(sltcap & PCI_EXP_SLTCAP_NCCS))
		bits |= PCI_EXP_SLTCTL_CCIE;
	return bits;
}

void slot_expect_init(struct slot_expect *e, uint32_t sltcap, uint32_t lnkcap,
		      const struct slot_seen *now)
{
	e->sltcap = sltcap;
	e->lnkcap = lnkcap;
	e->ctl_mask = slot_expect_bits(sltcap);
	e->sltctl = now->r.sltctl & e->ctl_mask;
	e->events_may = 0;
	e->events_must = 0;
	e->pds_known = true;
	e->pds = now->r.sltsta & PCI_EXP_SLTSTA_PDS;
}

void slot_expect_command(struct slot_expect *e, uint16_t val, uint16_t mask, bool consumed)
{
	uint16_t power = PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC;

	e->sltctl = (uint16_t)((e->sltctl & ~mask) | (val & mask & e->ctl_mask));
	/* slot_wait_cmd() cleared CC, the previous command's with it. */
	if (consumed)
		slot_expect_cleared(e, PCI_EXP_SLTSTA_CC);
	else if (!(e->sltcap & PCI_EXP_SLTCAP_NCCS))
		e->events_may |= PCI_EXP_SLTSTA_CC;
	/* QEMU unplugs on PCC=off with PIC=off; a real port powers the adapter. */
	if ((mask & power) && (!e->pds_known || e->pds)) {
		e->events_may |= ADAPTER_EVENTS;
		e->pds_known = false;
	}
}

void slot_expect_cleared(struct slot_expect *e, uint16_t events)
{
	e->events_may &= ~events;
	e->events_must &= ~events;
}

static bool powered(const struct slot_expect *e)
{
	return !(e->sltcap & PCI_EXP_SLTCAP_PCP) ||
	       !(e->sltctl & PCI_EXP_SLTCTL_PCC);
}

static unsigned int check_presence(const struct slot_expect *e, const struct slot_seen *now)
{
	bool pds = now->r.sltsta & PCI_EXP_SLTSTA_PDS;

	/* A function answers: something is in the slot (§7.5.3.11 PDS). */
	if (now->child_answers && !pds)
		return SLOT_BAD_PRESENCE;
	if (!e->pds_known)
		return 0;
	if (pds != e->pds)
		return SLOT_BAD_PRESENCE;
	/* Settled, powered and present: the adapter answers. */
	if (pds && powered(e) && !now->child_answers)
		return SLOT_BAD_PRESENCE;
	return 0;
}

unsigned int slot_expect_check(const struct slot_expect *e, const struct slot_seen *now)
{
	uint16_t sta = now->r.sltsta, events = sta & SLOT_EVENTS;
	unsigned int bad = 0;

	if (sta == 0xffff || now->r.sltctl == 0xffff)
		return SLOT_BAD_GONE;
	if ((now->r.sltctl & e->ctl_mask) != e->sltctl)
		bad |= SLOT_BAD_CTL;
	if (events & ~(e->events_may | e->events_must))
		bad |= SLOT_BAD_EVENT;
	if (e->events_must & ~events)
		bad |= SLOT_BAD_LOST;
	bad |= check_presence(e, now);
	if ((e->lnkcap & PCI_EXP_LNKCAP_DLLLARC) && (now->r.lnksta & PCI_EXP_LNKSTA_DLLLA) &&
	    !(sta & PCI_EXP_SLTSTA_PDS))
		bad |= SLOT_BAD_LINK;
	return bad;
}

void slot_expect_learn(struct slot_expect *e, const struct slot_seen *now)
{
	e->events_must |= now->r.sltsta & e->events_may;
	e->pds_known = true;
	e->pds = now->r.sltsta & PCI_EXP_SLTSTA_PDS;
}

int slot_expect_keys(unsigned int bad, struct report_key *keys, int max)
{
	static const struct {
		unsigned int bit;
		struct report_key key;
	} table[] = {
		{ SLOT_BAD_GONE, REPORT_KEY_INIT(PCI_EXP_SLTSTA, NOT_ALL_ONES) },
		{ SLOT_BAD_CTL, REPORT_KEY_INIT(PCI_EXP_SLTCTL, AS_COMMANDED) },
		{ SLOT_BAD_EVENT, REPORT_KEY_INIT(PCI_EXP_SLTSTA, EVENTS_CAUSED) },
		{ SLOT_BAD_LOST, REPORT_KEY_INIT(PCI_EXP_SLTSTA, EVENTS_KEPT) },
		{ SLOT_BAD_PRESENCE, REPORT_KEY_INIT(PCI_EXP_SLTSTA_PDS, CONSISTENT) },
		{ SLOT_BAD_LINK, REPORT_KEY_INIT(PCI_EXP_LNKSTA_DLLLA, CLEAR_WITHOUT_PRESENCE) },
	};
	int n = 0;

	for (int i = 0; i < (int)ARRAY_SIZE(table) && n < max; i++)
		if (bad & table[i].bit)
			keys[n++] = table[i].key;
	return n;
}

uint16_t slot_expect_sltctl(const struct slot_expect *e, const struct slot_seen *now)
{
	return (uint16_t)((now->r.sltctl & ~e->ctl_mask) | e->sltctl);
}

/* "SltCtl: Enable: ... Control: ..." on one line: lspci's words, tabs and newlines as spaces. */
static const char *one_line(char *buf)
{
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return buf;
}

static const char *sltctl_words(char *buf, uint16_t v)
{
	lspci_sltctl(buf, LSPCI_BUF, v);
	return one_line(buf);
}

static const char *sltsta_words(char *buf, uint16_t v)
{
	lspci_sltsta(buf, LSPCI_BUF, v);
	return one_line(buf);
}

const char *slot_expect_explain(char *buf, size_t size, unsigned int bit,
				const struct slot_expect *e, const struct slot_seen *now)
{
	char words[LSPCI_BUF];
	uint16_t sta = now->r.sltsta, events = sta & SLOT_EVENTS;
	uint16_t want = slot_expect_sltctl(e, now);

	switch (bit) {
	case SLOT_BAD_GONE:
		snprintf(buf, size, "the port reads all ones (SltCtl %04x SltSta %04x)",
			 now->r.sltctl, sta);
		break;
	case SLOT_BAD_CTL:
		snprintf(buf, size, "Slot Control %04x, commanded %04x (bits %04x); commanded: %s",
			 now->r.sltctl, want, e->ctl_mask,
			 sltctl_words(words, want));
		break;
	case SLOT_BAD_EVENT:
		snprintf(buf, size, "events %04x set that nothing caused (SltSta %04x): %s",
			 events & ~(e->events_may | e->events_must), sta,
			 sltsta_words(words, sta));
		break;
	case SLOT_BAD_LOST:
		snprintf(buf, size, "events %04x seen set are gone, nobody cleared them "
			 "(SltSta %04x): %s", e->events_must & ~events, sta,
			 sltsta_words(words, sta));
		break;
	case SLOT_BAD_PRESENCE:
		snprintf(buf, size, "PresDet%c (expected %s), a function %s behind the slot, "
			 "power %s (SltSta %04x)", (sta & PCI_EXP_SLTSTA_PDS) ? '+' : '-',
			 !e->pds_known ? "unsettled" : e->pds ? "PresDet+" : "PresDet-",
			 now->child_answers ? "answers" : "does not answer",
			 powered(e) ? "on" : "off", sta);
		break;
	case SLOT_BAD_LINK:
		snprintf(buf, size, "DLActive+ in a slot with PresDet- (LnkSta %04x SltSta %04x)",
			 now->r.lnksta, sta);
		break;
	default:
		snprintf(buf, size, "finding %#x", bit);
	}
	return buf;
}
