/*
 * pci_caps.c - walks of the standard and extended capability lists,
 * guarded against loops and out-of-range pointers (see pci.h).
 */
#include "hw.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"

/* ---- capability lists ---- */

/* A standard list holds at most 48 capabilities ((256 - 64) / 4). */
#define PCI_CAP_MAX_HOPS	48
/* Linux's bound for the extended list: (4096 - 256) / 8. */
#define PCI_EXT_CAP_MAX_HOPS	((PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8)
#define PCI_STD_HEADER_SIZE	0x40

static bool cap_ptr_ok(const struct pci_cap_iter *it, uint16_t ptr)
{
	if (it->extended)
		return ptr >= PCI_CFG_SPACE_SIZE && ptr < PCI_CFG_SPACE_EXP_SIZE;
	return ptr >= PCI_STD_HEADER_SIZE && ptr < PCI_CFG_SPACE_SIZE;
}

static bool stop_walk(struct pci_cap_iter *it, enum pci_cap_stop why, uint16_t at)
{
	it->fault.stop = why;
	it->fault.from = it->pos;
	it->fault.at = at;
	it->next = 0;
	return false;
}

void pci_cap_iter_init(struct pci_cap_iter *it, struct pci_bdf d, bool extended)
{
	uint16_t status;

	memset(it, 0, sizeof(*it));
	it->dev = d;
	it->extended = extended;
	it->fault.extended = extended;
	if (extended) {
		uint32_t header;

		if (!pci_cfg_has_extended())
			return;
		/* PCIe r5.0 §7.6.3: a header of 0 at 0x100 means no extended caps. */
		header = pci_cfg_read32(d, PCI_CFG_SPACE_SIZE);
		if (header != 0 && header != 0xffffffff)
			it->next = PCI_CFG_SPACE_SIZE;
		return;
	}
	status = pci_cfg_read16(d, PCI_STATUS);
	if (status == 0xffff || !(status & PCI_STATUS_CAP_LIST))
		return;
	/* PCI 3.0 §6.7: the bottom two bits of every pointer are reserved. */
	it->next = pci_cfg_read8(d, PCI_CAPABILITY_LIST) & ~3;
	if (it->next && !cap_ptr_ok(it, it->next))
		stop_walk(it, PCI_CAP_STOP_BAD_PTR, it->next);
}

static bool seen_before(struct pci_cap_iter *it, uint16_t pos)
{
	unsigned int bit = pos / 4;
	bool seen = it->seen[bit / 8] & (1u << (bit % 8));

	it->seen[bit / 8] |= 1u << (bit % 8);
	return seen;
}

bool pci_cap_iter_next(struct pci_cap_iter *it)
{
	uint16_t pos = it->next, next;
	int max_hops = it->extended ? PCI_EXT_CAP_MAX_HOPS : PCI_CAP_MAX_HOPS;

	if (!pos)
		return false;
	if (seen_before(it, pos))
		return stop_walk(it, PCI_CAP_STOP_LOOP, pos);
	if (++it->hops > max_hops)
		return stop_walk(it, PCI_CAP_STOP_TOO_LONG, pos);
	if (it->extended) {
		uint32_t header = pci_cfg_read32(it->dev, pos);

		if (header == 0xffffffff)
			return stop_walk(it, PCI_CAP_STOP_ALL_ONES, pos);
		it->id = PCI_EXT_CAP_ID(header);
		it->version = PCI_EXT_CAP_VER(header);
		next = PCI_EXT_CAP_NEXT(header);
	} else {
		uint16_t header = pci_cfg_read16(it->dev, pos);

		if ((header & 0xff) == 0xff)
			return stop_walk(it, PCI_CAP_STOP_ALL_ONES, pos);
		it->id = header & 0xff;
		it->version = 0;
		next = (header >> 8) & ~3;
	}
	it->pos = pos;
	it->next = next;
	if (next && !cap_ptr_ok(it, next))
		stop_walk(it, PCI_CAP_STOP_BAD_PTR, next);
	return true;	/* this capability is good even if its pointer is not */
}

uint8_t pci_find_cap(struct pci_bdf d, uint8_t cap_id)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, d, false);
	while (pci_cap_iter_next(&it))
		if (it.id == cap_id)
			return it.pos;
	return 0;
}

uint16_t pci_find_ext_cap(struct pci_bdf d, uint16_t cap_id)
{
	struct pci_cap_iter it;

	pci_cap_iter_init(&it, d, true);
	while (pci_cap_iter_next(&it))
		if (it.id == cap_id)
			return it.pos;
	return 0;
}

const char *pci_cap_fault_str(const struct pci_cap_fault *f, char *buf, size_t len)
{
	const char *list = f->extended ? "extended capability" : "capability";

	switch (f->stop) {
	case PCI_CAP_STOP_LOOP:
		snprintf(buf, len, "%s list loops at 0x%x", list, f->at);
		break;
	case PCI_CAP_STOP_BAD_PTR:
		if (f->from)
			snprintf(buf, len, "%s at 0x%x points to 0x%x, outside 0x%x..0x%x",
				 list, f->from, f->at, f->extended ? 0x100 : 0x40,
				 f->extended ? 0xfff : 0xff);
		else
			snprintf(buf, len, "%s pointer 0x%x inside the header", list, f->at);
		break;
	case PCI_CAP_STOP_ALL_ONES:
		snprintf(buf, len, "%s at 0x%x reads all ones", list, f->at);
		break;
	case PCI_CAP_STOP_TOO_LONG:
		snprintf(buf, len, "%s list longer than the space can hold (at 0x%x)",
			 list, f->at);
		break;
	default:
		return NULL;
	}
	return buf;
}
