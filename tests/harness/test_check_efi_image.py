"""Tests of scripts/check-efi-image: it must pass the real image and refuse
each way a gnu-efi + ld.lld image is known to go wrong."""
import importlib.machinery
import importlib.util
import os
import struct
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, "scripts", "check-efi-image")
IMAGE = os.path.join(ROOT, "build", "slotprobe.efi")
ESP = os.path.join(ROOT, "build", "esp.img")


def load_checker():
    loader = importlib.machinery.SourceFileLoader("check_efi_image", CHECKER)
    spec = importlib.util.spec_from_loader("check_efi_image", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


chk = load_checker()


@unittest.skipUnless(os.path.exists(IMAGE), "build/slotprobe.efi not built (run make)")
class CheckEfiImage(unittest.TestCase):
    def setUp(self):
        with open(IMAGE, "rb") as f:
            self.good = bytearray(f.read())
        self.pe = struct.unpack_from("<I", self.good, 0x3C)[0]
        self.opt = self.pe + 24
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def run_checker(self, data: bytes):
        path = os.path.join(self.tmp.name, "image.efi")
        with open(path, "wb") as f:
            f.write(data)
        return subprocess.run([sys.executable, CHECKER, path], capture_output=True,
                              text=True, timeout=30)

    def section_header(self, name: str) -> int:
        nsect = struct.unpack_from("<H", self.good, self.pe + 6)[0]
        opt_size = struct.unpack_from("<H", self.good, self.pe + 20)[0]
        first = self.opt + opt_size
        for i in range(nsect):
            off = first + 40 * i
            if self.good[off:off + 8].rstrip(b"\0") == name.encode():
                return off
        raise AssertionError(f"no section {name}")

    def assert_refused(self, data: bytes, words: str):
        r = self.run_checker(bytes(data))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(words, r.stderr)
        self.assertEqual(len(r.stderr.strip().splitlines()), 1, "one line per image")

    def test_good_image_passes(self):
        r = self.run_checker(bytes(self.good))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK (PE32+ EFI application", r.stdout)

    def test_pe32_not_plus(self):
        struct.pack_into("<H", self.good, self.opt, 0x10B)
        self.assert_refused(self.good, "not PE32+")

    def test_not_efi_subsystem(self):
        struct.pack_into("<H", self.good, self.opt + 68, 3)
        self.assert_refused(self.good, "not an EFI application")

    def test_section_inside_headers(self):
        off = self.section_header(".rela")
        struct.pack_into("<I", self.good, off + 12, 0x200)
        self.assert_refused(self.good, "inside the PE headers")

    def test_relocations_missing(self):
        off = self.section_header(".rela")
        self.good[off:off + 8] = b".xyz\0\0\0\0"
        self.assert_refused(self.good, "relocations missing")

    def test_dynamic_relocs_not_applied(self):
        img = chk.PeImage(bytes(self.good))
        dyn = chk.dynamic_entries(img)
        r_offset = struct.unpack("<Q", img.read(dyn[chk.DT_RELA], 8))[0]
        for s in img.sections:
            if s.holds(r_offset, 8):
                file_off = s.rawptr + r_offset - s.va
                self.good[file_off:file_off + 8] = b"\0" * 8
        self.assert_refused(self.good, "--apply-dynamic-relocs")

    def test_truncated(self):
        self.assert_refused(self.good[:self.opt + 10], "truncated")

    def test_not_pe(self):
        self.assert_refused(b"\x7fELF" + bytes(100), "not a PE image")

    def test_truncated_section_data(self):
        # Cut inside the last section: the headers are whole, the data not
        # (a truncated image used to boot and wait out the 90 s timeout).
        last = max(chk.PeImage(bytes(self.good)).sections, key=lambda s: s.rawptr)
        self.assert_refused(self.good[:last.rawptr + 16], "truncated: section")

    def esp_checker(self, path: str):
        return subprocess.run([sys.executable, CHECKER, "--esp", path], capture_output=True,
                              text=True, timeout=30)

    @unittest.skipUnless(os.path.exists(ESP), "build/esp.img not built (run make esp)")
    def test_esp_image(self):
        r = self.esp_checker(ESP)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK (ESP with /EFI/BOOT/BOOTX64.EFI: PE32+ EFI application", r.stdout)
        with open(ESP, "rb") as f:
            data = f.read()
        cut = os.path.join(self.tmp.name, "cut.img")
        for size, words in ((len(data) // 80, "past the end"), (256, "truncated: boot sector")):
            with self.subTest(size=size):
                with open(cut, "wb") as f:
                    f.write(data[:size])
                r = self.esp_checker(cut)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn(words, r.stderr)


if __name__ == "__main__":
    unittest.main()
