/*
 * pci_cfg.c - configuration access (ECAM, or port I/O for the first 256
 * bytes when there is no MCFG) and PCI addresses (see pci.h).
 */
#include "hw.h"
#include "libc.h"
#include "pci.h"
#include "pci_regs.h"
#include "printf.h"

/* ---- configuration access ---- */

enum cfg_method { CFG_NONE, CFG_ECAM, CFG_PORTIO };

static enum cfg_method method;
static struct ecam_window windows[PCI_MAX_ECAM_WINDOWS];
static int nwindows;

/* Port I/O reaches segment 0, every bus, the first 256 bytes. */
static const struct ecam_window portio_window = { 0, 0, 0x00, 0xff };

/* Config mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2). */
#define PCI_CONF1_ADDRESS	0xcf8
#define PCI_CONF1_DATA		0xcfc
#define PCI_CONF1_ENABLE	0x80000000u

void pci_cfg_use_ecam(const struct ecam_window *w, int count)
{
	if (count > PCI_MAX_ECAM_WINDOWS)
		count = PCI_MAX_ECAM_WINDOWS;
	if (count < 0)
		count = 0;
	memcpy(windows, w, count * sizeof(*w));
	nwindows = count;
	method = CFG_ECAM;
}

void pci_cfg_use_portio(void)
{
	nwindows = 0;
	method = CFG_PORTIO;
}

bool pci_cfg_has_extended(void)
{
	return method == CFG_ECAM;
}

int pci_cfg_windows(const struct ecam_window **w)
{
	if (method == CFG_PORTIO) {
		*w = &portio_window;
		return 1;
	}
	*w = windows;
	return method == CFG_ECAM ? nwindows : 0;
}

static const struct ecam_window *ecam_window_for(struct pci_bdf d)
{
	for (int i = 0; i < nwindows; i++)
		if (windows[i].seg == d.seg && d.bus >= windows[i].bus_start &&
		    d.bus <= windows[i].bus_end)
			return &windows[i];
	return NULL;
}

/* Natural alignment, and the whole access inside the function's space. */
static bool offset_ok(uint16_t off, int size, unsigned int space)
{
	return (off & (size - 1)) == 0 && (unsigned int)off + size <= space;
}

/* PCIe r5.0 §7.2.2: ECAM address = base + (bus << 20 | device << 15 | function << 12 | offset). */
static bool ecam_address(struct pci_bdf d, uint16_t off, int size, uint64_t *addr)
{
	const struct ecam_window *w = ecam_window_for(d);

	if (!w || !offset_ok(off, size, PCI_CFG_SPACE_EXP_SIZE))
		return false;
	*addr = w->base + ((uint64_t)d.bus << 20 | (uint64_t)d.devfn << 12 | off);
	return true;
}

/* Selects the dword in 0xCF8; returns the data port for the bytes wanted. */
static bool portio_select(struct pci_bdf d, uint16_t off, int size, uint16_t *port)
{
	if (d.seg != 0 || !offset_ok(off, size, PCI_CFG_SPACE_SIZE))
		return false;
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (uint32_t)d.bus << 16 |
	     (uint32_t)d.devfn << 8 | (off & 0xfc));
	*port = PCI_CONF1_DATA + (off & 3);
	return true;
}

