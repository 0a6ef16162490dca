/*
 * config-diff - the whole configuration space of every function, before and
 * after checkpoint "snapshot" (where the harness may live-migrate): a
 * migration must be transparent, so every byte must read the same on the
 * other side.
 *
 * Snapshots: 4 KiB for PCI Express functions when ECAM gives extended space,
 * 256 bytes otherwise, from one static pool (it lives in the image's .data:
 * see SNAPSHOT_POOL). PCI Express functions are stored first; functions that
 * do not fit are listed and not compared.
 *
 * Exclusions (bits allowed to differ, still printed): the guest writes
 * nothing between the two reads, so only what the hardware may change on
 * its own is excluded:
 *   - PCIe cap LNKSTA Link Training (PCIe r5.0 §7.5.3.8: set and cleared by
 *     hardware while the LTSSM trains);
 *   - PCIe cap DEVSTA Transactions Pending (§7.5.3.5: hardware, as requests
 *     complete).
 * Everything else that differs is a failure: one report per function, and
 * the list of differing bytes, each named by the register it belongs to.
 *
 * Parameters: none besides the common ones.
 */
#include "cfgname.h"
#include "guest_test.h"
#include "hostlink.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"
#include "report.h"
#include "slot_select.h"

#define SNAPSHOT_POOL	(128 * 1024)	/* 32 PCIe functions at 4 KiB */
#define MAX_SNAPSHOTS	PCI_MAX_FUNCS
#define MAX_PRINTED	32		/* differences listed per function */

struct snapshot {
	const struct pci_func *func;
	uint16_t size;
	uint8_t *bytes;
};

static uint8_t pool[SNAPSHOT_POOL];
static size_t pool_used;
static struct snapshot snaps[MAX_SNAPSHOTS];
static int nsnaps;

static uint16_t space_size(const struct pci_func *f)
{
	return f->exp_cap && pci_cfg_has_extended() ? PCI_CFG_SPACE_EXP_SIZE
						    : PCI_CFG_SPACE_SIZE;
}

static void read_space(struct pci_bdf d, uint8_t *out, uint16_t size)
{
	for (uint16_t off = 0; off < size; off += 4) {
		uint32_t v = pci_cfg_read32(d, off);

		memcpy(out + off, &v, 4);
	}
}

static bool take(const struct pci_func *f)
{
	uint16_t size = space_size(f);

	if (pool_used + size > sizeof(pool) || nsnaps >= MAX_SNAPSHOTS)
		return false;
	snaps[nsnaps].func = f;
	snaps[nsnaps].size = size;
	snaps[nsnaps].bytes = pool + pool_used;
	read_space(f->addr, snaps[nsnaps].bytes, size);
	pool_used += size;
	nsnaps++;
	return true;
}

/* PCI Express functions first: their slots and links are what slotprobe is about. */
static void take_all(const struct pci_topology *t)
{
	char bdf[16];

	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < t->count; i++) {
			const struct pci_func *f = &t->funcs[i];

			if ((pass == 0) != (f->exp_cap != 0))
				continue;
			if (!take(f))
				report_info("%s not stored (snapshot pool full): not compared",
					    pci_bdf_str(f->addr, bdf));
		}
}

/* Bits the hardware may change on its own (see the comment at the top). */
static const struct {
	uint8_t reg;		/* 16-bit register in the PCI Express capability */
	uint16_t bits;
} hardware_owned[] = {
	{ PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_LT },
	{ PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_TRPND },
};

/* The hardware-owned bits in config space byte @off (little endian). */
static uint8_t allowed_mask(const struct snapshot *s, uint16_t off)
{
	uint8_t exp = s->func->exp_cap;

	for (size_t i = 0; exp && i < ARRAY_SIZE(hardware_owned); i++) {
		unsigned int at = exp + hardware_owned[i].reg;

		if (off == at || off == at + 1)
			return (uint8_t)(hardware_owned[i].bits >> (8 * (off - at)));
	}
	return 0;
}

static void compare_one(const struct snapshot *s)
{
	static uint8_t now[PCI_CFG_SPACE_EXP_SIZE];
	struct cfgname_func names;
	char bdf[16], where[72], first[100] = "";
	int changed = 0, allowed = 0;

	pci_bdf_str(s->func->addr, bdf);
	read_space(s->func->addr, now, s->size);
	cfgname_read_func(s->func->addr, &names);
	for (uint16_t off = 0; off < s->size; off++) {
		uint8_t diff = now[off] ^ s->bytes[off];

		if (!diff)
			continue;
		cfgname_describe(where, sizeof(where), &names, off);
		if (!(diff & ~allowed_mask(s, off))) {
			allowed++;
			printf("  %s %s: %02x -> %02x (allowed: hardware-owned bits)\n", bdf, where,
			       s->bytes[off], now[off]);
			continue;
		}
		if (!changed++)
			snprintf(first, sizeof(first), "%s %02x -> %02x", where, s->bytes[off],
				 now[off]);
		if (changed <= MAX_PRINTED)
			printf("  %s %s: %02x -> %02x\n", bdf, where, s->bytes[off], now[off]);
	}
	if (changed > MAX_PRINTED)
		printf("  %s: %d more differing bytes not listed\n", bdf, changed - MAX_PRINTED);
	if (changed)
		report(false, "config space of %s changed across the checkpoint: %d byte(s), "
		       "first %s", bdf, changed, first);
	else
		report(true, "config space of %s unchanged across the checkpoint (%u bytes%s)",
		       bdf, s->size, allowed ? ", hardware-owned bits aside" : "");
}

GUEST_TEST(config_diff_main, "config-diff", "",
	   "snapshot",
	   "every function's config space snapshot before and after checkpoint 'snapshot'")
{
	const struct pci_topology *t = slots_topology();

	report(t->count > 0, "enumerated %d function(s)", t->count);
	if (!pci_cfg_has_extended())
		report_info("no ECAM: 256 bytes per function, extended space not compared");
	take_all(t);
	report_info("%d function(s) stored, %u bytes", nsnaps, (unsigned int)pool_used);

	if (!report_checkpoint("snapshot", NULL))
		return;
	printf("differences (function +offset (register): before -> after):\n");
	for (int i = 0; i < nsnaps; i++)
		compare_one(&snaps[i]);
}
