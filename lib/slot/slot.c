/*
 * slot.c - PCI Express hot-plug slot operations (see slot.h).
 *
 * The sequencing follows Linux pciehp in polling mode (the firmware takes
 * no interrupts, so every wait is a bounded poll), split as Linux splits it:
 * the register layer of pciehp_hpc.c (pcie_do_write_cmd, pcie_wait_cmd,
 * pcie_poll_cmd, pciehp_power_on_slot, pciehp_power_off_slot,
 * pciehp_set_indicators, pciehp_check_link_status, pci_bus_check_dev; pci.c:
 * pcie_wait_for_link_delay). The sequences pciehp_ctrl.c builds on it
 * (board_added, remove_board) are in slot_board.c.
 *
 * Registers (PCI Express capability): PCIe r5.0 §7.5.3.9 Slot Capabilities
 * (offset 14h), §7.5.3.10 Slot Control (18h), §7.5.3.11 Slot Status (1Ah),
 * §7.5.3.6-8 Link Capabilities (0Ch), Link Control (10h), Link Status (12h).
 */
#include "libc.h"
#include "lspci.h"
#include "slot.h"
#include "pci_regs.h"
#include "printf.h"
#include "time.h"

#define CMD_POLL_US	10	/* Command Completed polling step */
#define LINK_POLL_MS	1	/* pciehp polls every 10 ms; finer costs nothing here */
#define LINK_DETECT_MS	20	/* PCIe r5.0 §6.6.1: LTSSM Detect within 20 ms */
#define CHILD_POLL_MS	1

/* ---- the PCI Express capability's registers (pcie_capability_*_word) ---- */

uint16_t pcie_cap_read16(const struct pcie_slot *s, uint16_t reg)
{
	return pci_cfg_read16(s->port, s->exp + reg);
}

uint32_t pcie_cap_read32(const struct pcie_slot *s, uint16_t reg)
{
	return pci_cfg_read32(s->port, s->exp + reg);
}

void pcie_cap_write16(const struct pcie_slot *s, uint16_t reg, uint16_t val)
{
	pci_cfg_write16(s->port, s->exp + reg, val);
}

void pcie_cap_clear_and_set16(const struct pcie_slot *s, uint16_t reg, uint16_t clear,
			      uint16_t set)
{
	pcie_cap_write16(s, reg, (uint16_t)((pcie_cap_read16(s, reg) & ~clear) | set));
}

static uint16_t rd16(const struct pcie_slot *s, uint16_t reg)
{
	return pcie_cap_read16(s, reg);
}

static void wr16(const struct pcie_slot *s, uint16_t reg, uint16_t val)
{
	pcie_cap_write16(s, reg, val);
}

int slot_init(struct pcie_slot *s, struct pci_bdf port)
{
	uint16_t flags;

	memset(s, 0, sizeof(*s));
	s->port = port;
	s->power_off_settle_ms = 1000;
	if (pci_cfg_read16(port, PCI_VENDOR_ID) == 0xffff)
		return -1;
	s->exp = pci_find_cap(port, PCI_CAP_ID_EXP);
	if (!s->exp)
		return -1;
	flags = rd16(s, PCI_EXP_FLAGS);
	/* PCIe r5.0 §7.5.3.2: Slot Implemented, valid for Downstream Ports only. */
	if (!(flags & PCI_EXP_FLAGS_SLOT))
		return -1;
	s->port_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
	s->sltcap = pcie_cap_read32(s, PCI_EXP_SLTCAP);
	s->lnkcap = pcie_cap_read32(s, PCI_EXP_LNKCAP);
	s->sec_bus = pci_cfg_read8(port, PCI_SECONDARY_BUS);
	return 0;
}

uint16_t slot_ctrl(const struct pcie_slot *s)
{
	return rd16(s, PCI_EXP_SLTCTL);
}

uint16_t slot_status(const struct pcie_slot *s)
{
	return rd16(s, PCI_EXP_SLTSTA);
}

