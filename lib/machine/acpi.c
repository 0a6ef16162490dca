/*
 * acpi.c - RSDP, XSDT/RSDT, MCFG and FADT, validated before use (see acpi.h).
 *
 * Tables are read through phys_ptr() byte by byte (little endian, no
 * alignment assumed). No field beyond a table's header is read before its
 * length says the field is there.
 */
#include <stdarg.h>

#include "acpi.h"
#include "hw.h"
#include "libc.h"
#include "printf.h"

/* ACPI 6.4 §5.2.5.3: RSDP; the first 20 bytes are the ACPI 1.0 structure. */
#define RSDP_V1_LEN		20
#define RSDP_V2_LEN		36
#define RSDP_REVISION		15
#define RSDP_RSDT_ADDRESS	16
#define RSDP_LENGTH		20
#define RSDP_XSDT_ADDRESS	24

/* ACPI 6.4 §5.2.6: System Description Table header. */
#define SDT_LENGTH		4
#define SDT_HEADER_LEN		36

/* PCI Firmware 3.2 §4.1.2 (MCFG): 8 reserved bytes, then 16-byte allocations. */
#define MCFG_HEADER_LEN		44
#define MCFG_ALLOC_LEN		16

/* ACPI 6.4 §5.2.9, Table 5.9: FADT fields we use. */
#define FADT_PM_TMR_BLK		76
#define FADT_FLAGS		112
#define FADT_V1_LEN		116	/* ACPI 1.0 FADT ends after Flags */
#define FADT_X_PM_TMR_BLK	208
#define FADT_X_PM_TMR_END	220
#define ACPI_FADT_TMR_VAL_EXT	(1u << 8)

/* ACPI 6.4 §5.2.3.2: Generic Address Structure. */
#define GAS_SPACE_ID		0
#define GAS_ADDRESS		4
#define ACPI_ADR_SPACE_SYSTEM_IO 1

struct acpi_parser {
	struct acpi_info *info;
	char *err;
	int errlen;
};

static int fail(struct acpi_parser *p, const char *fmt, ...)
	__attribute__((format(__printf__, 2, 3)));

