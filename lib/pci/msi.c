/*
 * msi.c - MSI and MSI-X capability programming (see msi.h).
 */
#include "msi.h"
#include "bitfield.h"
#include "hw.h"
#include "libc.h"
#include "pci_regs.h"
#include "printf.h"

static uint16_t msi_data_off(const struct msi_dev *m)
{
	return m->cap + (m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

static uint16_t msi_mask_off(const struct msi_dev *m)
{
	return m->cap + (m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

/* A memory BAR's address (32- or 64-bit); 0 when I/O, unassigned or absent. */
static uint64_t bar_address(struct pci_bdf d, uint8_t bir)
{
	uint8_t type = pci_cfg_read8(d, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	uint8_t nbars = type == PCI_HEADER_TYPE_NORMAL ? 6 :
			type == PCI_HEADER_TYPE_BRIDGE ? 2 : 0;
	uint16_t off = PCI_BASE_ADDRESS_0 + 4 * bir;
	uint32_t lo;
	uint64_t addr;

	if (bir >= nbars)
		return 0;
	lo = pci_cfg_read32(d, off);
	if (lo & PCI_BASE_ADDRESS_SPACE_IO)
		return 0;
	addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64) {
		if (bir + 1 >= nbars)
			return 0;
		addr |= (uint64_t)pci_cfg_read32(d, off + 4) << 32;
	}
	return addr;
}

int msi_find(struct pci_bdf d, struct msi_dev *m)
{
	uint32_t table;

	memset(m, 0, sizeof(*m));
	m->dev = d;
	m->cap = pci_find_cap(d, PCI_CAP_ID_MSIX);
	if (m->cap) {
		m->kind = MSI_KIND_MSIX;
		m->flags = pci_cfg_read16(d, m->cap + PCI_MSIX_FLAGS);
		m->table_size = (m->flags & PCI_MSIX_FLAGS_QSIZE) + 1;
		table = pci_cfg_read32(d, m->cap + PCI_MSIX_TABLE);
		m->table_bir = table & PCI_MSIX_TABLE_BIR;
		m->table_offset = table & PCI_MSIX_TABLE_OFFSET;
		m->table = bar_address(d, m->table_bir);
		if (m->table)
			m->table += m->table_offset;
		return m->kind;
	}
	m->cap = pci_find_cap(d, PCI_CAP_ID_MSI);
	if (m->cap) {
		m->kind = MSI_KIND_MSI;
		m->flags = pci_cfg_read16(d, m->cap + PCI_MSI_FLAGS);
		m->is64 = m->flags & PCI_MSI_FLAGS_64BIT;
		m->maskbit = m->flags & PCI_MSI_FLAGS_MASKBIT;
	}
	return m->kind;
}

static void set_command(struct pci_bdf d, uint16_t bits)
{
	uint16_t cmd = pci_cfg_read16(d, PCI_COMMAND);

	if ((cmd & bits) != bits)
		pci_cfg_write16(d, PCI_COMMAND, cmd | bits);
}

static int program_msi(struct msi_dev *m, unsigned int entry, uint64_t addr,
		       uint32_t data, char *err, size_t len)
{
	uint16_t flags;

	if (entry != 0) {
		snprintf(err, len, "MSI: entry %u, only single-message MSI is used", entry);
		return -1;
	}
	if (!m->is64 && (addr >> 32)) {
		snprintf(err, len, "MSI: 32-bit capability, address 0x%llx above 4 GiB",
			 (unsigned long long)addr);
		return -1;
	}
	/* Disabled while it changes; one message (Multiple Message Enable 000b). */
	flags = pci_cfg_read16(m->dev, m->cap + PCI_MSI_FLAGS);
	flags &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	pci_cfg_write16(m->dev, m->cap + PCI_MSI_FLAGS, flags);
	pci_cfg_write32(m->dev, m->cap + PCI_MSI_ADDRESS_LO, (uint32_t)addr);
	if (m->is64)
		pci_cfg_write32(m->dev, m->cap + PCI_MSI_ADDRESS_HI, (uint32_t)(addr >> 32));
	pci_cfg_write16(m->dev, msi_data_off(m), (uint16_t)data);
	if (m->maskbit)
		pci_cfg_write32(m->dev, msi_mask_off(m),
				pci_cfg_read32(m->dev, msi_mask_off(m)) & ~1u);
	set_command(m->dev, PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	pci_cfg_write16(m->dev, m->cap + PCI_MSI_FLAGS, flags | PCI_MSI_FLAGS_ENABLE);
	m->flags = pci_cfg_read16(m->dev, m->cap + PCI_MSI_FLAGS);
	return 0;
}

static int program_msix(struct msi_dev *m, unsigned int entry, uint64_t addr,
			uint32_t data, char *err, size_t len)
{
	uint64_t e = m->table + (uint64_t)entry * PCI_MSIX_ENTRY_SIZE;
	uint16_t flags;

	if (entry >= m->table_size) {
		snprintf(err, len, "MSI-X: entry %u, table has %u", entry, m->table_size);
		return -1;
	}
	if (!m->table) {
		snprintf(err, len, "MSI-X: table BAR%u not assigned (reads 0)",
			 m->table_bir);
		return -1;
	}
	set_command(m->dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			    PCI_COMMAND_INTX_DISABLE);
	/* Enable under the function mask, program, then unmask (Linux does so). */
	flags = pci_cfg_read16(m->dev, m->cap + PCI_MSIX_FLAGS);
	pci_cfg_write16(m->dev, m->cap + PCI_MSIX_FLAGS,
			flags | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	mmio_write32(e + PCI_MSIX_ENTRY_LOWER_ADDR, (uint32_t)addr);
	mmio_write32(e + PCI_MSIX_ENTRY_UPPER_ADDR, (uint32_t)(addr >> 32));
	mmio_write32(e + PCI_MSIX_ENTRY_DATA, data);
	mmio_write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL,
		     mmio_read32(e + PCI_MSIX_ENTRY_VECTOR_CTRL) &
		     ~PCI_MSIX_ENTRY_CTRL_MASKBIT);
	pci_cfg_write16(m->dev, m->cap + PCI_MSIX_FLAGS,
			(flags | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	m->flags = pci_cfg_read16(m->dev, m->cap + PCI_MSIX_FLAGS);
	return 0;
}

int msi_program(struct msi_dev *m, unsigned int entry, uint64_t addr, uint32_t data,
		char *err, size_t len)
{
	if (m->kind == MSI_KIND_MSIX)
		return program_msix(m, entry, addr, data, err, len);
	if (m->kind == MSI_KIND_MSI)
		return program_msi(m, entry, addr, data, err, len);
	snprintf(err, len, "no MSI or MSI-X capability");
	return -1;
}

void msi_disable(struct msi_dev *m)
{
	uint16_t off = m->cap + PCI_MSI_FLAGS;	/* same offset for MSI-X */
	uint16_t bit = m->kind == MSI_KIND_MSIX ? PCI_MSIX_FLAGS_ENABLE :
			PCI_MSI_FLAGS_ENABLE;

	if (m->kind == MSI_NONE)
		return;
	pci_cfg_write16(m->dev, off, pci_cfg_read16(m->dev, off) & ~bit);
	m->flags = pci_cfg_read16(m->dev, off);
}

void msi_read(const struct msi_dev *m, unsigned int entry, struct msi_msg *out)
{
	uint16_t flags = pci_cfg_read16(m->dev, m->cap + PCI_MSI_FLAGS);
	uint64_t e = m->table + (uint64_t)entry * PCI_MSIX_ENTRY_SIZE;

	memset(out, 0, sizeof(*out));
	if (m->kind == MSI_KIND_MSIX) {
		out->enabled = flags & PCI_MSIX_FLAGS_ENABLE;
		if (!m->table || entry >= m->table_size)
			return;
		out->addr = mmio_read32(e + PCI_MSIX_ENTRY_LOWER_ADDR) |
			    (uint64_t)mmio_read32(e + PCI_MSIX_ENTRY_UPPER_ADDR) << 32;
		out->data = mmio_read32(e + PCI_MSIX_ENTRY_DATA);
		out->masked = (flags & PCI_MSIX_FLAGS_MASKALL) ||
			      (mmio_read32(e + PCI_MSIX_ENTRY_VECTOR_CTRL) &
			       PCI_MSIX_ENTRY_CTRL_MASKBIT);
	} else if (m->kind == MSI_KIND_MSI) {
		out->enabled = flags & PCI_MSI_FLAGS_ENABLE;
		out->addr = pci_cfg_read32(m->dev, m->cap + PCI_MSI_ADDRESS_LO);
		if (m->is64)
			out->addr |= (uint64_t)pci_cfg_read32(m->dev,
						m->cap + PCI_MSI_ADDRESS_HI) << 32;
		out->data = pci_cfg_read16(m->dev, msi_data_off(m));
		out->masked = m->maskbit && (pci_cfg_read32(m->dev, msi_mask_off(m)) & 1);
	}
}

const char *msi_describe(const struct msi_dev *m, char *buf, size_t len)
{
	uint16_t flags = pci_cfg_read16(m->dev, m->cap + PCI_MSI_FLAGS);

	if (m->kind == MSI_KIND_MSIX)
		snprintf(buf, len, "MSI-X at 0x%02x: Enable%c Count=%u Masked%c "
			 "Vector table: BAR=%u offset=%08x (0x%llx)", m->cap,
			 flags & PCI_MSIX_FLAGS_ENABLE ? '+' : '-', m->table_size,
			 flags & PCI_MSIX_FLAGS_MASKALL ? '+' : '-', m->table_bir,
			 m->table_offset, (unsigned long long)m->table);
	else if (m->kind == MSI_KIND_MSI)
		snprintf(buf, len, "MSI at 0x%02x: Enable%c Count=1/%u Maskable%c 64bit%c",
			 m->cap, flags & PCI_MSI_FLAGS_ENABLE ? '+' : '-',
			 1u << FIELD_GET(PCI_MSI_FLAGS_QMASK, flags),
			 m->maskbit ? '+' : '-', m->is64 ? '+' : '-');
	else
		snprintf(buf, len, "no MSI or MSI-X capability");
	return buf;
}
