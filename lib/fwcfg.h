/*
 * fwcfg.h - QEMU's fw_cfg interface (docs/specs/fw_cfg.rst in QEMU), read
 * through its I/O ports. The harness hands the test name and parameters over
 * as the file "opt/slotprobe/args" (-fw_cfg name=opt/slotprobe/args,file=F).
 */
#ifndef LIB_FWCFG_H
#define LIB_FWCFG_H

#include <stdbool.h>

bool fwcfg_present(void);

/*
 * Copies the named file into @buf (NUL-terminated, truncated to size-1).
 * Returns the file's full length, or -1 when there is no such file.
 */
int fwcfg_read_file(const char *name, char *buf, int size);

#endif
