"""The one register table (lib/pci/pci_regs.h + lib/pci/pci_regs.def) as the harness
reads it (slotprobelib/pci_regs.py): every name unique, every field inside
its register's width, SLOTPROBE_ names marked ours, and Python reading the
same values as the C compiler (a program built from the same two files)."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import tests.harness.support  # noqa: F401  (puts scripts/ on sys.path)
from slotprobelib import pci_regs
from slotprobelib.script import REGS
from slotprobelib.sources import lib_file

# Fields that belong to no one configuration register: BAR bits (any of
# PCI_BASE_ADDRESS_0..5, 32-bit) and the MSI-X table entry's Vector Control
# (a 32-bit word in memory, PCI 3.0 §6.8.2).
FIELD_OWNERS = {"PCI_BASE_ADDRESS_": 4, "PCI_MSIX_ENTRY_CTRL_": 4, "PCI_BRIDGE_CTL_": 2}
# PCI_BASE_ADDRESS_MEM_MASK: the address bits of a 64-bit BAR pair, ~0x0f.
NOT_A_FIELD = {"PCI_BASE_ADDRESS_MEM_MASK"}


def field_width(name: str, registers: dict) -> int | None:
    """Bytes of the register @name (a field macro) belongs to, by name."""
    linux = name.replace("SLOTPROBE_", "PCI_", 1)
    owners = [m for m in registers if linux.startswith(m + "_")]
    if owners:
        return registers[max(owners, key=len)].width
    for prefix, width in FIELD_OWNERS.items():
        if linux.startswith(prefix):
            return width
    return None


class TableTest(unittest.TestCase):
    def test_register_and_alias_names_unique(self):
        names = [r.name for r in pci_regs.REGISTERS] + list(pci_regs.ALIASES)
        self.assertEqual(len(names), len(set(names)),
                         sorted(n for n in names if names.count(n) > 1))
        macros = [r.macro for r in pci_regs.REGISTERS]
        self.assertEqual(len(macros), len(set(macros)))

    def test_every_field_inside_its_register(self):
        registers = {r.macro: r for r in pci_regs.REGISTERS}
        fields = [d for d in pci_regs.DEFINES.values()
                  if d.level == 2 and not d.name.endswith("_SHIFT")
                  and d.name not in NOT_A_FIELD]
        self.assertGreater(len(fields), 100)
        for d in fields:
            with self.subTest(field=d.name):
                width = field_width(d.name, registers)
                self.assertIsNotNone(width, "no register of that name in pci_regs.def")
                self.assertGreaterEqual(d.value, 0)   # 0: an encoding (PCI_EXP_SLTCTL_PWR_ON)
                self.assertEqual(d.value >> (8 * width), 0,
                                 f"0x{d.value:x} wider than {8 * width} bits")

    def test_field_checks_catch_a_field_too_wide(self):
        registers = {r.macro: r for r in pci_regs.REGISTERS}
        self.assertEqual(field_width("PCI_EXP_SLTSTA_PDS", registers), 2)
        self.assertEqual(field_width("SLOTPROBE_EXP_LNKSTA2_LER", registers), 2)
        self.assertEqual(field_width("PCI_EXP_LNKCAP_PN", registers), 4)
        self.assertIsNone(field_width("PCI_EXP_NO_SUCH_REG_X", {}))

    def test_ours_say_so(self):
        with open(lib_file("pci_regs.h"), encoding="utf-8") as f:
            lines = [ln for ln in f if ln.startswith("#define")]
        ours = [ln for ln in lines if ln.split()[1].startswith("SLOTPROBE_")]
        self.assertTrue(ours)
        for ln in lines:
            name = ln.split()[1]
            self.assertEqual(name.startswith("SLOTPROBE_"), "/* ours" in ln, ln)
            self.assertTrue(name.startswith(("PCI_", "SLOTPROBE_", "LIB_PCI_REGS_H")), ln)

    def test_script_names_kept(self):
        """The names plans already use still resolve, to the same place."""
        self.assertEqual(REGS["VENDOR"], ("h", 0, 0x00, 2))
        self.assertEqual(REGS["BAR5"], ("h", 0, 0x24, 4))
        self.assertEqual(REGS["SEC_LATENCY"], REGS["SEC_LATENCY_TIMER"])
        self.assertEqual(REGS["EXP_FLAGS"], ("c", 0x10, 0x02, 2))
        self.assertEqual(REGS["SLTSTA"], ("c", 0x10, 0x1a, 2))
        self.assertEqual(REGS["AER_UNCOR_MASK"], ("e", 0x0001, 0x08, 4))
        self.assertEqual(REGS["ACS_CTRL"], ("e", 0x000d, 0x06, 2))
        self.assertEqual(REGS["PM_CTRL"], ("c", 0x01, 0x04, 2))
        self.assertNotIn("CLASS", REGS)     # a cfgname span, not a register

    def test_def_entry_naming_an_unknown_macro_is_an_error(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.def")
            with open(path, "w") as f:
                f.write("PCI_REG(CAP, PCI_CAP_ID_EXP, PCI_EXP_NO_SUCH, 2)\n")
            with self.assertRaises(ValueError):
                pci_regs.parse_def(path, pci_regs.DEFINES)


C_PROGRAM = r"""
#include <stdio.h>
#include "pci_regs.h"
enum { HDR, TYPE0, TYPE1, CAP, EXT };
static const char *const spaces[] = { "HDR", "TYPE0", "TYPE1", "CAP", "EXT" };
int main(void)
{
#define PCI_REG(space, cap, macro, width) \
	printf("reg %s %s %d %d %d\n", spaces[space], \
	       &#macro[(space) == CAP && (cap) == PCI_CAP_ID_EXP ? 8 : 4], (int)(cap), \
	       (int)(macro), (int)(width));
#define PCI_REG_ALIAS(alias, macro) printf("alias %s %s\n", #alias, #macro);
#define PCI_SPAN(space, cap, label, offset, width) \
	printf("span %s %s %d %d %d\n", spaces[space], #label, (int)(cap), (int)(offset), \
	       (int)(width));
#include "pci_regs.def"
%DEFINES%
	return 0;
}
"""


class SameTableInCTest(unittest.TestCase):
    def test_python_reads_what_the_c_compiler_reads(self):
        cc = os.environ.get("HOSTCC", "gcc")
        if not shutil.which(cc):
            self.fail(f"{cc} not found: the table check needs the host C compiler")
        defines = "\n".join(
            f'\tprintf("def {n} %llu\\n", (unsigned long long)({n}));'
            for n in pci_regs.DEFINES)
        with tempfile.TemporaryDirectory() as d:
            src, exe = os.path.join(d, "table.c"), os.path.join(d, "table")
            with open(src, "w") as f:
                f.write(C_PROGRAM.replace("%DEFINES%", defines))
            inc = os.path.dirname(lib_file("pci_regs.h"))
            subprocess.run([cc, "-std=gnu11", "-Wall", "-Werror", "-I", inc, "-I",
                            os.path.dirname(lib_file("pci_regs.def")), src, "-o", exe],
                           check=True, timeout=60)
            out = subprocess.run([exe], check=True, capture_output=True, text=True,
                                 timeout=10).stdout.splitlines()
        c_regs = [ln.split()[1:] for ln in out if ln.startswith("reg ")]
        py_regs = [[r.space, r.name, str(r.cap), str(r.offset), str(r.width)]
                   for r in pci_regs.REGISTERS]
        self.assertEqual(c_regs, py_regs)
        c_aliases = dict(ln.split()[1:] for ln in out if ln.startswith("alias "))
        self.assertEqual(c_aliases, pci_regs.ALIASES)
        c_spans = [ln.split()[1:] for ln in out if ln.startswith("span ")]
        self.assertEqual(c_spans, [[s, label, str(c), str(o), str(w)]
                                   for s, c, label, o, w in pci_regs.SPANS])
        c_defs = {ln.split()[1]: int(ln.split()[2]) for ln in out if ln.startswith("def ")}
        py_defs = {n: d.value & 0xffffffffffffffff for n, d in pci_regs.DEFINES.items()}
        self.assertEqual(c_defs, py_defs)
        # Every #define the compiler sees in pci_regs.h, Python parsed too.
        with open(lib_file("pci_regs.h"), encoding="utf-8") as f:
            object_like = {m.group(1) for m in
                           re.finditer(r"^#define[ \t]+(\w+)[ \t]+\S", f.read(), re.M)}
        self.assertEqual(object_like, set(py_defs))


if __name__ == "__main__":
    unittest.main()
