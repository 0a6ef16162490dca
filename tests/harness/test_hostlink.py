import random
import time
import unittest

from tests.harness import support  # noqa: F401  (sets sys.path)
from slotprobelib.hostlink import Garbage, HostLink, LINE_MAX, Message, PREAMBLE_MAX


def lines(link: HostLink, data: bytes):
    return link.feed(data)


class ParseTest(unittest.TestCase):
    def test_valid_messages(self):
        hl = HostLink()
        evs = hl.feed(b"SP1 1 hello proto=1 test=selftest build=abc\r\n"
                      b"SP1 2 log starting\nSP1 3 checkpoint powered-off\n"
                      b"SP1 4 result PASS slot 00:12.0: presence detect clear\n"
                      b"SP1 5 summary tests=1 failed=0 skipped=0 xfail=0\n"
                      b"SP1 6 bye status=0\n")
        self.assertTrue(all(isinstance(e, Message) for e in evs), evs)
        self.assertEqual([e.verb for e in evs],
                         ["hello", "log", "checkpoint", "result", "summary", "bye"])
        self.assertEqual(evs[0].fields["test"], "selftest")
        self.assertEqual(evs[2].text, "powered-off")
        self.assertEqual(evs[3].text, "PASS slot 00:12.0: presence detect clear")
        self.assertEqual(evs[5].fields, {"status": "0"})

    def test_split_across_reads(self):
        hl = HostLink()
        self.assertEqual(hl.feed(b"SP1 1 log he"), [])
        evs = hl.feed(b"llo\n")
        self.assertEqual(evs[0].text, "hello")

    def garbage(self, data: bytes, hl: HostLink | None = None) -> str:
        if hl is None:      # past the firmware preamble: strict rules apply
            hl = HostLink()
            hl.feed(b"SP1 1 log started\n")
        evs = hl.feed(data)
        self.assertTrue(evs and isinstance(evs[0], Garbage), evs)
        return evs[0].reason

    def test_garbage_kinds(self):
        self.assertIn("non-printable", self.garbage(b"SP1 1 log \xff\x00\n"))
        self.assertIn("not an SP1", self.garbage(b"hello world\n"))
        self.assertIn("not an SP1", self.garbage(b"SP2 1 log x\n"))
        self.assertIn("sequence", self.garbage(b"SP1 x log x\n"))
        self.assertIn("unknown verb", self.garbage(b"SP1 1 dance now\n"))
        self.assertIn("result", self.garbage(b"SP1 1 result MAYBE x\n"))
        self.assertIn("bye", self.garbage(b"SP1 1 bye status=zero\n"))
        self.assertIn("checkpoint", self.garbage(b"SP1 1 checkpoint\n"))
        self.assertIn("longer", self.garbage(b"SP1 1 log " + b"x" * LINE_MAX + b"\n"))
        self.assertIn("cap", self.garbage(b"SP1 1 cap 00:12.0 hdr=1 kind=std id=0x10\n"))

    def test_cap_lines(self):
        evs = HostLink().feed(b"SP1 1 cap 00:12.0 hdr=1 sec=01 kind=std id=0x10 at=0x54\n"
                              b"SP1 2 cap 0001:00:1f.0 hdr=0 kind=none\n")
        self.assertEqual([(type(e), e.verb) for e in evs], [(Message, "cap")] * 2)

    def test_overlong_without_newline_reported_once(self):
        hl = HostLink()
        evs = hl.feed(b"x" * 1000) + hl.feed(b"y" * 1000) + hl.feed(b"\nSP1 1 log ok\n")
        self.assertEqual([type(e) for e in evs], [Garbage, Message])

    def test_sequence_gap_and_duplicate(self):
        hl = HostLink()
        hl.feed(b"SP1 1 log a\n")
        evs = hl.feed(b"SP1 3 checkpoint x\n")
        self.assertIsInstance(evs[0], Garbage)
        self.assertIn("gap", evs[0].reason)
        self.assertEqual(evs[1].verb, "checkpoint")   # still answered
        self.assertIn("duplicate", self.garbage(b"SP1 3 log again\n", hl))

    def test_firmware_preamble_is_not_garbage(self):
        # Measured: OVMF clears the screen on COM2 too before the image runs.
        hl = HostLink()
        evs = hl.feed(b"\x1b[2J\x1b[01;01H\x1b[=3h\r\n\x1b[2J\x1b[01;01HSP1 1 hello "
                      b"proto=1 test=selftest build=x\nSP1 2 log a\n")
        self.assertEqual([e.verb for e in evs], ["hello", "log"])
        self.assertIn(b"\x1b[2J", hl.preamble)
        self.assertIsInstance(hl.feed(b"\x1b[2Jnoise\n")[0], Garbage)  # not after hello

    def test_preamble_is_bounded_and_linear(self):
        # 8 MiB of pre-hello output took 384 s when the preamble was built
        # by bytes concatenation and the buffer re-sliced per line.
        junk = b"\x1b[2J firmware says something\n" * (1 << 17)     # 4 MiB
        for chunks in ([junk], [junk[i:i + 4096] for i in range(0, len(junk), 4096)]):
            hl = HostLink()
            t0 = time.monotonic()
            for c in chunks:
                self.assertEqual(hl.feed(c), [])
            evs = hl.feed(b"SP1 1 hello proto=1 test=selftest build=x\n")
            self.assertLess(time.monotonic() - t0, 3.0)
            self.assertEqual([e.verb for e in evs], ["hello"])
            self.assertEqual(hl.preamble_bytes, len(junk))
            self.assertLessEqual(len(hl.preamble), PREAMBLE_MAX)
            self.assertTrue(hl.preamble.endswith(b"something\n"))

    def test_fields_are_typed_and_spacing_does_not_matter(self):
        hl = HostLink()
        evs = hl.feed(b"SP1 1 result  PASS x y\nSP1 2 result PASS  x y\n"
                      b"SP1 3 checkpoint  a\nSP1 4 obs  00:12.0  SLTSTA 0x40\n"
                      b"SP1 5 result SKIP\n")
        self.assertTrue(all(isinstance(e, Message) for e in evs), evs)
        self.assertEqual([e.fields for e in evs[:2]], [{"status": "PASS", "text": "x y"}] * 2)
        self.assertEqual([e.text for e in evs[:2]], ["PASS x y"] * 2)
        self.assertEqual(evs[2].fields, {"name": "a"})
        self.assertEqual(evs[3].fields, {"location": "00:12.0", "register": "SLTSTA",
                                         "value": "0x40"})
        self.assertEqual((evs[4].fields, evs[4].text), ({"status": "SKIP", "text": ""}, "SKIP"))

    def test_encode_go(self):
        hl = HostLink()
        self.assertEqual(hl.encode_go(7, 0, "src"), b"SP1 1 go 7 migrations=0 side=src\n")
        self.assertEqual(hl.encode_go(9, 2, "dst"), b"SP1 2 go 9 migrations=2 side=dst\n")
        self.assertEqual(hl.encode_go(9, 2, "dst", True, 0),
                         b"SP1 3 go 9 migrations=2 side=dst qmp=ok deleted=0\n")
        self.assertEqual(hl.encode_go(4, 0, "src", False, 12),
                         b"SP1 4 go 4 migrations=0 side=src qmp=failed deleted=12\n")
        self.assertEqual(hl.encode_go(4, 0, "src", None, 1),
                         b"SP1 5 go 4 migrations=0 side=src deleted=1\n")
        with self.assertRaises(ValueError):
            hl.encode_go(1, 0, "left")

    def test_max_length_line_is_fine(self):
        line = b"SP1 1 log " + b"x" * (LINE_MAX - 10)
        self.assertEqual(len(line), LINE_MAX)
        self.assertIsInstance(HostLink().feed(line + b"\n")[0], Message)