uint16_t link_status(const struct pcie_slot *s)
{
	return rd16(s, PCI_EXP_LNKSTA);
}

uint16_t link_ctrl(const struct pcie_slot *s)
{
	return rd16(s, PCI_EXP_LNKCTL);
}

void slot_read_regs(const struct pcie_slot *s, struct slot_regs *r)
{
	r->sltcap = pcie_cap_read32(s, PCI_EXP_SLTCAP);
	r->sltctl = slot_ctrl(s);
	r->sltsta = slot_status(s);
	r->lnkcap = pcie_cap_read32(s, PCI_EXP_LNKCAP);
	r->lnkctl = link_ctrl(s);
	r->lnksta = link_status(s);
}

struct pci_bdf slot_child(const struct pcie_slot *s, uint8_t fn)
{
	return pci_bdf(s->port.seg, s->sec_bus, 0, fn);
}

bool slot_has_power_controller(const struct pcie_slot *s)
{
	return s->sltcap & PCI_EXP_SLTCAP_PCP;
}

bool slot_is_powered_on(const struct pcie_slot *s)
{
	/* r5.0 §7.5.3.10: PCC 0b = power on, 1b = power off. */
	return !slot_has_power_controller(s) || !(slot_ctrl(s) & PCI_EXP_SLTCTL_PCC);
}

/*
 * Like Linux pci_bus_generic_read_dev_vendor_id(): all ones or all zeroes
 * (in either half) is no function; vendor 0001h is a Configuration Request
 * Retry Status completion under CRS Software Visibility (r5.0 §2.3.2), i.e.
 * "there, but not ready yet".
 */
static bool vendor_answers(uint32_t id, bool *retry)
{
	*retry = (id & 0xffff) == 0x0001;
	if (*retry)
		return false;
	return id != 0xffffffff && id != 0 && id != 0x0000ffff && id != 0xffff0000;
}

bool slot_child_present(const struct pcie_slot *s)
{
	bool retry;

	return vendor_answers(pci_cfg_read32(slot_child(s, 0), PCI_VENDOR_ID), &retry);
}

/* ---- commands (PCIe r5.0 §6.7.3.2 Command Completed Events) ---- */

static bool no_cmd_complete(const struct pcie_slot *s)
{
	/*
	 * r5.0 §7.5.3.9 No Command Completed Support: the port accepts writes
	 * to Slot Control without delay and never sets Command Completed.
	 */
	return s->sltcap & PCI_EXP_SLTCAP_NCCS;
}

/* The command's completion is accounted for: the next one need not wait. */
static void cmd_done(struct pcie_slot *s)
{
	s->cmd_busy = false;
	s->cmd_us = time_now_us() - s->cmd_started_us;
}

/* A command timed out: is it one a broken_cmd_compl port leaves uncompleted? */
static bool detect_broken_cmd_compl(struct pcie_slot *s)
{
	if (s->cmd_changes_control || !s->control_cmds_completed)
		return false;
	s->broken_cmd_compl = true;
	s->cmd_busy = false;
	return true;
}

/* Command Completed seen: cleared, counted; false if it came after the spec's 1 s. */
static bool completed(struct pcie_slot *s, bool already_late)
{
	/* RW1C: write that bit alone, so no other event is lost. */
	wr16(s, PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_CC);
	cmd_done(s);
	if (s->cmd_changes_control)
		s->control_cmds_completed++;
	if (s->cmd_us > SLOT_CMD_TIMEOUT_MS * 1000ull && !already_late) {
		s->cmd_late++;
		return false;
	}
	return !already_late;
}