static int fail(struct acpi_parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint16_t get16(const uint8_t *b)
{
	return b[0] | b[1] << 8;
}

static uint32_t get32(const uint8_t *b)
{
	return get16(b) | (uint32_t)get16(b + 2) << 16;
}

static uint64_t get64(const uint8_t *b)
{
	return get32(b) | (uint64_t)get32(b + 4) << 32;
}

/* Tables are valid when all their bytes sum to 0 (ACPI 6.4 §5.2.6). */
static uint8_t byte_sum(const uint8_t *b, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

/* A signature for an error message, unprintable bytes shown as '?'. */
static const char *printable_sig(const uint8_t *sig, char out[5])
{
	for (int i = 0; i < 4; i++)
		out[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? (char)sig[i] : '?';
	out[4] = '\0';
	return out;
}

/*
 * The table at @phys with signature @sig, once its length and checksum are
 * good; NULL (and the reason in p->err) otherwise.
 */
static const uint8_t *map_table(struct acpi_parser *p, uint64_t phys, const char *sig)
{
	const uint8_t *t = phys_ptr(phys);
	uint32_t len;
	uint8_t sum;
	char seen[5];

	if (memcmp(t, sig, 4) != 0) {
		fail(p, "%s: bad signature \"%s\"", sig, printable_sig(t, seen));
		return NULL;
	}
	len = get32(t + SDT_LENGTH);
	if (len < SDT_HEADER_LEN) {
		fail(p, "%s: length %u shorter than header", sig, len);
		return NULL;
	}
	if (len > ACPI_MAX_TABLE_LEN) {
		fail(p, "%s: length %u absurd (over 1 MiB)", sig, len);
		return NULL;
	}
	sum = byte_sum(t, len);
	if (sum != 0) {
		fail(p, "%s: checksum mismatch (sum 0x%02x)", sig, sum);
		return NULL;
	}
	return t;
}

static uint32_t table_len(const uint8_t *t)
{
	return get32(t + SDT_LENGTH);
}

/* ---- MCFG ---- */

static bool windows_overlap(const struct ecam_window *a, const struct ecam_window *b)
{
	return a->seg == b->seg && a->bus_start <= b->bus_end && b->bus_start <= a->bus_end;
}

static int check_mcfg_alloc(struct acpi_parser *p, int i, const struct ecam_window *w)
{
	uint64_t span = (uint64_t)(w->bus_end + 1) << 20;

	if (w->base == 0)
		return fail(p, "MCFG: allocation %d base address 0", i);
	/* The bus number is address bits 27:20 (PCIe r5.0 §7.2.2). */
	if (w->base & 0xfffff)
		return fail(p, "MCFG: allocation %d base 0x%llx not 1 MiB aligned", i,
			    (unsigned long long)w->base);
	if (w->bus_start > w->bus_end)
		return fail(p, "MCFG: allocation %d bus range %u..%u reversed", i,
			    w->bus_start, w->bus_end);
	if (w->base > UINT64_MAX - span)
		return fail(p, "MCFG: allocation %d window at 0x%llx wraps the address space",
			    i, (unsigned long long)w->base);
	for (int j = 0; j < i; j++)
		if (windows_overlap(&p->info->mcfg[j], w))
			return fail(p, "MCFG: allocations %d and %d overlap (segment %u)",
				    j, i, w->seg);
	return 0;
}

static int parse_mcfg(struct acpi_parser *p, uint64_t phys)
{
	const uint8_t *t = map_table(p, phys, "MCFG");
	uint32_t len, count;

	if (!t)
		return -1;
	len = table_len(t);
	if (len < MCFG_HEADER_LEN)
		return fail(p, "MCFG: length %u shorter than %u", len, MCFG_HEADER_LEN);
	if ((len - MCFG_HEADER_LEN) % MCFG_ALLOC_LEN)
		return fail(p, "MCFG: length %u leaves a partial allocation", len);
	count = (len - MCFG_HEADER_LEN) / MCFG_ALLOC_LEN;
	if (count > ACPI_MAX_MCFG)
		return fail(p, "MCFG: %u allocations, at most %d supported", count,
			    ACPI_MAX_MCFG);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *a = t + MCFG_HEADER_LEN + i * MCFG_ALLOC_LEN;
		struct ecam_window w = {
			.base = get64(a), .seg = get16(a + 8),
			.bus_start = a[10], .bus_end = a[11],
		};

		if (check_mcfg_alloc(p, i, &w) < 0)
			return -1;
		p->info->mcfg[i] = w;
	}
	p->info->mcfg_found = true;
	p->info->mcfg_count = count;
	p->info->have_mcfg = count > 0;
	return 0;
}

/* ---- FADT ---- */

/* X_PM_TMR_BLK, when it names a port: it supersedes PM_TMR_BLK (ACPI 6.4 §5.2.9). */
static bool fadt_x_pm_timer(const uint8_t *t, uint16_t *port)
{
	const uint8_t *gas = t + FADT_X_PM_TMR_BLK;
	uint64_t addr;

	if (table_len(t) < FADT_X_PM_TMR_END)
		return false;
	addr = get64(gas + GAS_ADDRESS);
	if (gas[GAS_SPACE_ID] != ACPI_ADR_SPACE_SYSTEM_IO || addr == 0 || addr > 0xffff)
		return false;
	*port = (uint16_t)addr;
	return true;
}

static int parse_fadt(struct acpi_parser *p, uint64_t phys)
{
	const uint8_t *t = map_table(p, phys, "FACP");
	struct acpi_info *info = p->info;
	uint32_t len, blk;

	if (!t)
		return -1;
	len = table_len(t);
	if (len < FADT_V1_LEN)
		return fail(p, "FACP: length %u shorter than the ACPI 1.0 FADT (%u)",
			    len, FADT_V1_LEN);
	info->have_fadt = true;
	info->pm_timer_32bit = get32(t + FADT_FLAGS) & ACPI_FADT_TMR_VAL_EXT;
	if (fadt_x_pm_timer(t, &info->pm_timer_port)) {
		info->pm_timer_from_x = true;
		return 0;
	}
	blk = get32(t + FADT_PM_TMR_BLK);
	if (blk > 0xffff)
		return fail(p, "FACP: PM_TMR_BLK 0x%x beyond the I/O port space", blk);
	info->pm_timer_port = (uint16_t)blk;
	return 0;
}

/* ---- RSDP and the root table ---- */

struct root_table {
	uint64_t phys;
	const char *sig;	/* "XSDT" (8-byte entries) or "RSDT" (4-byte) */
	int entry_size;
};

static int parse_rsdp(struct acpi_parser *p, uint64_t phys, struct root_table *root)
{
	const uint8_t *r;
	uint8_t sum;
	uint32_t len;

	if (phys == 0)
		return fail(p, "RSDP: null address");
	r = phys_ptr(phys);
	if (memcmp(r, "RSD PTR ", 8) != 0)
		return fail(p, "RSDP: bad signature");
	sum = byte_sum(r, RSDP_V1_LEN);
	if (sum != 0)
		return fail(p, "RSDP: checksum mismatch (sum 0x%02x)", sum);
	p->info->revision = r[RSDP_REVISION];
	*root = (struct root_table){ get32(r + RSDP_RSDT_ADDRESS), "RSDT", 4 };
	if (r[RSDP_REVISION] < 2)
		return root->phys ? 0 : fail(p, "RSDP: RSDT address 0");

	len = get32(r + RSDP_LENGTH);
	if (len < RSDP_V2_LEN || len > ACPI_MAX_TABLE_LEN)
		return fail(p, "RSDP: length %u invalid for revision %u", len,
			    r[RSDP_REVISION]);
	sum = byte_sum(r, len);
	if (sum != 0)
		return fail(p, "RSDP: extended checksum mismatch (sum 0x%02x)", sum);
	/* ACPI 6.4 §5.2.5.3: OSPM uses the XSDT when there is one. */
	if (get64(r + RSDP_XSDT_ADDRESS))
		*root = (struct root_table){ get64(r + RSDP_XSDT_ADDRESS), "XSDT", 8 };
	else if (!root->phys)
		return fail(p, "RSDP: neither XSDT nor RSDT address");
	return 0;
}

static uint64_t root_entry(const uint8_t *t, const struct root_table *root, uint32_t i)
{
	const uint8_t *e = t + SDT_HEADER_LEN + i * root->entry_size;

	return root->entry_size == 8 ? get64(e) : get32(e);
}

static int parse_entry(struct acpi_parser *p, uint64_t phys)
{
	const uint8_t *sig = phys_ptr(phys);

	if (memcmp(sig, "MCFG", 4) == 0 && !p->info->mcfg_found)
		return parse_mcfg(p, phys);
	if (memcmp(sig, "FACP", 4) == 0 && !p->info->have_fadt)
		return parse_fadt(p, phys);
	return 0;
}

static int parse_root(struct acpi_parser *p, const struct root_table *root)
{
	const uint8_t *t = map_table(p, root->phys, root->sig);
	uint32_t body, count;

	if (!t)
		return -1;
	body = table_len(t) - SDT_HEADER_LEN;
	if (body % root->entry_size)
		return fail(p, "%s: length %u not a whole number of %d-byte entries",
			    root->sig, table_len(t), root->entry_size);
	count = body / root->entry_size;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t phys = root_entry(t, root, i);

		if (phys == 0)
			return fail(p, "%s: entry %u is a null pointer", root->sig, i);
		if (parse_entry(p, phys) < 0)
			return -1;
	}
	return 0;
}

int acpi_parse(uint64_t rsdp, struct acpi_info *info, char *err, int errlen)
{
	struct acpi_parser p = { info, err, errlen };
	struct root_table root;

	memset(info, 0, sizeof(*info));
	if (err && errlen > 0)
		err[0] = '\0';
	if (parse_rsdp(&p, rsdp, &root) < 0)
		return -1;
	info->used_xsdt = root.entry_size == 8;
	return parse_root(&p, &root);
}
