/*
 * explore_sim.c - the explorer's simulated target and its mutants (see
 * explore_sim.h). Mutants the port's behaviour carries are sim_rootport.c's
 * `bug` and never_complete options; the rest are made here from outside:
 * attribute masks, a wrapper around the port's write hook, the migration.
 */
#include "explore_sim.h"
#include "hw.h"
#include "pci.h"
#include "pci_regs.h"
#include "sim.h"
#include "sim_rootport.h"

#define PORT_AT pci_bdf(0, 0, 0x12, 0)
#define SEC_BUS 1
#define CHILD_AT pci_bdf(0, SEC_BUS, 0, 0)

static const char *const names[MUT_COUNT] = {
	[MUT_NONE] = "conforming",
	[MUT_ABPE_READ_ONLY] = "Attention Button Pressed Enable read-only",
	[MUT_DLLSC_STICKY] = "DLL State Changed does not clear (RW1C)",
	[MUT_NO_PDC] = "Presence Detect Changed never raised",
	[MUT_NEVER_COMPLETES] = "commands never complete",
	[MUT_CHILD_STAYS] = "function stays visible after power-off",
	[MUT_MIGRATION_DROPS_EVENTS] = "migration drops Slot Status events",
	[MUT_MIGRATION_REFUSED] = "migration refused while the slot is off",
	[MUT_UPPER_BYTE_NO_COMMAND] = "8-bit write to Slot Control's upper byte is no command",
	[MUT_DWORD_DROPS_STATUS] = "32-bit write over Slot Control+Status loses the status half",
	[MUT_LD_IGNORED] = "Link Disable ignored",
	[MUT_NO_DEVICE_DELETED] = "device_del's adapter leaves without DEVICE_DELETED",
	[MUT_MIGRATION_CHANGES_WIDTH] = "migration changes the Negotiated Link Width",
};

static struct {
	int mutant;
	struct sim_func *port;
	uint8_t exp;
	sim_write_hook port_hook;
	uint32_t deleted;	/* DEVICE_DELETED before this reset (a running count, as QEMU's) */
} sim;

static struct sim_port_state saved;	/* big: one, not on the stack */

const char *explore_mutant_name(int mutant)
{
	return mutant >= 0 && mutant < MUT_COUNT ? names[mutant] : "?";
}

/* The port's write hook, with the access-width mutants in front of it. */
static void width_mutants(struct sim_func *f, uint16_t off, int size, uint32_t old, uint32_t val)
{
	uint16_t ctl = sim.exp + PCI_EXP_SLTCTL;

	if (sim.mutant == MUT_UPPER_BYTE_NO_COMMAND && off == ctl + 1 && size == 1)
		return;		/* the byte is stored; no command follows */
	if (sim.mutant == MUT_DWORD_DROPS_STATUS && off == ctl && size == 4)
		sim_set16(f, ctl + 2, (uint16_t)(old >> 16));	/* RW1C undone */
	sim.port_hook(f, off, size, old, val);
}

static void reset(void *ctx)
{
	struct sim_port_opts o = {
		.physical_presence = true, .child_returns = true, .spec_conforming = true,
	};
	struct ecam_window w;

	if (sim.port)
		sim.deleted += sim_port_of(sim.port)->deleted;
	sim_reset();
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	if (sim.mutant == MUT_NO_PDC)
		o.bug = SIM_BUG_NO_PDC;
	else if (sim.mutant == MUT_CHILD_STAYS)
		o.bug = SIM_BUG_CHILD_STAYS;
	else if (sim.mutant == MUT_LD_IGNORED)
		o.bug = SIM_BUG_LD_IGNORED;
	o.never_complete = sim.mutant == MUT_NEVER_COMPLETES;
	sim.port = sim_add_root_port(PORT_AT, SEC_BUS, &o);
	sim.exp = sim_port_of(sim.port)->exp;
	sim_add_func(CHILD_AT, EXPLORE_SIM_VENDOR, 0x1041, 0x020000);

	if (sim.mutant == MUT_ABPE_READ_ONLY)
		sim.port->wmask[sim.exp + PCI_EXP_SLTCTL] &= (uint8_t)~PCI_EXP_SLTCTL_ABPE;
	if (sim.mutant == MUT_DLLSC_STICKY)
		sim.port->w1cmask[sim.exp + PCI_EXP_SLTSTA + 1] &= (uint8_t)~(PCI_EXP_SLTSTA_DLLSC >> 8);
	sim.port_hook = sim.port->after_write;
	sim.port->after_write = width_mutants;
}

