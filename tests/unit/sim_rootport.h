/*
 * sim_rootport.h - a PCI Express root port / switch downstream port with a
 * hot-plug slot, for the simulated machine (sim.h).
 *
 * The registers and their attributes follow the PCIe Base Specification r5.0
 * §7.5.3 (Slot Capabilities/Control/Status, Link Capabilities/Status) and the
 * defaults QEMU 7.2's pcie-root-port shows a guest; the behaviour of a Slot
 * Control write follows §6.7.3.2 (each write is one command, Command
 * Completed set when it is done). See sim_rootport.c for the rules.
 *
 * The model owns the simulator's tick hook (sim_set_tick_hook) while any
 * port exists: devices "act later" on simulated time.
 */
#ifndef SIM_ROOTPORT_H
#define SIM_ROOTPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "sim.h"

/* QEMU 7.2 pcie-root-port, measured: AttnBtn+ PwrCtrl+ AttnInd+ PwrInd+ Surprise+ HotPlug+ Interlock+ */
#define SIM_QEMU_SLTCAP		0x0002007bu
/* QEMU 7.2 pcie-root-port (x-speed=16, x-width=32): 16GT/s x32, ASPM L0s, LLActRep+ BwNot+ */
#define SIM_QEMU_LNKCAP		0x00300604u
/* Its Link Status with a device behind it: 2.5GT/s x1, DLActive+ */
#define SIM_QEMU_LNKSTA		0x2011u

struct sim_port_opts {
	uint16_t slot_nr;	/* SLTCAP Physical Slot Number */
	uint8_t port_nr;	/* LNKCAP Port Number */
	uint32_t sltcap;	/* 0: SIM_QEMU_SLTCAP (slot_nr and nccs are added) */
	uint32_t lnkcap;	/* 0: SIM_QEMU_LNKCAP (port_nr is added) */
	unsigned int cmd_delay_us;	/* Command Completed this long after a write; 0: 200 */
	unsigned int link_delay_us;	/* DLLLA this long after power on; 0: 5000 */
	bool nccs;		/* No Command Completed Support: CC never set */
	bool never_complete;	/* a broken port: CC never set, though NCCS is clear */
	/* Intel CF118-like: CC only for commands changing PCC, PIC, AIC or EIC */
	bool cc_only_for_control;
	bool nccs_ccie_rw;	/* with nccs: CCIE stays writable (not hardwired 0) */
	bool flit;		/* PCIe r6.0 Flit Mode Supported: LNKCTL bit 13 RW, LNKSTA2 bit 10 */
	bool rcb;		/* Link Control RCB reads 1 and is writable (wrong on a switch port) */
	bool empty;		/* no adapter at start: PDS clear, slot powered off */
	/* Unplug on QEMU's condition instead (PDS, PCC=1 and PIC=off, not so before). */
	bool qemu_unplug_on_pic_off;
	bool child_returns;	/* power on brings the adapter back (else it is gone) */
	/* Presence Detect follows the adapter, not the power (real hardware). */
	bool physical_presence;
	/*
	 * The spec's port for the explorer's tests (tests/unit/test_explore.c):
	 * presence follows the adapter even while unpowered, functions behind
	 * the slot answer only with the link up, Link Disable takes the link
	 * down and back up, Retrain Link sets LBMS, Link Control 2 is writable.
	 * Use with physical_presence and child_returns.
	 */
	bool spec_conforming;
	uint8_t bug;		/* enum sim_port_bug: one deviation, for mutation tests */
};

/* Deviations that live inside the port's behaviour (others are made from outside). */
enum sim_port_bug {
	SIM_BUG_NONE,
	SIM_BUG_NO_PDC,		/* Presence Detect Changed never set */
	SIM_BUG_CHILD_STAYS,	/* the function behind keeps answering after power-off */
	SIM_BUG_LD_IGNORED,	/* Link Disable does nothing (QEMU 7.2 behaves so) */
};

/* What the port saw, for tests to check how the driver talked to it. */
struct sim_port {
	struct sim_func *f;
	struct pci_bdf at;
	uint8_t exp;		/* PCI Express capability offset */
	uint8_t sec_bus;
	struct sim_port_opts opts;
	bool card;		/* an adapter is in the slot */
	uint64_t cc_due_us, link_due_us;	/* pending events, 0: none */

	unsigned int commands;		/* writes touching Slot Control */
	unsigned int sltctl_non16;	/* ... of them not a 16-bit write at Slot Control */
	unsigned int overlapped;	/* commands written before the previous completed */
	unsigned int sltsta_writes;
	uint16_t sltsta_written;	/* the value last written to Slot Status */
	uint16_t sltsta_before;		/* Slot Status just before that write */
	unsigned int w1c_of_clear_bits;	/* Slot Status writes with 1s on bits not set */
	unsigned int unplugs;		/* times the adapter was removed by a command */
	bool remove_at_power_off;	/* device_del pressed the button: out at power-off */
	unsigned int deleted;		/* adapters device_del removed (QEMU's DEVICE_DELETED) */
};

/* A migration's payload: the port's state as the destination loads it. */
struct sim_port_state {
	uint8_t cfg[4096], wmask[4096], w1cmask[4096];
	struct sim_port port;
	uint8_t children[256];		/* which functions behind the slot answer */
};

struct sim_func *sim_add_root_port(struct pci_bdf at, uint8_t sec_bus,
				   const struct sim_port_opts *opts);
struct sim_func *sim_add_downstream_port(struct pci_bdf at, uint8_t sec_bus,
					 const struct sim_port_opts *opts);
/* The model state behind a port function (NULL for other functions). */
struct sim_port *sim_port_of(struct sim_func *f);

/* Host-side events: adapter inserted / surprise-removed, attention button. */
void sim_port_plug(struct sim_func *port);
void sim_port_unplug(struct sim_func *port);
void sim_port_press_button(struct sim_func *port);
/*
 * QEMU's device_del: with an attention button and power on, a press, and the
 * adapter leaves at the next power-off; otherwise it leaves at once. False
 * (nothing done) when the slot is empty.
 */
bool sim_port_request_removal(struct sim_func *port);

void sim_port_save(struct sim_func *port, struct sim_port_state *st);
void sim_port_restore(struct sim_func *port, const struct sim_port_state *st);

#endif
