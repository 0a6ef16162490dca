/*
 * runtime.h - what the EFI entry (boot/efi_main.c) hands over, and the run
 * that follows: console, exception handlers, ACPI, clock, PCI access, host
 * link, then the selected guest test, its summary and the exit code.
 */
#ifndef LIB_RUNTIME_H
#define LIB_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_OPTIONS_MAX 512

struct boot_info {
	uint64_t rsdp;			/* physical address, 0 if UEFI had none */
	char load_options[BOOT_OPTIONS_MAX];	/* ASCII, from the LoadedImage */
	int exit_boot_services_tries;
	char firmware_vendor[64];
};

void runtime_main(const struct boot_info *bi) __attribute__((noreturn));

#endif
