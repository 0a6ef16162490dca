/*
 * test_pci_layout.c - lib/pci_layout.c: the `cap` lines the harness reads
 * (scripts/slotprobelib/cfglayout.py checks the same format).
 */
#include <string.h>

#include "console.h"
#include "hostlink.h"
#include "pci.h"
#include "pci_layout.h"
#include "pci_regs.h"
#include "time.h"
#include "sim.h"
#include "unit.h"

static void use_sim(void)
{
	struct ecam_window w;

	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	time_init(SIM_PM_TIMER_PORT, false);
}

UNIT_TEST(pci_layout_one_line_per_capability)
{
	static struct pci_topology t;
	struct sim_func *port = sim_add_bridge(pci_bdf(0, 0, 0x12, 0), 0x1b36, 0x000c, 1, 1);
	const char *out;

	sim_add_cap(port, PCI_CAP_ID_SSVID, 8);
	sim_add_cap(port, PCI_CAP_ID_EXP, 0x3c);
	sim_add_ext_cap(port, PCI_EXT_CAP_ID_ERR, 2, 0x48);
	sim_add_func(pci_bdf(0, 1, 0, 0), 0x1033, 0x0194, 0x0c0330);
	use_sim();
	hostlink_init(true, 1000);
	pci_enumerate(&t);
	pci_layout_send(&t);
	out = sim_uart_output(COM2_PORT);
	CHECK(strstr(out, " cap 00:12.0 hdr=1 sec=01 kind=std id=0xd at=0x40\n") != NULL);
	CHECK(strstr(out, " cap 00:12.0 hdr=1 sec=01 kind=std id=0x10 at=0x48\n") != NULL);
	CHECK(strstr(out, " cap 00:12.0 hdr=1 sec=01 kind=ext id=0x1 at=0x100\n") != NULL);
	CHECK(strstr(out, " cap 01:00.0 hdr=0 kind=none\n") != NULL);
}

UNIT_TEST(pci_layout_silent_without_the_link)
{
	static struct pci_topology t;

	sim_add_func(pci_bdf(0, 0, 3, 0), 0x1af4, 0x1041, 0x020000);
	use_sim();
	hostlink_init(false, 0);
	pci_enumerate(&t);
	pci_layout_send(&t);
	CHECK_STR(sim_uart_output(COM2_PORT), "");
}
