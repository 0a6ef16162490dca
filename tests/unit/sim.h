/*
 * sim.h - a simulated machine for the host unit tests.
 *
 * Implements lib/machine/hw.h: port I/O (UARTs captured, ACPI PM timer, 0xCF8/0xCFC),
 * MMIO (ECAM windows decoded onto simulated functions), phys_ptr (identity).
 * A function's config space honours per-bit attributes like QEMU's PCIDevice:
 * a write keeps read-only bits (new = old & ~wmask | val & wmask), then clears
 * the write-1-to-clear bits written as 1, then calls the function's hook.
 */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stdint.h>
#include "../../lib/pci/pci.h"

struct sim_func;
typedef void (*sim_write_hook)(struct sim_func *f, uint16_t off, int size,
			       uint32_t old, uint32_t val);

struct sim_func {
	struct pci_bdf at;
	bool present;		/* false: reads return all ones, writes dropped */
	uint8_t cfg[4096];
	uint8_t wmask[4096];	/* read-write bits */
	uint8_t w1cmask[4096];	/* write-1-to-clear bits */
	sim_write_hook after_write;
	void *priv;
	unsigned int reads, writes;	/* access counters for tests */
	/* The last config access, to check widths (a 16-bit write stays 16-bit). */
	uint16_t last_read_off, last_write_off;
	int last_read_size, last_write_size;
};

#define SIM_PM_TIMER_PORT 0x608
#define SIM_ECAM_BASE 0xb0000000ull
/* Simulated time advanced by each PM timer read, so polling loops end. */
#define SIM_US_PER_PM_READ 10

void sim_reset(void);

/*
 * Topology. @class_code is the 24-bit Class Code register (0x09..0x0b):
 * base class << 16 | sub-class << 8 | programming interface, e.g. 0x060400.
 * A bridge gets header type 1, class 0x060400 and RW bus number registers.
 */
struct sim_func *sim_add_func(struct pci_bdf at, uint16_t vendor, uint16_t device,
			      uint32_t class_code);
struct sim_func *sim_add_bridge(struct pci_bdf at, uint16_t vendor, uint16_t device,
				uint8_t sec_bus, uint8_t sub_bus);
struct sim_func *sim_find(struct pci_bdf at);
/* Appends a capability (linked into the list) of @len bytes; returns its offset. */
uint8_t sim_add_cap(struct sim_func *f, uint8_t cap_id, uint8_t len);
uint16_t sim_add_ext_cap(struct sim_func *f, uint16_t cap_id, uint8_t version,
			 uint16_t len);

/* Config space helpers (no attribute handling: set up state directly). */
void sim_set8(struct sim_func *f, uint16_t off, uint8_t v);
void sim_set16(struct sim_func *f, uint16_t off, uint16_t v);
void sim_set32(struct sim_func *f, uint16_t off, uint32_t v);
uint16_t sim_get16(const struct sim_func *f, uint16_t off);
uint32_t sim_get32(const struct sim_func *f, uint16_t off);
void sim_set_wmask16(struct sim_func *f, uint16_t off, uint16_t mask);
void sim_set_w1cmask16(struct sim_func *f, uint16_t off, uint16_t mask);

/* The ECAM window the simulated MCFG describes (segment 0, buses 0..255). */
void sim_ecam_window(struct ecam_window *w);

/* Time */
uint64_t sim_now_us(void);
void sim_advance_us(uint64_t us);
/* Called on every PM timer read, after time advanced (devices act "later"). */
void sim_set_tick_hook(void (*hook)(uint64_t now_us));

/* UARTs: what the firmware wrote, and bytes for it to read */
const char *sim_uart_output(uint16_t base);
void sim_uart_clear(uint16_t base);
void sim_uart_feed(uint16_t base, const char *bytes);
/* The transmitter reads busy (LSR TEMT clear) for the next lsr_reads LSR reads. */
void sim_uart_hold_tx(uint16_t base, unsigned lsr_reads);

/*
 * More port I/O devices (e.g. sim_fwcfg.c): ports [@first, @last] go to
 * @read / @write before the built-in devices; the same range again replaces
 * the device. Forgotten by sim_reset().
 */
typedef uint32_t (*sim_port_read_fn)(uint16_t port, int size);
typedef void (*sim_port_write_fn)(uint16_t port, int size, uint32_t val);
void sim_add_port_device(uint16_t first, uint16_t last, sim_port_read_fn read,
			 sim_port_write_fn write);

/* isa-debug-exit writes: -1 until the firmware wrote one. */
int sim_exit_code(void);

/* Memory for simulated ACPI tables: a physical address usable with phys_ptr. */
uint64_t sim_phys(const void *p);

#endif
