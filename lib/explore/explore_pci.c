/*
 * explore_pci.c - the explorer's target on a real port (see explore_pci.h).
 * Reset returns the slot to where it started, the way pciehp would bring a
 * slot up: commands waited for, power on with the indicators, the link and
 * the function behind awaited, events cleared.
 */
#include "explore_pci.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "slot_board.h"
#include "time.h"

static uint16_t reg_at(const struct xpci_target *x, uint8_t off)
{
	return (uint16_t)(x->slot.exp + off);
}

static uint32_t target_read(void *ctx, uint8_t off, uint8_t size)
{
	struct xpci_target *x = ctx;

	if (size == 1)
		return pci_cfg_read8(x->slot.port, reg_at(x, off));
	if (size == 2)
		return pci_cfg_read16(x->slot.port, reg_at(x, off));
	return pci_cfg_read32(x->slot.port, reg_at(x, off));
}

static void target_write(void *ctx, uint8_t off, uint8_t size, uint32_t v)
{
	struct xpci_target *x = ctx;

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

/* MIG: the interlock as it started (QEMU refuses device_add and migration while it holds, §6.7.1.8). */
static void release_interlock(struct xpci_target *x)
{
	struct pcie_slot *s = &x->slot;

	if (!!(slot_status(s) & PCI_EXP_SLTSTA_EIS) != x->eis)
		slot_write_cmd(s, PCI_EXP_SLTCTL_EIC, PCI_EXP_SLTCTL_EIC);	/* a toggle */
}

/* MIG: device_del's unplug request must not outlive its sequence: answer it as pciehp would. */
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

static void target_reset(void *ctx)
{
	struct xpci_target *x = ctx;
	struct pcie_slot *s = &x->slot;
	uint16_t keep = PCI_EXP_SLTCTL_PCC | PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_AIC;
	struct slot_board b;

	slot_wait_foreign_cmd(s);	/* a command the sequence left in flight */
	release_interlock(x);		/* MIG */
	finish_removal(x);		/* MIG */
	if (slot_ctrl(s) != x->sltctl || link_ctrl(s) != x->lnkctl ||
	    !(slot_status(s) & PCI_EXP_SLTSTA_PDS))
		x->dirty++;
	pci_cfg_write16(s->port, reg_at(x, PCI_EXP_LNKCTL), x->lnkctl);
	pci_cfg_write16(s->port, reg_at(x, PCI_EXP_LNKCTL2), x->lnkctl2);
	if (!(slot_status(s) & PCI_EXP_SLTSTA_PDS)) {
		x->restores++;
		x->restore();
	}
	if (!slot_is_powered_on(s))
		slot_board_added(s, SLOT_BOARD_EMPTY_OK, &b);
	/* Enables and the rest as they were; power and indicators as pciehp left them. */
	slot_write_cmd(s, x->sltctl, (uint16_t)~keep & ~PCI_EXP_SLTCTL_EIC);
	slot_set_indicators(s, x->sltctl & PCI_EXP_SLTCTL_PIC, x->sltctl & PCI_EXP_SLTCTL_AIC);
	slot_wait_link_active(s, SLOT_LINK_TIMEOUT_MS);
	slot_wait_child(s, SLOT_CHILD_TIMEOUT_MS);
	slot_clear_events(s, SLOT_EVENTS);
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
	x->eis = slot_status(s) & PCI_EXP_SLTSTA_EIS;	/* MIG */
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