static uint32_t all_ones(int size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static uint32_t cfg_read(struct pci_bdf d, uint16_t off, int size)
{
	uint64_t addr;
	uint16_t port;

	if (method == CFG_ECAM && ecam_address(d, off, size, &addr)) {
		switch (size) {
		case 1: return mmio_read8(addr);
		case 2: return mmio_read16(addr);
		default: return mmio_read32(addr);
		}
	}
	if (method == CFG_PORTIO && portio_select(d, off, size, &port)) {
		switch (size) {
		case 1: return inb(port);
		case 2: return inw(port);
		default: return inl(port);
		}
	}
	return all_ones(size);
}

static void cfg_write(struct pci_bdf d, uint16_t off, int size, uint32_t val)
{
	uint64_t addr;
	uint16_t port;

	if (method == CFG_ECAM && ecam_address(d, off, size, &addr)) {
		switch (size) {
		case 1: mmio_write8(addr, val); break;
		case 2: mmio_write16(addr, val); break;
		default: mmio_write32(addr, val); break;
		}
	} else if (method == CFG_PORTIO && portio_select(d, off, size, &port)) {
		switch (size) {
		case 1: outb(port, val); break;
		case 2: outw(port, val); break;
		default: outl(port, val); break;
		}
	}
}

uint8_t pci_cfg_read8(struct pci_bdf d, uint16_t off) { return cfg_read(d, off, 1); }
uint16_t pci_cfg_read16(struct pci_bdf d, uint16_t off) { return cfg_read(d, off, 2); }
uint32_t pci_cfg_read32(struct pci_bdf d, uint16_t off) { return cfg_read(d, off, 4); }
void pci_cfg_write8(struct pci_bdf d, uint16_t off, uint8_t val) { cfg_write(d, off, 1, val); }
void pci_cfg_write16(struct pci_bdf d, uint16_t off, uint16_t val) { cfg_write(d, off, 2, val); }
void pci_cfg_write32(struct pci_bdf d, uint16_t off, uint32_t val) { cfg_write(d, off, 4, val); }

static bool valid_size(unsigned int size)
{
	return size == 1 || size == 2 || size == 4;
}

uint32_t pci_cfg_read(struct pci_bdf d, uint16_t off, unsigned int size)
{
	return valid_size(size) ? cfg_read(d, off, (int)size) : 0xffffffffu;
}

void pci_cfg_write(struct pci_bdf d, uint16_t off, unsigned int size, uint32_t val)
{
	if (valid_size(size))
		cfg_write(d, off, (int)size, val);
}

uint16_t pci_vendor(struct pci_bdf d)
{
	return pci_cfg_read16(d, PCI_VENDOR_ID);
}

bool pci_func_present(struct pci_bdf d)
{
	uint16_t v = pci_vendor(d);

	return v != 0xffff && v != 0x0000;
}

/* ---- addresses ---- */

/* 1 to @max_digits hex digits at *s; advances *s. */
static bool parse_hex(const char **s, int max_digits, unsigned int *out)
{
	const char *end;
	uint64_t v;

	if (!str_to_u64(*s, 16, UINT32_MAX, &v, &end) || end - *s > max_digits)
		return false;
	*out = (unsigned int)v;
	*s = end;
	return true;
}

static bool expect(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

int pci_bdf_parse(const char *s, struct pci_bdf *out)
{
	unsigned int f[3], fn, seg = 0, bus, dev;

	if (!parse_hex(&s, 4, &f[0]) || !expect(&s, ':') || !parse_hex(&s, 4, &f[1]))
		return -1;
	if (expect(&s, ':')) {
		if (!parse_hex(&s, 2, &f[2]))
			return -1;
		seg = f[0];
		bus = f[1];
		dev = f[2];
	} else {
		bus = f[0];
		dev = f[1];
	}
	if (!expect(&s, '.') || !parse_hex(&s, 1, &fn) || *s != '\0')
		return -1;
	if (seg > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -1;
	*out = pci_bdf(seg, bus, dev, fn);
	return 0;
}

const char *pci_bdf_str(struct pci_bdf d, char *buf)
{
	if (d.seg)
		snprintf(buf, 16, "%04x:%02x:%02x.%x", d.seg, d.bus, PCI_SLOT(d.devfn),
			 PCI_FUNC(d.devfn));
	else
		snprintf(buf, 16, "%02x:%02x.%x", d.bus, PCI_SLOT(d.devfn), PCI_FUNC(d.devfn));
	return buf;
}
