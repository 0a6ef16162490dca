"""The host-guest contract (lib/runtime/contract.h) on the harness side: contract.py
reads every CONTRACT_ define and exposes exactly those, the harness's
constants are those values, and no other source writes them again.
tests/unit/test_contract.c is the guest half of the check."""
import glob
import os
import re
import tempfile
import unittest

import tests.harness.support  # noqa: F401  (puts scripts/ on sys.path)
from slotprobelib import contract, guest_exit, hostlink, qemu, script
from slotprobelib.sources import ROOT

# Module-level names that are not header constants.
NOT_CONSTANTS = {"VALUES", "HEADER", "CHECK_CONDITIONS"}
# Check conditions: exposed together (CHECK_CONDITIONS), and ordinary words
# ("on", "set") other sources may well write for their own reasons.
CONDITIONS = {n for n in contract.VALUES if n.startswith("COND_")}


class ContractTest(unittest.TestCase):
    def test_every_header_define_read(self):
        with open(contract.HEADER, encoding="utf-8") as f:
            names = re.findall(r"^#define\s+CONTRACT_(\w+)", f.read(), re.M)
        self.assertEqual(sorted(names), sorted(contract.VALUES))
        self.assertGreaterEqual(len(names), 17)

    def test_module_exposes_exactly_the_header(self):
        exposed = {n for n in vars(contract) if n.isupper() and not n.startswith("_")}
        self.assertEqual(exposed - NOT_CONSTANTS, set(contract.VALUES) - CONDITIONS)
        for name in set(contract.VALUES) - CONDITIONS:
            self.assertEqual(getattr(contract, name), contract.VALUES[name], name)
        self.assertEqual(contract.CHECK_CONDITIONS,
                         {contract.VALUES[n] for n in CONDITIONS})
        self.assertGreaterEqual(len(CONDITIONS), 20)
        for word in contract.CHECK_CONDITIONS:      # one word in a key=t/f/c
            self.assertRegex(word, r"^[a-z0-9][a-z0-9-]*$")

    def test_harness_constants_are_the_contracts(self):
        c = contract
        self.assertEqual(qemu.MIGRATION_FWCFG, c.FWCFG_MIGRATION)
        self.assertEqual(script.FWCFG_NAME, c.FWCFG_SCRIPT)
        self.assertEqual((script.MAX_BYTES, script.MAX_STEPS, script.MAX_SAVES,
                          script.NAME_MAX, script.TEXT_MAX, script.DELAY_MAX_MS),
                         (c.SCRIPT_MAX_BYTES, c.SCRIPT_MAX_STEPS, c.SCRIPT_MAX_SAVES,
                          c.SCRIPT_NAME_MAX, c.SCRIPT_TEXT_MAX, c.SCRIPT_DELAY_MAX_MS))
        self.assertEqual((hostlink.PROTO, hostlink.LINE_MAX),
                         (c.HOSTLINK_PROTO, c.HOSTLINK_LINE_MAX))
        self.assertEqual(guest_exit.GUEST_CODES,
                         {c.EXIT_PASS: "PASS", c.EXIT_FAIL: "FAIL", c.EXIT_CRASH: "CRASH",
                          c.EXIT_WATCHDOG: "WATCHDOG", c.EXIT_ERROR: "ERROR",
                          c.EXIT_SKIP: "SKIP"})
        self.assertEqual(guest_exit.guest_code((c.EXIT_SKIP << 1) | 1), c.EXIT_SKIP)

    def test_script_compiler_enforces_the_text_limit(self):
        ok = script.compile_script(script.text_lines(f"log {'x' * contract.SCRIPT_TEXT_MAX}\n"),
                                   [], "f", "e")
        self.assertTrue(ok)
        with self.assertRaises(script.ScriptError):
            script.compile_script(
                script.text_lines(f"log {'x' * (contract.SCRIPT_TEXT_MAX + 1)}\n"),
                [], "f", "e")

    def test_no_source_writes_a_contract_string_again(self):
        """fw_cfg names appear as string literals only in lib/runtime/contract.h."""
        literals = [v for n, v in contract.VALUES.items()
                    if isinstance(v, str) and n not in CONDITIONS]
        paths = (glob.glob(os.path.join(ROOT, "lib", "**", "*.[ch]"), recursive=True)
                 + glob.glob(os.path.join(ROOT, "tests", "**", "*.c"), recursive=True)
                 + glob.glob(os.path.join(ROOT, "boot", "*.c"))
                 + glob.glob(os.path.join(ROOT, "scripts", "slotprobelib", "*.py"))
                 + [os.path.join(ROOT, "scripts", "slotprobe")])
        self.assertGreater(len(paths), 50)
        for path in paths:
            if os.path.samefile(path, contract.HEADER):
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for value in literals:
                with self.subTest(path=path, value=value):
                    self.assertFalse(f'"{value}"' in text, "use lib/runtime/contract.h's name")

    def test_no_harness_module_assigns_a_contract_number(self):
        """e.g. `LINE_MAX = 240` instead of contract.HOSTLINK_LINE_MAX."""
        numbers = {v for v in contract.VALUES.values() if isinstance(v, int) and v > 4}
        assign = re.compile(r"^([A-Z_]+)\s*(?::\s*\w+\s*)?=\s*(\d+)\s*(?:#.*)?$", re.M)
        for path in glob.glob(os.path.join(ROOT, "scripts", "slotprobelib", "*.py")):
            with open(path, encoding="utf-8") as f:
                for name, value in assign.findall(f.read()):
                    with self.subTest(path=path, name=name):
                        self.assertNotIn(int(value), numbers)

    def test_parser_reads_the_values_and_refuses_what_it_cannot(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "contract.h")
            with open(path, "w") as f:
                f.write('#define CONTRACT_A 7\n#define CONTRACT_B "x/y"\t/* why */\n')
            self.assertEqual(contract.parse(path), {"A": 7, "B": "x/y"})
            with open(path, "w") as f:
                f.write("#define CONTRACT_C (1 << 4)\n")
            with self.assertRaises(ValueError):
                contract.parse(path)


if __name__ == "__main__":
    unittest.main()
