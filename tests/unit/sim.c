/*
 * sim.c - the simulated machine behind lib/machine/hw.h for the host unit tests
 * (see sim.h).
 *
 * Config space follows QEMU's pci_default_write_config(): per byte,
 *   new = (old & ~wmask) | (val & wmask); new &= ~(val & w1cmask)
 * then the function's after_write hook sees (offset, size, old, written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "pci_regs.h"
#include "sim.h"
#include "sim_cpu.h"

#define SIM_MAX_FUNCS 320
#define ECAM_SIZE (256ull << 20)	/* buses 0..255, 1 MiB each */
#define UART_BUF 65536
#define UART_IN 256

struct sim_caps {
	uint8_t next_free;	/* where the next standard capability goes */
	uint8_t last;		/* last capability in the list, 0: none */
	uint16_t ext_next_free;
	uint16_t ext_last;
};

struct sim_uart {
	uint16_t base;
	uint8_t lcr;		/* bit 7 (DLAB) redirects offsets 0/1 to the divisor */
	uint8_t scratch;
	char out[UART_BUF];
	size_t out_len;
	char in[UART_IN];
	size_t in_head, in_len;
	unsigned tx_busy_reads;	/* LSR reads left with TEMT clear */
};

static struct sim_func funcs[SIM_MAX_FUNCS];
static struct sim_caps caps[SIM_MAX_FUNCS];
static int nfuncs;
static uint64_t now_us;
static void (*tick_hook)(uint64_t now_us);
static int exit_code;
static uint32_t cf8;
static struct sim_uart uarts[2] = { { .base = 0x3f8 }, { .base = 0x2f8 } };

#define SIM_PORT_DEVICES 4
static struct sim_port_device {
	uint16_t first, last;
	sim_port_read_fn read;
	sim_port_write_fn write;
} port_devices[SIM_PORT_DEVICES];
static int nport_devices;

static __attribute__((noreturn)) void die(const char *why)
{
	fprintf(stderr, "sim: %s\n", why);
	abort();
}

void sim_reset(void)
{
	nfuncs = 0;
	now_us = 0;
	tick_hook = NULL;
	exit_code = -1;
	cf8 = 0;
	nport_devices = 0;	/* sim.h: port devices are forgotten */
	sim_cpu_reset();
	for (int i = 0; i < 2; i++) {
		uint16_t base = uarts[i].base;

		memset(&uarts[i], 0, sizeof(uarts[i]));
		uarts[i].base = base;
	}
}

/* ---- topology ---- */

static bool same_bdf(struct pci_bdf a, struct pci_bdf b)
{
	return a.seg == b.seg && a.bus == b.bus && a.devfn == b.devfn;
}

struct sim_func *sim_find(struct pci_bdf at)
{
	for (int i = 0; i < nfuncs; i++)
		if (same_bdf(funcs[i].at, at))
			return &funcs[i];
	return NULL;
}

static struct sim_caps *caps_of(struct sim_func *f)
{
	return &caps[f - funcs];
}

struct sim_func *sim_add_func(struct pci_bdf at, uint16_t vendor, uint16_t device,
			      uint32_t class_code)
{
	struct sim_func *f;

	if (sim_find(at))
		die("function added twice");
	if (nfuncs == SIM_MAX_FUNCS)
		die("too many functions (raise SIM_MAX_FUNCS)");
	f = &funcs[nfuncs];
	memset(f, 0, sizeof(*f));
	caps[nfuncs] = (struct sim_caps){ .next_free = 0x40, .ext_next_free = 0x100 };
	nfuncs++;

	f->at = at;
	f->present = true;
	sim_set16(f, PCI_VENDOR_ID, vendor);
	sim_set16(f, PCI_DEVICE_ID, device);
	sim_set8(f, PCI_CLASS_PROG, class_code & 0xff);
	sim_set16(f, PCI_CLASS_DEVICE, (class_code >> 8) & 0xffff);
	sim_set8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	/* The writable Command bits QEMU's pci_init_wmask() gives every function. */
	sim_set_wmask16(f, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
			PCI_COMMAND_MASTER | 0x0040 /* PARITY */ |
			0x0100 /* SERR */ | PCI_COMMAND_INTX_DISABLE);
	return f;
}

