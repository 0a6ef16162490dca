/*
 * lspci.h - PCI Express Link and Slot registers in `lspci -vv` words.
 *
 * Pure decoders: register value(s) in, text out, no hardware access, so a
 * reader can compare our output with lspci from a Linux guest line by line.
 * The words follow pciutils 3.9.0 ls-caps.c (cap_express_link,
 * cap_express_slot), the lspci of Debian 12.
 *
 * Each decoder writes lspci's lines without the two leading tabs lspci
 * indents capability registers with; lines are joined by '\n', with no
 * trailing newline, e.g. lspci_sltsta(buf, sizeof(buf), 0x0040) gives
 *   "SltSta:\tStatus: AttnBtn- PowerFlt- MRL- CmdCplt- PresDet+ Interlock-\n"
 *   "\tChanged: MRL- PresDet- LinkState-"
 * Each returns @buf; LSPCI_BUF bytes always suffice.
 */
#ifndef LIB_LSPCI_H
#define LIB_LSPCI_H

#include <stddef.h>
#include <stdint.h>

#define LSPCI_BUF 192

/* @port_type is PCI_EXP_TYPE_* of the function the registers belong to. */
const char *lspci_lnkcap(char *buf, size_t size, uint32_t lnkcap);
const char *lspci_lnkctl(char *buf, size_t size, uint16_t lnkctl, unsigned int port_type);
const char *lspci_lnksta(char *buf, size_t size, uint16_t lnksta, uint32_t lnkcap,
			 unsigned int port_type);
const char *lspci_sltcap(char *buf, size_t size, uint32_t sltcap);
const char *lspci_sltctl(char *buf, size_t size, uint16_t sltctl);
const char *lspci_sltsta(char *buf, size_t size, uint16_t sltsta);

/* Single words, as lspci spells them: "2.5GT/s" ... "unknown"; "On" "Blink" "Off" "Unknown". */
const char *lspci_link_speed(unsigned int code);
const char *lspci_indicator(unsigned int code);
/* lspci's "%gW" of a power limit value/scale pair, without floating point. */
const char *lspci_power_limit(char *buf, size_t size, unsigned int value, unsigned int scale);

/* Prints @text (decoder output) to the console, every line prefixed by @indent. */
void lspci_print(const char *indent, const char *text);

#endif
