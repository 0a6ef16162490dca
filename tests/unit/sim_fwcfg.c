/*
 * sim_fwcfg.c - the fw_cfg device of the simulated machine (see sim_fwcfg.h).
 * Layout of the directory (all big-endian, QEMU docs/specs/fw_cfg.rst):
 *   be32 count, then per file: be32 size, be16 select, be16 reserved,
 *   char name[56].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_fwcfg.h"

#define PORT_SEL	0x510
#define PORT_DATA	0x511
#define KEY_SIGNATURE	0x0000
#define KEY_ID		0x0001
#define KEY_FILE_DIR	0x0019
#define KEY_FILE_FIRST	0x0020
#define NAME_MAX_LEN	56
#define DIR_ENTRY	64

struct sim_fwcfg_file {
	char name[NAME_MAX_LEN];
	uint8_t data[SIM_FWCFG_MAX_DATA];
	uint32_t len;
	/* A pending change (sim_fwcfg_set_string with after_reads). */
	char next[SIM_FWCFG_MAX_DATA];
	unsigned int next_in;	/* data reads left before it applies, 0: none */
};

static struct sim_fwcfg_file files[SIM_FWCFG_MAX_FILES];
static int nfiles;
static uint16_t cur_key;
static uint32_t cur_off;
static unsigned int data_reads, selects;
static uint8_t dir[4 + SIM_FWCFG_MAX_FILES * DIR_ENTRY];

static __attribute__((noreturn)) void die(const char *why)
{
	fprintf(stderr, "sim_fwcfg: %s\n", why);
	abort();
}

static void put_be(uint8_t *p, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static uint32_t build_dir(void)
{
	memset(dir, 0, sizeof(dir));
	put_be(dir, (uint32_t)nfiles, 4);
	for (int i = 0; i < nfiles; i++) {
		uint8_t *e = dir + 4 + i * DIR_ENTRY;

		put_be(e, files[i].len, 4);
		put_be(e + 4, KEY_FILE_FIRST + i, 2);
		memcpy(e + 8, files[i].name, NAME_MAX_LEN);
	}
	return 4 + (uint32_t)nfiles * DIR_ENTRY;
}

/* The byte at the data offset of the selected key; 0 past the end. */
static uint8_t item_byte(void)
{
	static const uint8_t sig[4] = { 'Q', 'E', 'M', 'U' };
	static const uint8_t id[4] = { 1, 0, 0, 0 };	/* traditional interface, no DMA */
	int file = cur_key - KEY_FILE_FIRST;

	if (cur_key == KEY_SIGNATURE)
		return cur_off < 4 ? sig[cur_off] : 0;
	if (cur_key == KEY_ID)
		return cur_off < 4 ? id[cur_off] : 0;
	if (cur_key == KEY_FILE_DIR)
		return cur_off < build_dir() ? dir[cur_off] : 0;
	if (file >= 0 && file < nfiles)
		return cur_off < files[file].len ? files[file].data[cur_off] : 0;
	return 0;
}

static void apply_pending(void)
{
	for (int i = 0; i < nfiles; i++) {
		struct sim_fwcfg_file *f = &files[i];

		if (f->next_in && --f->next_in == 0) {
			f->len = (uint32_t)strlen(f->next);
			memcpy(f->data, f->next, f->len);
		}
	}
}

static uint32_t fwcfg_read(uint16_t port, int size)
{
	uint8_t b;

	if (port != PORT_DATA || size != 1)
		return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	b = item_byte();
	cur_off++;
	data_reads++;
	apply_pending();
	return b;
}

static void fwcfg_write(uint16_t port, int size, uint32_t val)
{
	/* The data port ignores writes (QEMU >= 2.4); the selector rewinds. */
	if (port != PORT_SEL || size != 2)
		return;
	cur_key = (uint16_t)val;
	cur_off = 0;
	selects++;
}

void sim_fwcfg_init(void)
{
	sim_fwcfg_clear_files();
	cur_key = 0;
	cur_off = 0;
	data_reads = selects = 0;
	sim_add_port_device(PORT_SEL, PORT_DATA, fwcfg_read, fwcfg_write);
}

void sim_fwcfg_clear_files(void)
{
	memset(files, 0, sizeof(files));
	nfiles = 0;
}

uint16_t sim_fwcfg_add_file(const char *name, const void *data, uint32_t len)
{
	struct sim_fwcfg_file *f;

	if (nfiles == SIM_FWCFG_MAX_FILES || len > SIM_FWCFG_MAX_DATA ||
	    strlen(name) >= NAME_MAX_LEN)
		die("file does not fit");
	f = &files[nfiles];
	memset(f, 0, sizeof(*f));
	strcpy(f->name, name);
	memcpy(f->data, data, len);
	f->len = len;
	return (uint16_t)(KEY_FILE_FIRST + nfiles++);
}

/* As QEMU's -fw_cfg string=: the text without its NUL. */
uint16_t sim_fwcfg_add_string(const char *name, const char *text)
{
	return sim_fwcfg_add_file(name, text, (uint32_t)strlen(text));
}

void sim_fwcfg_set_string(const char *name, const char *text, unsigned int after_reads)
{
	for (int i = 0; i < nfiles; i++) {
		struct sim_fwcfg_file *f = &files[i];

		if (strcmp(f->name, name) != 0)
			continue;
		if (strlen(text) >= SIM_FWCFG_MAX_DATA)
			die("contents do not fit");
		if (after_reads) {
			strcpy(f->next, text);
			f->next_in = after_reads;
		} else {
			f->next_in = 0;
			f->len = (uint32_t)strlen(text);
			memcpy(f->data, text, f->len);
		}
		return;
	}
	die("no such file");
}

unsigned int sim_fwcfg_data_reads(void)
{
	return data_reads;
}

unsigned int sim_fwcfg_selects(void)
{
	return selects;
}