static uint32_t port_read(void *ctx, uint8_t off, uint8_t size)
{
	uint16_t at = (uint16_t)(sim.exp + off);

	if (size == 1)
		return pci_cfg_read8(PORT_AT, at);
	return size == 2 ? pci_cfg_read16(PORT_AT, at) : pci_cfg_read32(PORT_AT, at);
}

static void port_write(void *ctx, uint8_t off, uint8_t size, uint32_t v)
{
	uint16_t at = (uint16_t)(sim.exp + off);

	if (size == 1)
		pci_cfg_write8(PORT_AT, at, (uint8_t)v);
	else if (size == 2)
		pci_cfg_write16(PORT_AT, at, (uint16_t)v);
	else
		pci_cfg_write32(PORT_AT, at, v);
}

static uint16_t read_child(void *ctx)
{
	return pci_cfg_read16(CHILD_AT, PCI_VENDOR_ID);
}

static bool migrate(void)
{
	uint16_t sta = sim.exp + PCI_EXP_SLTSTA;

	sim_port_save(sim.port, &saved);
	if (sim.mutant == MUT_MIGRATION_REFUSED &&
	    (sim_get16(sim.port, sim.exp + PCI_EXP_SLTCTL) & PCI_EXP_SLTCTL_PCC))
		return false;
	if (sim.mutant == MUT_MIGRATION_CHANGES_WIDTH)	/* the model allows any width */
		saved.cfg[sim.exp + PCI_EXP_LNKSTA] ^= 3u << PCI_EXP_LNKSTA_NLW_SHIFT;	/* x1 <-> x2 */
	if (sim.mutant == MUT_MIGRATION_DROPS_EVENTS) {
		saved.cfg[sta] &= (uint8_t)~0x1f;	/* ABP PFD MRLSC PDC CC */
		saved.cfg[sta + 1] &= (uint8_t)~0x01;	/* DLLSC */
	}
	sim_port_restore(sim.port, &saved);
	return true;
}

/* The Electromechanical Interlock holds the slot: QEMU refuses device_add and device_del. */
static bool interlocked(void)
{
	return sim_get16(sim.port, sim.exp + PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_EIS;
}

static bool power_indicator_blinks(void)
{
	return (sim_get16(sim.port, sim.exp + PCI_EXP_SLTCTL) & PCI_EXP_SLTCTL_PIC) ==
	       PCI_EXP_SLTCTL_PWR_IND_BLINK;
}

static bool host(void *ctx, uint8_t op)
{
	switch (op) {
	case XOP_DEVICE_ADD:
		if (sim_port_of(sim.port)->card || interlocked())
			return false;	/* QEMU: the slot is occupied, or locked */
		sim_port_plug(sim.port);
		return true;
	case XOP_DEVICE_DEL:	/* QEMU 7.2 also refuses while the Power Indicator blinks */
		return !interlocked() && !power_indicator_blinks() &&
		       sim_port_request_removal(sim.port);
	case XOP_MIGRATE:
		return migrate();
	}
	return false;
}

static void delay_us(void *ctx, uint64_t us)
{
	sim_advance_us(us);
	inl(SIM_PM_TIMER_PORT);		/* the port acts on the time that passed */
}

static uint64_t now_us(void *ctx)
{
	return sim_now_us();
}

/* The adapters device_del removed, one DEVICE_DELETED each; none from the mutant. */
static uint32_t deleted(void *ctx)
{
	return sim.mutant == MUT_NO_DEVICE_DELETED ? 0 : sim.deleted + sim_port_of(sim.port)->deleted;
}

void explore_sim_target(struct xtarget *t, int mutant)
{
	sim.mutant = mutant;
	sim.deleted = 0;
	sim.port = NULL;
	*t = (struct xtarget){ NULL, reset, port_read, port_write, read_child, host, delay_us, now_us,
			       deleted };
}
