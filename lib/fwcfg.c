/*
 * fwcfg.c - fw_cfg file access by port I/O (see fwcfg.h).
 * On hardware without fw_cfg the signature read returns 0xff bytes, so
 * fwcfg_present() is false and nothing else is touched.
 */
#include "fwcfg.h"
#include "hw.h"
#include "libc.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_NAME_MAX		56

static void select_key(uint16_t key)
{
	outw(FW_CFG_PORT_SEL, key);
}

static void read_bytes(void *dst, int n)
{
	uint8_t *p = dst;

	while (n--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool fwcfg_present(void)
{
	char sig[4];

	select_key(FW_CFG_SIGNATURE);
	read_bytes(sig, 4);
	return memcmp(sig, "QEMU", 4) == 0;
}

int fwcfg_read_file(const char *name, char *buf, int size)
{
	uint8_t count_be[4];
	uint32_t count;

	if (!fwcfg_present())
		return -1;
	select_key(FW_CFG_FILE_DIR);
	read_bytes(count_be, 4);
	count = be32(count_be);
	/* A directory bigger than this is not QEMU's: don't walk garbage. */
	if (count > 4096)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		struct {
			uint8_t size[4];
			uint8_t select[2];
			uint8_t reserved[2];
			char name[FW_CFG_NAME_MAX];
		} entry;
		uint32_t len;
		int n;

		read_bytes(&entry, sizeof(entry));
		entry.name[FW_CFG_NAME_MAX - 1] = 0;
		if (strcmp(entry.name, name) != 0)
			continue;
		len = be32(entry.size);
		n = len < (uint32_t)size - 1 ? (int)len : size - 1;
		select_key((uint16_t)(entry.select[0] << 8 | entry.select[1]));
		read_bytes(buf, n);
		buf[n] = 0;
		return (int)len;
	}
	return -1;
}
