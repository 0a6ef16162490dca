/*
 * sim_fwcfg.h - QEMU's fw_cfg device on the simulated machine (sim.h), the
 * I/O port interface only (QEMU docs/specs/fw_cfg.rst): a 16-bit selector at
 * 0x510, a byte-wide data port at 0x511, the "QEMU" signature (key 0x0000),
 * the ID (0x0001: no DMA), the file directory (0x0019) and files from 0x0020.
 * Selecting a key rewinds its data offset; reads past the end return 0.
 */
#ifndef SIM_FWCFG_H
#define SIM_FWCFG_H

#include <stdint.h>

#define SIM_FWCFG_MAX_FILES	16
#define SIM_FWCFG_MAX_DATA	256

/* Plugs the device in (after sim_reset()), with no files. */
void sim_fwcfg_init(void);
/* Forgets every file (a QEMU started with other files). */
void sim_fwcfg_clear_files(void);
/* Adds a file (QEMU's -fw_cfg name=...,string=...); returns its select key. */
uint16_t sim_fwcfg_add_file(const char *name, const void *data, uint32_t len);
uint16_t sim_fwcfg_add_string(const char *name, const char *text);

/*
 * New contents for an existing file, same key: what the guest sees after a
 * migration (fw_cfg contents are not migrated; the destination has its own).
 * With @after_reads > 0 the change happens once that many more bytes were
 * read from the data port: a migration in the middle of a read.
 */
void sim_fwcfg_set_string(const char *name, const char *text, unsigned int after_reads);

/* Bytes read from the data port, selector writes: what the guest cost. */
unsigned int sim_fwcfg_data_reads(void);
unsigned int sim_fwcfg_selects(void);

#endif