class FuzzTest(unittest.TestCase):
    VALID = [b"SP1 1 hello proto=1 test=selftest build=abc",
             b"SP1 2 checkpoint powered-off", b"SP1 3 result FAIL x y z",
             b"SP1 4 crash vector=14 name=#PF error=0x2 rip=0x1 cr2=0x0",
             b"SP1 5 bye status=77", b"SP1 6 obs 00:12.0 SltSta 0x0040",
             b"SP1 7 cap 00:12.0 hdr=1 sec=01 kind=ext id=0x1 at=0x100"]

    def test_random_bytes_never_raise(self):
        rng = random.Random(1234)
        hl = HostLink()
        for _ in range(3000):
            chunk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))
            for ev in hl.feed(chunk):
                self.assertIsInstance(ev, (Message, Garbage))

    def test_mutated_lines_never_raise(self):
        rng = random.Random(99)
        for i in range(5000):
            line = bytearray(rng.choice(self.VALID))
            for _ in range(rng.randrange(1, 4)):
                op = rng.randrange(3)
                pos = rng.randrange(len(line))
                if op == 0:
                    line[pos] = rng.randrange(256)
                elif op == 1:
                    del line[pos]
                else:
                    line.insert(pos, rng.choice(b" =\r\n\x00SP19"))
            hl = HostLink()
            for ev in hl.feed(bytes(line) + b"\n"):
                self.assertIsInstance(ev, (Message, Garbage))


if __name__ == "__main__":
    unittest.main()
