/*
 * slot_select.h - which hot-plug slots a guest test works on, and what it expects
 * behind them, from the run's parameters:
 *   slot=00:12.0     the port whose slot to use (default: every port with
 *                    Slot Implemented and Hot-Plug Capable, see below)
 *   child=1033:0194  the vendor:device expected behind that slot
 */
#ifndef LIB_SLOT_SELECT_H
#define LIB_SLOT_SELECT_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"
#include "slot.h"

#define SLOTS_MAX 32

/* The topology found at the start of the test (enumerated once). */
const struct pci_topology *slots_topology(void);

/*
 * Fills @out with the slots to test: the "slot" parameter's port, or every
 * hot-plug capable slot (only occupied ones when @occupied_only).
 * Returns how many; a "slot" that is not a hot-plug slot is a set-up error.
 */
int slots_select(struct pcie_slot *out, int max, bool occupied_only);

/*
 * Runs @fn on each selected slot (see slots_select; the "slot" parameter's
 * port, else every occupied hot-plug slot); a SKIP when there is none.
 */
void slots_for_each_occupied(void (*fn)(struct pcie_slot *s));

/*
 * The start of a test on one occupied slot: picks it (see slots_select), or
 * reports a SKIP and returns false; otherwise pushes the prefix
 * "slot 00:12.0", prints the slot and checks the "child" parameter. The
 * test pops the prefix when done. No settle wait after power-off: the
 * tests check the slot themselves.
 */
bool slots_begin_occupied(struct pcie_slot *s);

/* "1033:0194" -> vendor, device; false when malformed. */
bool parse_vendor_device(const char *s, uint16_t *vendor, uint16_t *device);

/* Reports whether the function behind @s is the "child" parameter's device. */
void slots_report_child_id(const struct pcie_slot *s);

/* "PresDet+ DLActive+ 1033:0194 answers": one line for the console. */
void slots_print_state(const struct pcie_slot *s, const char *when);

#endif
