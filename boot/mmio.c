/*
 * mmio.c - device memory access for the EFI image (lib/machine/hw.h).
 *
 * UEFI leaves an identity map in place, and ExitBootServices does not change
 * it, so a physical address is a pointer. Each access is a single volatile
 * load or store of exactly the requested width: PCIe registers such as Slot
 * Control treat every write as a command, so widening or splitting is wrong.
 */
#include "hw.h"

uint8_t mmio_read8(uint64_t addr)
{
	return *(volatile uint8_t *)(uintptr_t)addr;
}

uint16_t mmio_read16(uint64_t addr)
{
	return *(volatile uint16_t *)(uintptr_t)addr;
}

uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

void mmio_write8(uint64_t addr, uint8_t val)
{
	*(volatile uint8_t *)(uintptr_t)addr = val;
}

void mmio_write16(uint64_t addr, uint16_t val)
{
	*(volatile uint16_t *)(uintptr_t)addr = val;
}

void mmio_write32(uint64_t addr, uint32_t val)
{
	*(volatile uint32_t *)(uintptr_t)addr = val;
}

const void *phys_ptr(uint64_t phys)
{
	return (const void *)(uintptr_t)phys;
}
