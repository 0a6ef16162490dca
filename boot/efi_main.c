/*
 * efi_main.c - the EFI entry point.
 *
 * Collects what only UEFI can tell (the ACPI RSDP, the load options), then
 * leaves boot services so the firmware stops touching the hardware: while
 * they run, OVMF's console driver polls COM1 and can steal input bytes, and
 * its timer interrupts would race with our polling. From then on the test
 * image owns the machine (lib/runtime/runtime.c).
 */
#include <efi.h>

#include "runtime.h"

void cpu_disable_interrupts(void);

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;

static int guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (unsigned int i = 0; i < sizeof(*a); i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/* ACPI 2.0+ RSDP preferred; the 1.0 one (RSDT only) as a fallback. */
static uint64_t find_rsdp(EFI_SYSTEM_TABLE *st)
{
	uint64_t acpi10 = 0;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (guid_equal(&t->VendorGuid, &acpi20_guid))
			return (uint64_t)(uintptr_t)t->VendorTable;
		if (guid_equal(&t->VendorGuid, &acpi10_guid))
			acpi10 = (uint64_t)(uintptr_t)t->VendorTable;
	}
	return acpi10;
}

/* UCS-2 to ASCII; anything outside printable ASCII becomes '?'. */
static void copy_ucs2(char *dst, int dstlen, const CHAR16 *src, UINTN bytes)
{
	int n = 0;

	for (UINTN i = 0; i < bytes / 2 && src[i] && n < dstlen - 1; i++)
		dst[n++] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char)src[i] : '?';
	dst[n] = 0;
}

static void read_load_options(EFI_HANDLE image, EFI_SYSTEM_TABLE *st,
			      struct boot_info *bi)
{
	EFI_LOADED_IMAGE *li = NULL;

	if (st->BootServices->HandleProtocol(image, &loaded_image_guid,
					     (void **)&li) != EFI_SUCCESS || !li)
		return;
	if (li->LoadOptions && li->LoadOptionsSize >= 2)
		copy_ucs2(bi->load_options, sizeof(bi->load_options),
			  li->LoadOptions, li->LoadOptionsSize);
}

/*
 * The map key goes stale whenever boot services allocate memory, which the
 * firmware may do between our two calls (UEFI 2.9 §7.4 ExitBootServices):
 * fetch the map again and retry a few times.
 */
static int exit_boot_services(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	UINTN size = 0, key = 0, desc_size = 0;
	UINT32 desc_version = 0;

	for (int tries = 1; tries <= 8; tries++) {
		EFI_STATUS s = bs->GetMemoryMap(&size, map, &key, &desc_size,
						&desc_version);
		if (s == EFI_BUFFER_TOO_SMALL) {
			if (map)
				bs->FreePool(map);
			size += 8 * desc_size + 4096;
			if (bs->AllocatePool(EfiLoaderData, size, (void **)&map) !=
			    EFI_SUCCESS)
				return -1;
			s = bs->GetMemoryMap(&size, map, &key, &desc_size,
					     &desc_version);
		}
		if (s != EFI_SUCCESS)
			continue;
		if (bs->ExitBootServices(image, key) == EFI_SUCCESS)
			return tries;
	}
	return -1;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	static struct boot_info bi;

	bi.rsdp = find_rsdp(st);
	read_load_options(image, st, &bi);
	if (st->FirmwareVendor)
		copy_ucs2(bi.firmware_vendor, sizeof(bi.firmware_vendor),
			  st->FirmwareVendor, 2 * sizeof(bi.firmware_vendor));
	bi.exit_boot_services_tries = exit_boot_services(image, st);
	cpu_disable_interrupts();
	runtime_main(&bi);
}