bool slot_wait_cmd(struct pcie_slot *s)
{
	struct deadline d = { s->cmd_started_us + SLOT_CMD_POLL_TIMEOUT_MS * 1000ull };
	bool already_late = s->cmd_timed_out;
	uint16_t sta;

	if (no_cmd_complete(s) || !s->cmd_busy)
		return true;
	/*
	 * Poll at least once, even past the deadline, so a Command Completed
	 * that arrived late is still cleared (as pcie_wait_cmd() does).
	 */
	for (;;) {
		sta = slot_status(s);
		if (sta == 0xffff)		/* port gone: not a completion */
			break;
		if (sta & PCI_EXP_SLTSTA_CC)
			return completed(s, already_late);
		if (deadline_expired(d))
			break;
		udelay(CMD_POLL_US);
	}
	if (sta != 0xffff && detect_broken_cmd_compl(s))
		return true;
	if (!already_late) {
		s->cmd_timed_out = true;
		s->cmd_timeouts++;
		s->cmd_us = time_now_us() - s->cmd_started_us;
	}
	return false;
}

void slot_write_cmd_nowait(struct pcie_slot *s, uint16_t val, uint16_t mask)
{
	uint16_t ctl, old;

	/* Always wait for a previous command that might still be in progress. */
	slot_wait_cmd(s);

	old = slot_ctrl(s);
	ctl = (uint16_t)((old & ~mask) | (val & mask));
	/*
	 * EIC reads as 0 (r5.0 §7.5.3.10) and writing 1 toggles the interlock:
	 * never pass it through a read-modify-write unless asked to.
	 */
	if (!(mask & PCI_EXP_SLTCTL_EIC))
		ctl &= ~PCI_EXP_SLTCTL_EIC;

	s->cmd_changes_control = (ctl ^ old) & SLOT_CC_ERRATUM_MASK;
	s->cmd_written = ctl;
	s->cmd_timed_out = false;
	/* pciehp: a broken_cmd_compl port is not waited for on such commands. */
	s->cmd_busy = !(s->broken_cmd_compl && !s->cmd_changes_control);
	s->cmd_started_us = time_now_us();
	s->cmd_us = 0;
	/* r5.0 §6.7.3.2: a single write to Slot Control is a single command. */
	wr16(s, PCI_EXP_SLTCTL, ctl);
}

bool slot_write_cmd(struct pcie_slot *s, uint16_t val, uint16_t mask)
{
	slot_write_cmd_nowait(s, val, mask);
	return slot_wait_cmd(s);
}

bool slot_cmd_pending(const struct pcie_slot *s)
{
	return s->cmd_busy;
}

bool slot_write_cmd_keep_cc(struct pcie_slot *s, uint16_t val, uint16_t mask,
			    unsigned int ms)
{
	struct deadline d;
	bool seen;

	slot_write_cmd_nowait(s, val, mask);
	d = deadline_in_ms(ms);
	while (!(seen = slot_status(s) & PCI_EXP_SLTSTA_CC) && !deadline_expired(d))
		udelay(CMD_POLL_US);
	cmd_done(s);
	return seen;
}

bool slot_wait_foreign_cmd(struct pcie_slot *s)
{
	s->cmd_timed_out = false;
	s->cmd_busy = true;
	s->cmd_started_us = time_now_us();
	return slot_wait_cmd(s);
}

void slot_forget_cmd(struct pcie_slot *s)
{
	s->cmd_busy = false;
}

bool slot_set_indicators(struct pcie_slot *s, uint16_t pic, uint16_t aic)
{
	uint16_t cmd = 0, mask = 0;

	if ((s->sltcap & PCI_EXP_SLTCAP_PIP) && pic) {
		cmd |= pic & PCI_EXP_SLTCTL_PIC;
		mask |= PCI_EXP_SLTCTL_PIC;
	}
	if ((s->sltcap & PCI_EXP_SLTCAP_AIP) && aic) {
		cmd |= aic & PCI_EXP_SLTCTL_AIC;
		mask |= PCI_EXP_SLTCTL_AIC;
	}
	if (!mask)
		return false;
	return slot_write_cmd(s, cmd, mask);
}