struct sim_func *sim_add_bridge(struct pci_bdf at, uint16_t vendor, uint16_t device,
				uint8_t sec_bus, uint8_t sub_bus)
{
	struct sim_func *f = sim_add_func(at, vendor, device, PCI_CLASS_BRIDGE_PCI << 8);

	sim_set8(f, PCI_HEADER_TYPE, PCI_HEADER_TYPE_BRIDGE);
	sim_set8(f, PCI_PRIMARY_BUS, at.bus);
	sim_set8(f, PCI_SECONDARY_BUS, sec_bus);
	sim_set8(f, PCI_SUBORDINATE_BUS, sub_bus);
	/* Bus numbers and the secondary latency timer are RW (PCI-PCI Bridge 1.2 §3.2.5). */
	for (uint16_t off = PCI_PRIMARY_BUS; off <= PCI_SEC_LATENCY_TIMER; off++)
		f->wmask[off] = 0xff;
	return f;
}

uint8_t sim_add_cap(struct sim_func *f, uint8_t cap_id, uint8_t len)
{
	struct sim_caps *c = caps_of(f);
	unsigned int off = c->next_free;

	if (len < 2 || off + len > PCI_CFG_SPACE_SIZE)
		die("standard capability does not fit");
	sim_set8(f, off + PCI_CAP_LIST_ID, cap_id);
	sim_set8(f, off + PCI_CAP_LIST_NEXT, 0);
	if (c->last)
		sim_set8(f, c->last + PCI_CAP_LIST_NEXT, off);
	else
		sim_set8(f, PCI_CAPABILITY_LIST, off);
	sim_set16(f, PCI_STATUS, sim_get16(f, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	c->last = off;
	c->next_free = (off + len + 3) & ~3u;
	return off;
}

uint16_t sim_add_ext_cap(struct sim_func *f, uint16_t cap_id, uint8_t version,
			 uint16_t len)
{
	struct sim_caps *c = caps_of(f);
	unsigned int off = c->ext_next_free;

	if (len < 4 || off + len > PCI_CFG_SPACE_EXP_SIZE)
		die("extended capability does not fit");
	sim_set32(f, off, cap_id | (uint32_t)(version & 0xf) << 16);
	if (c->ext_last) {
		uint32_t prev = sim_get32(f, c->ext_last);

		sim_set32(f, c->ext_last, (prev & 0x000fffff) | (uint32_t)off << 20);
	}
	c->ext_last = off;
	c->ext_next_free = (off + len + 3) & ~3u;
	return off;
}

/* ---- direct state access (no attributes) ---- */

void sim_set8(struct sim_func *f, uint16_t off, uint8_t v)
{
	f->cfg[off] = v;
}

void sim_set16(struct sim_func *f, uint16_t off, uint16_t v)
{
	f->cfg[off] = v & 0xff;
	f->cfg[off + 1] = v >> 8;
}

void sim_set32(struct sim_func *f, uint16_t off, uint32_t v)
{
	sim_set16(f, off, v & 0xffff);
	sim_set16(f, off + 2, v >> 16);
}

uint16_t sim_get16(const struct sim_func *f, uint16_t off)
{
	return f->cfg[off] | f->cfg[off + 1] << 8;
}

uint32_t sim_get32(const struct sim_func *f, uint16_t off)
{
	return sim_get16(f, off) | (uint32_t)sim_get16(f, off + 2) << 16;
}

void sim_set_wmask16(struct sim_func *f, uint16_t off, uint16_t mask)
{
	f->wmask[off] = mask & 0xff;
	f->wmask[off + 1] = mask >> 8;
}

void sim_set_w1cmask16(struct sim_func *f, uint16_t off, uint16_t mask)
{
	f->w1cmask[off] = mask & 0xff;
	f->w1cmask[off + 1] = mask >> 8;
}

/* ---- config access with attributes ---- */

static uint32_t all_ones(int size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static uint32_t cfg_bytes(const struct sim_func *f, uint16_t off, int size)
{
	uint32_t v = 0;

	for (int i = size - 1; i >= 0; i--)
		v = v << 8 | f->cfg[off + i];
	return v;
}

static uint32_t sim_cfg_read(struct pci_bdf at, uint16_t off, int size)
{
	struct sim_func *f = sim_find(at);

	if (!f || !f->present || off + size > PCI_CFG_SPACE_EXP_SIZE)
		return all_ones(size);
	f->reads++;
	f->last_read_off = off;
	f->last_read_size = size;
	return cfg_bytes(f, off, size);
}

static void sim_cfg_write(struct pci_bdf at, uint16_t off, int size, uint32_t val)
{
	struct sim_func *f = sim_find(at);
	uint32_t old;

	if (!f || !f->present || off + size > PCI_CFG_SPACE_EXP_SIZE)
		return;
	f->writes++;
	f->last_write_off = off;
	f->last_write_size = size;
	old = cfg_bytes(f, off, size);
	for (int i = 0; i < size; i++) {
		uint8_t b = (val >> (i * 8)) & 0xff;
		uint8_t wm = f->wmask[off + i], w1c = f->w1cmask[off + i];
		uint8_t nb = (f->cfg[off + i] & ~wm) | (b & wm);

		f->cfg[off + i] = nb & ~(b & w1c);
	}
	if (f->after_write)
		f->after_write(f, off, size, old, val);
}

/* ---- MMIO: the ECAM window, address = base + (bus << 20 | devfn << 12 | off) ---- */

void sim_ecam_window(struct ecam_window *w)
{
	w->base = SIM_ECAM_BASE;
	w->seg = 0;
	w->bus_start = 0;
	w->bus_end = 255;
}

static bool ecam_decode(uint64_t addr, struct pci_bdf *at, uint16_t *off)
{
	uint64_t rel;

	if (addr < SIM_ECAM_BASE || addr >= SIM_ECAM_BASE + ECAM_SIZE)
		return false;
	rel = addr - SIM_ECAM_BASE;
	*at = pci_bdf(0, rel >> 20, 0, 0);
	at->devfn = (rel >> 12) & 0xff;
	*off = rel & 0xfff;
	return true;
}

static uint32_t mmio_read(uint64_t addr, int size)
{
	struct pci_bdf at;
	uint16_t off;
	uint32_t val;

	if (sim_cpu_mmio(addr, size, false, &val))	/* LAPIC, MMIO RAM */
		return val;
	if (!ecam_decode(addr, &at, &off))
		return all_ones(size);
	return sim_cfg_read(at, off, size);
}

static void mmio_write(uint64_t addr, int size, uint32_t val)
{
	struct pci_bdf at;
	uint16_t off;

	if (sim_cpu_mmio(addr, size, true, &val))
		return;
	if (ecam_decode(addr, &at, &off))
		sim_cfg_write(at, off, size, val);
}

uint8_t mmio_read8(uint64_t addr) { return mmio_read(addr, 1); }
uint16_t mmio_read16(uint64_t addr) { return mmio_read(addr, 2); }
uint32_t mmio_read32(uint64_t addr) { return mmio_read(addr, 4); }
void mmio_write8(uint64_t addr, uint8_t val) { mmio_write(addr, 1, val); }
void mmio_write16(uint64_t addr, uint16_t val) { mmio_write(addr, 2, val); }
void mmio_write32(uint64_t addr, uint32_t val) { mmio_write(addr, 4, val); }

/* ---- UARTs (16550: THR/RBR at +0, LCR at +3, LSR at +5, SCR at +7) ---- */

static struct sim_uart *uart_at(uint16_t port, uint16_t *reg)
{
	for (int i = 0; i < 2; i++) {
		if (port >= uarts[i].base && port < uarts[i].base + 8) {
			*reg = port - uarts[i].base;
			return &uarts[i];
		}
	}
	return NULL;
}

static uint8_t uart_read(struct sim_uart *u, uint16_t reg)
{
	bool dlab = u->lcr & 0x80;

	switch (reg) {
	case 0:
		if (dlab || !u->in_len)
			return 0;
		u->in_len--;
		return (uint8_t)u->in[u->in_head++ % UART_IN];
	case 2:
		return 0x01;			/* IIR: no interrupt pending */
	case 3:
		return u->lcr;
	case 5:		/* LSR: THRE | TEMT (unless held busy), DR when input waits */
		if (u->tx_busy_reads) {
			u->tx_busy_reads--;
			return 0x20 | (u->in_len ? 0x01 : 0x00);
		}
		return 0x60 | (u->in_len ? 0x01 : 0x00);
	case 7:
		return u->scratch;
	default:
		return 0;
	}
}

static void uart_write(struct sim_uart *u, uint16_t reg, uint8_t val)
{
	if (reg == 0 && !(u->lcr & 0x80)) {
		if (u->out_len < UART_BUF - 1)
			u->out[u->out_len++] = (char)val;
	} else if (reg == 3) {
		u->lcr = val;
	} else if (reg == 7) {
		u->scratch = val;
	}
}

static struct sim_uart *uart_by_base(uint16_t base)
{
	uint16_t reg;
	struct sim_uart *u = uart_at(base, &reg);

	if (!u || reg != 0)
		die("no simulated UART at that base");
	return u;
}

const char *sim_uart_output(uint16_t base)
{
	struct sim_uart *u = uart_by_base(base);

	u->out[u->out_len] = '\0';
	return u->out;
}

void sim_uart_clear(uint16_t base)
{
	struct sim_uart *u = uart_by_base(base);

	u->out_len = 0;
	u->out[0] = '\0';
}

void sim_uart_hold_tx(uint16_t base, unsigned lsr_reads)
{
	uart_by_base(base)->tx_busy_reads = lsr_reads;
}

void sim_uart_feed(uint16_t base, const char *bytes)
{
	struct sim_uart *u = uart_by_base(base);

	for (; *bytes; bytes++) {
		if (u->in_len == UART_IN)
			die("UART input buffer full");
		u->in[(u->in_head + u->in_len++) % UART_IN] = *bytes;
	}
}

/* ---- port I/O: UARTs, PM timer, isa-debug-exit, 0xCF8/0xCFC ---- */

#define CF8_ENABLE 0x80000000u

/* Config mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2): segment 0 only. */
static bool cfc_target(uint16_t port, int size, struct pci_bdf *at, uint16_t *off)
{
	if (port < 0xcfc || port + size > 0xd00 || !(cf8 & CF8_ENABLE))
		return false;
	*at = pci_bdf(0, (cf8 >> 16) & 0xff, 0, 0);
	at->devfn = (cf8 >> 8) & 0xff;
	*off = (cf8 & 0xfc) + (port - 0xcfc);
	return true;
}

/* ACPI PM timer: 24-bit count at 3.579545 MHz of simulated time. */
static uint32_t pm_timer_read(void)
{
	now_us += SIM_US_PER_PM_READ;
	if (tick_hook)
		tick_hook(now_us);
	return (uint32_t)(now_us * 3579545ull / 1000000ull) & 0xffffff;
}

void sim_add_port_device(uint16_t first, uint16_t last, sim_port_read_fn read,
			 sim_port_write_fn write)
{
	struct sim_port_device d = { first, last, read, write };

	for (int i = 0; i < nport_devices; i++) {
		if (port_devices[i].first == first && port_devices[i].last == last) {
			port_devices[i] = d;	/* plugged in again */
			return;
		}
	}
	if (nport_devices == SIM_PORT_DEVICES)
		die("too many port devices (raise SIM_PORT_DEVICES)");
	port_devices[nport_devices++] = d;
}

static struct sim_port_device *port_device(uint16_t port)
{
	for (int i = 0; i < nport_devices; i++)
		if (port >= port_devices[i].first && port <= port_devices[i].last)
			return &port_devices[i];
	return NULL;
}

static uint32_t port_read(uint16_t port, int size)
{
	struct sim_port_device *d = port_device(port);
	struct sim_uart *u;
	struct pci_bdf at;
	uint16_t reg;

	if (d)
		return d->read(port, size);
	if (size == 1 && (u = uart_at(port, &reg)))
		return uart_read(u, reg);
	if (size == 4 && port == SIM_PM_TIMER_PORT)
		return pm_timer_read();
	if (size == 4 && port == 0xcf8)
		return cf8;
	if (cfc_target(port, size, &at, &reg))
		return sim_cfg_read(at, reg, size);
	return all_ones(size);
}

static void port_write(uint16_t port, int size, uint32_t val)
{
	struct sim_port_device *d = port_device(port);
	struct sim_uart *u;
	struct pci_bdf at;
	uint16_t reg;

	if (d)
		d->write(port, size, val);
	else if (size == 1 && (u = uart_at(port, &reg)))
		uart_write(u, reg, val);
	else if (port == DEBUG_EXIT_PORT)
		exit_code = (int)val;
	else if (size == 4 && port == 0xcf8)
		cf8 = val;
	else if (cfc_target(port, size, &at, &reg))
		sim_cfg_write(at, reg, size, val);
}

uint8_t inb(uint16_t port) { return port_read(port, 1); }
uint16_t inw(uint16_t port) { return port_read(port, 2); }
uint32_t inl(uint16_t port) { return port_read(port, 4); }
void outb(uint16_t port, uint8_t val) { port_write(port, 1, val); }
void outw(uint16_t port, uint16_t val) { port_write(port, 2, val); }
void outl(uint16_t port, uint32_t val) { port_write(port, 4, val); }

int sim_exit_code(void)
{
	return exit_code;
}

/* ---- memory, time, CPU ---- */

const void *phys_ptr(uint64_t phys)
{
	return (const void *)(uintptr_t)phys;
}

uint64_t sim_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

uint64_t sim_now_us(void)
{
	return now_us;
}

void sim_advance_us(uint64_t us)
{
	now_us += us;
}

void sim_set_tick_hook(void (*hook)(uint64_t now_us))
{
	tick_hook = hook;
}

uint64_t rdtsc(void)
{
	return now_us * 1000;		/* a 1 GHz TSC */
}

void cpu_relax(void)
{
	now_us++;
}

void cpu_halt(void)
{
	die("cpu_halt reached");
}
