/*
 * explore_pci.c - the explorer's target on a real port (see explore_pci.h).
 * Reset returns the slot to where it started, the way pciehp would bring a
 * slot up: commands waited for, power on with the indicators, the link and
 * the function behind awaited, events cleared; it does only what the
 * sequence made necessary (target_reset).
 */
#include "explore_pci.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "slot_board.h"
#include "time.h"

#define CMD_POLL_US 100

static uint16_t reg_at(const struct xpci_target *x, uint8_t off)
{
	return (uint16_t)(x->slot.exp + off);
}

/* The byte at capability offset @byte of an access (@off, @size, @v), or -1 outside it. */
static int byte_of(uint8_t off, uint8_t size, uint32_t v, uint8_t byte)
{
	if (byte < off || byte >= off + size)
		return -1;
	return (int)((v >> (byte - off) * 8) & 0xff);
}

static uint32_t target_read(void *ctx, uint8_t off, uint8_t size)
{
	struct xpci_target *x = ctx;
	uint32_t v;

	if (size == 1)
		v = pci_cfg_read8(x->slot.port, reg_at(x, off));
	else if (size == 2)
		v = pci_cfg_read16(x->slot.port, reg_at(x, off));
	else
		v = pci_cfg_read32(x->slot.port, reg_at(x, off));
	if (byte_of(off, size, v, PCI_EXP_SLTSTA) > 0 &&
	    (byte_of(off, size, v, PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_CC))
		x->cmd_pending = false;		/* the last command completed */
	return v;
}

/*
 * What a write did that the next reset must undo or wait for: a Slot
 * Control command in flight, or power or link cycled (PCC set to power
 * off, Link Disable, Retrain Link, anything in Link Control 2).
 */
static void note_write(struct xpci_target *x, uint8_t off, uint8_t size, uint32_t v)
{
	int ctl_hi = byte_of(off, size, v, PCI_EXP_SLTCTL + 1);
	int lnk_lo = byte_of(off, size, v, PCI_EXP_LNKCTL);

	if (ctl_hi >= 0 || byte_of(off, size, v, PCI_EXP_SLTCTL) >= 0) {
		x->cmd_pending = true;
		x->cmd_written_us = time_now_us();
	}
	if ((ctl_hi > 0 && (ctl_hi & (PCI_EXP_SLTCTL_PCC >> 8))) ||
	    (lnk_lo > 0 && (lnk_lo & (PCI_EXP_LNKCTL_LD | PCI_EXP_LNKCTL_RL))) ||
	    byte_of(off, size, v, PCI_EXP_LNKCTL2) >= 0 ||
	    byte_of(off, size, v, PCI_EXP_LNKCTL2 + 1) >= 0)
		x->cycled = true;
}

static void target_write(void *ctx, uint8_t off, uint8_t size, uint32_t v)
{
	struct xpci_target *x = ctx;

	note_write(x, off, size, v);
	if (size == 1)
		pci_cfg_write8(x->slot.port, reg_at(x, off), (uint8_t)v);
	else if (size == 2)
		pci_cfg_write16(x->slot.port, reg_at(x, off), (uint16_t)v);
	else
		pci_cfg_write32(x->slot.port, reg_at(x, off), v);
}

static uint16_t target_child(void *ctx)
{
	struct xpci_target *x = ctx;

	return pci_vendor(slot_child(&x->slot, 0));
}

static bool target_host(void *ctx, uint8_t op)
{
	struct xpci_target *x = ctx;
	int r;

	if (op == XOP_MIGRATE)
		return x->migrate();
	if (!x->device)
		return false;
	r = x->device(op);
	if (r < 0)
		x->no_qmp++;
	if (op == XOP_DEVICE_DEL && r > 0)
		x->del_accepted = true;
	return r > 0;
}

static uint32_t target_deleted(void *ctx)
{
	struct xpci_target *x = ctx;

	return x->deleted();
}

/* device_del's unplug request must not outlive its sequence: answer it as pciehp would. */
static void finish_removal(struct xpci_target *x)
{
	struct pcie_slot *s = &x->slot;

	if (!x->del_accepted)
		return;
	x->del_accepted = false;
	if (!(slot_status(s) & PCI_EXP_SLTSTA_PDS))
		return;
	slot_power_off(s);
	slot_set_power_indicator(s, PCI_EXP_SLTCTL_PWR_IND_OFF);
	x->removals_finished++;
}

static void target_delay(void *ctx, uint64_t us)
{
	udelay(us);
}

static uint64_t target_now(void *ctx)
{
	return time_now_us();
}

/* The slot as the start state left it: controls, presence, link, no events of a cycle. */
static bool as_started(struct xpci_target *x)
{
	struct pcie_slot *s = &x->slot;
	uint16_t sta = slot_status(s);

	return slot_ctrl(s) == x->sltctl && link_ctrl(s) == x->lnkctl &&
	       pci_cfg_read16(s->port, reg_at(x, PCI_EXP_LNKCTL2)) == x->lnkctl2 &&
	       (sta & PCI_EXP_SLTSTA_EIS) == x->eis &&
	       (sta & PCI_EXP_SLTSTA_PDS) && !(sta & (PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC));
}

/*
 * Controls, power and indicators back to the start state, the way pciehp
 * brings a slot up. Returns whether it powered the slot on (and so waited
 * for the link and the function already).
 */
static bool restart_slot(struct xpci_target *x)
{
	struct pcie_slot *s = &x->slot;
	uint16_t keep = PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC;
	struct slot_board b;
	bool powered = false;

	pci_cfg_write16(s->port, reg_at(x, PCI_EXP_LNKCTL), x->lnkctl);
	pci_cfg_write16(s->port, reg_at(x, PCI_EXP_LNKCTL2), x->lnkctl2);
	/* The interlock as it was: engaged, it keeps the adapter out (QEMU refuses device_add). */
	if ((slot_status(s) & PCI_EXP_SLTSTA_EIS) != x->eis)
		slot_write_cmd(s, PCI_EXP_SLTCTL_EIC, PCI_EXP_SLTCTL_EIC);
	if (!(slot_status(s) & PCI_EXP_SLTSTA_PDS)) {
		x->restores++;
		x->restore();
	}
	if (!slot_is_powered_on(s))
		powered = slot_board_added(s, SLOT_BOARD_EMPTY_OK, &b) || b.link_waited;
	/* Enables and the rest as they were; power and indicators as pciehp left them. */
	slot_write_cmd(s, x->sltctl, (uint16_t)~keep & ~PCI_EXP_SLTCTL_EIC);
	slot_set_indicators(s, x->sltctl & PCI_EXP_SLTCTL_PIC, x->sltctl & PCI_EXP_SLTCTL_AIC);
	return powered;
}

/*
 * A command the sequence left in flight: its Command Completed, until 1 s
 * after its write (PCIe r5.0 §6.7.3.2). Polled here, not through the slot
 * layer's bookkeeping: a completion the sequence itself cleared must not
 * look like a port that does not complete (slot.h broken_cmd_compl).
 */
static void wait_left_cmd(struct xpci_target *x)
{
	struct pcie_slot *s = &x->slot;
	uint64_t end = x->cmd_written_us + SLOT_CMD_TIMEOUT_MS * 1000ull;
	uint16_t sta;

	if (!x->cmd_pending || (s->sltcap & PCI_EXP_SLTCAP_NCCS))
		return;
	x->cmd_pending = false;
	for (;;) {
		sta = slot_status(s);
		if (sta == 0xffff || (sta & PCI_EXP_SLTSTA_CC) || time_now_us() >= end)
			return;
		udelay(CMD_POLL_US);
	}
}

/*
 * Three ways back, cheapest first: a slot the sequence left as it started
 * (no command in flight, nothing cycled) only has its events cleared; one
 * whose link went down or retrained waits for the link and the function
 * as pciehp does (PCIe r5.0 §6.6.1: 100 ms after the link is up); one
 * whose controls or adapter changed is brought up again.
 */
static void target_reset(void *ctx)
{
	struct xpci_target *x = ctx;
	struct pcie_slot *s = &x->slot;
	bool link_up, dirty, waited = false;

	wait_left_cmd(x);
	finish_removal(x);
	link_up = !(s->lnkcap & PCI_EXP_LNKCAP_DLLLARC) ||
		  (link_status(s) & PCI_EXP_LNKSTA_DLLLA);
	dirty = !as_started(x);
	if (dirty) {
		x->dirty++;
		waited = restart_slot(x);
	}
	if (!waited && (x->cycled || !link_up || !slot_child_present(s))) {
		slot_wait_link_active(s, SLOT_LINK_TIMEOUT_MS);
		slot_wait_child(s, SLOT_CHILD_TIMEOUT_MS);
	} else if (!dirty) {
		x->untouched++;
	}
	x->cycled = false;
	slot_clear_events(s, SLOT_EVENTS);
	if (link_status(s) & (PCI_EXP_LNKSTA_LBMS | PCI_EXP_LNKSTA_LABS))
		pci_cfg_write16(s->port, reg_at(x, PCI_EXP_LNKSTA),
				PCI_EXP_LNKSTA_LBMS | PCI_EXP_LNKSTA_LABS);
}

void xpci_target_init(struct xtarget *t, struct xpci_target *x, const struct pcie_slot *s,
		      bool (*migrate)(void), void (*restore)(void))
{
	memset(x, 0, sizeof(*x));
	x->slot = *s;
	x->migrate = migrate;
	x->restore = restore;
	x->sltctl = slot_ctrl(s) & (uint16_t)~PCI_EXP_SLTCTL_EIC;
	x->lnkctl = link_ctrl(s) & (uint16_t)~PCI_EXP_LNKCTL_RL;
	x->lnkctl2 = pci_cfg_read16(s->port, reg_at(x, PCI_EXP_LNKCTL2));
	x->eis = slot_status(s) & PCI_EXP_SLTSTA_EIS;
	*t = (struct xtarget){ x, target_reset, target_read, target_write, target_child,
			       target_host, target_delay, target_now, NULL };
}

void xpci_target_hotplug(struct xtarget *t, struct xpci_target *x, int (*device)(uint8_t op),
			 uint32_t (*deleted)(void))
{
	x->device = device;
	x->deleted = deleted;
	t->deleted = deleted ? target_deleted : NULL;
}
