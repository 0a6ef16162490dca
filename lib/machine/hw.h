/*
 * hw.h - the one narrow door to hardware.
 *
 * Everything in lib/ reaches the machine only through these functions, so the
 * same library links into the EFI image (boot/cpu.asm, boot/mmio.c) and into the
 * host unit tests (tests/unit/sim.c, a simulated machine).
 */
#ifndef LIB_HW_H
#define LIB_HW_H

#include <stdint.h>

uint8_t inb(uint16_t port);
uint16_t inw(uint16_t port);
uint32_t inl(uint16_t port);
void outb(uint16_t port, uint8_t val);
void outw(uint16_t port, uint16_t val);
void outl(uint16_t port, uint32_t val);

/* Device memory: one access of exactly the given width. */
uint8_t mmio_read8(uint64_t addr);
uint16_t mmio_read16(uint64_t addr);
uint32_t mmio_read32(uint64_t addr);
void mmio_write8(uint64_t addr, uint8_t val);
void mmio_write16(uint64_t addr, uint16_t val);
void mmio_write32(uint64_t addr, uint32_t val);

/* Ordinary memory (ACPI tables) by physical address: identity map in the guest. */
const void *phys_ptr(uint64_t phys);

/* CPU time stamp counter; 0 where there is none (host tests may simulate it). */
uint64_t rdtsc(void);

/* Give the CPU a breather inside polling loops. */
void cpu_relax(void);

/* Stop this CPU for good (after the isa-debug-exit write, if QEMU ignored it). */
void cpu_halt(void) __attribute__((noreturn));

/*
 * Maskable interrupts (sti/cli). Disabled after ExitBootServices: the
 * firmware polls; only a test's explicit interrupt window enables them
 * (lib/machine/irq.h).
 */
void cpu_enable_interrupts(void);
void cpu_disable_interrupts(void);

/* Model-specific registers (rdmsr/wrmsr), e.g. IA32_APIC_BASE. */
uint64_t rdmsr(uint32_t msr);
void wrmsr(uint32_t msr, uint64_t val);

/* isa-debug-exit (QEMU -device isa-debug-exit,iobase=0xf4,iosize=4) */
#define DEBUG_EXIT_PORT 0xf4

#endif