bool slot_set_attention(struct pcie_slot *s, uint16_t aic)
{
	if (!(s->sltcap & PCI_EXP_SLTCAP_AIP) || !(aic & PCI_EXP_SLTCTL_AIC))
		return false;
	return slot_set_indicators(s, 0, aic);
}

bool slot_set_power_indicator(struct pcie_slot *s, uint16_t pic)
{
	if (!(s->sltcap & PCI_EXP_SLTCAP_PIP) || !(pic & PCI_EXP_SLTCTL_PIC))
		return false;
	return slot_set_indicators(s, pic, 0);
}

uint16_t slot_clear_events(struct pcie_slot *s, uint16_t events)
{
	uint16_t sta = slot_status(s), set;

	if (sta == 0xffff)
		return 0;
	/* Writing 1 to an event that is not set would lose it if it fired meanwhile. */
	set = sta & events & SLOT_EVENTS;
	if (set)
		wr16(s, PCI_EXP_SLTSTA, set);
	return set;
}

/* ---- power (pciehp_power_on_slot) ---- */

bool slot_power_on_cmd(struct pcie_slot *s)
{
	if (!slot_has_power_controller(s))
		return true;
	/* Power Fault Detected is sticky (r5.0 §7.5.3.11): clear a stale one first. */
	slot_clear_events(s, PCI_EXP_SLTSTA_PFD);
	return slot_write_cmd(s, PCI_EXP_SLTCTL_PWR_ON, PCI_EXP_SLTCTL_PCC);
}

/* ---- link and device (pcie_wait_for_link_delay, pci_bus_check_dev) ---- */

bool slot_wait_link_active(struct pcie_slot *s, unsigned int ms)
{
	struct deadline d;
	uint16_t lnksta;

	/*
	 * Without Data Link Layer Link Active Reporting (r5.0 §7.5.3.6) there
	 * is nothing to poll: wait the whole time plus the settle, as Linux.
	 */
	if (!(s->lnkcap & PCI_EXP_LNKCAP_DLLLARC)) {
		mdelay(ms + SLOT_LINK_SETTLE_MS);
		return true;
	}
	mdelay(LINK_DETECT_MS);
	d = deadline_in_ms(ms);
	for (;;) {
		lnksta = link_status(s);
		if (lnksta != 0xffff && (lnksta & PCI_EXP_LNKSTA_DLLLA))
			break;
		if (deadline_expired(d))
			return false;
		mdelay(LINK_POLL_MS);
	}
	/*
	 * r5.0 §6.6.1: after the link is up, software waits 100 ms before the
	 * first Configuration Request to the device below (the DLL State
	 * Changed event of §6.7.3.3 tells a driver when to start counting).
	 */
	mdelay(SLOT_LINK_SETTLE_MS);
	return true;
}

bool slot_wait_child(struct pcie_slot *s, unsigned int ms)
{
	struct deadline d = deadline_in_ms(ms);
	bool retry;

	for (;;) {
		if (vendor_answers(pci_cfg_read32(slot_child(s, 0), PCI_VENDOR_ID), &retry))
			return true;
		if (deadline_expired(d))
			return false;
		mdelay(CHILD_POLL_MS);
	}
}

/* ---- lspci -vv ---- */

void slot_print(const struct pcie_slot *s)
{
	struct slot_regs r;
	char buf[LSPCI_BUF];

	slot_read_regs(s, &r);
	lspci_print("\t\t", lspci_lnkcap(buf, sizeof(buf), r.lnkcap));
	lspci_print("\t\t", lspci_lnkctl(buf, sizeof(buf), r.lnkctl, s->port_type));
	lspci_print("\t\t", lspci_lnksta(buf, sizeof(buf), r.lnksta, r.lnkcap, s->port_type));
	lspci_print("\t\t", lspci_sltcap(buf, sizeof(buf), r.sltcap));
	lspci_print("\t\t", lspci_sltctl(buf, sizeof(buf), r.sltctl));
	lspci_print("\t\t", lspci_sltsta(buf, sizeof(buf), r.sltsta));
}
