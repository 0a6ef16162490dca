"""The guest session's rollback snapshots (session.py) and the migration
controller's decisions at a checkpoint (migration_control.py), without QEMU."""
import dataclasses
import time
import unittest

import tests.harness.support  # noqa: F401  (puts scripts/ on sys.path)
from slotprobelib.actions import Migrate, SendGo
from slotprobelib.hostlink import Garbage, HostLink, Message
from slotprobelib.migration_control import MigrationController
from slotprobelib.options import Options
from slotprobelib.plan import Entry
from slotprobelib.session import GuestSession, GuestState

PORT = ["-device", "pcie-root-port,id=rp,bus=pcie.0,addr=0x10,chassis=1"]


def msg(seq, verb, text="", **fields):
    """A guest line as the host link parses it (typed fields and all)."""
    link = HostLink()
    link.expected_seq = seq
    words = [f"SP1 {seq} {verb}", *([text] if text else []),
             *(f"{k}={v}" for k, v in fields.items())]
    (ev,) = link.parse_line(" ".join(words).encode())
    assert isinstance(ev, Message), ev
    return ev


def comparable(state: GuestState) -> dict:
    """Every field of state, objects without __eq__ by their attributes."""
    out = {}
    for f in dataclasses.fields(state):
        v = getattr(state, f.name)
        out[f.name] = vars(v) if hasattr(v, "__dict__") and not \
            dataclasses.is_dataclass(v) else v
    return out


class SessionTest(unittest.TestCase):
    def setUp(self):
        self.s = GuestSession(Entry(name="t", test="selftest"), PORT, {})

    def feed_everything(self, first_seq):
        s = self.s
        for ev in (msg(first_seq, "log", "a log line"),
                   msg(first_seq + 1, "obs", "00:10.0 SLTSTA 0x40"),
                   msg(first_seq + 2, "result", "PASS fine"),
                   msg(first_seq + 3, "error", "oops"),
                   msg(first_seq + 4, "summary", "", tests=1, failed=0),
                   msg(first_seq + 5, "bye", "", status=0),
                   msg(first_seq + 5, "cap", f"00:10.0 hdr=1 kind=std id=0x10 "
                       f"at=0x{0x40 + 4 * first_seq:x}"),
                   Garbage("bad", "x")):
            self.assertIsNone(s.handle(ev))
        s.state.checkpoints_passed += 1
        s.state.migrations += 1
        s.state.devices.device_add({"driver": "e1000e", "id": f"n{first_seq}"})  # a new id
        s.state.link.encode_go(3, 1, "dst")

    def test_restore_returns_every_field(self):
        self.feed_everything(1)
        snap = self.s.snapshot()
        before = comparable(snap)
        self.feed_everything(7)
        self.s.handle(msg(13, "crash", "", vector=14))
        changed = [k for k, v in comparable(self.s.state).items() if v != before[k]]
        # a field the helper above does not touch would make this test weaker
        self.assertEqual(sorted(changed), sorted(
            f.name for f in dataclasses.fields(GuestState)
            if f.name not in ("guest_error", "bye", "summary")))
        dropped = self.s.restore(snap)
        self.assertEqual(comparable(self.s.state), before)
        self.assertEqual([c.description for c in dropped], ["fine", "crashed: vector 14 "
                         "(?) at rip=? error=? cr2=?"])
        # the snapshot is not the state: a second rollback to it still works
        self.s.handle(msg(14, "log", "after"))
        self.assertEqual(comparable(snap), before)

    def test_checkpoint_is_returned_not_handled(self):
        cp = msg(1, "checkpoint", "plug")
        self.assertIs(self.s.handle(cp), cp)
        self.assertEqual(self.s.state.checkpoints_passed, 0)


class FakeQemu:
    """Enough of Qemu for a checkpoint without QMP commands."""
    qmp = None


class CheckpointDecisionTest(unittest.TestCase):
    def controller(self, **entry):
        e = Entry(name="t", test="selftest", **entry)
        s = GuestSession(e, [], {})
        opts = Options(qemu="q", ovmf="o")
        return MigrationController(e, opts, s, None, None, 0,
                                   time.monotonic() + 5), s

    def test_no_migration_answers_with_go(self):
        c, s = self.controller()
        q = FakeQemu()
        action = c.at_checkpoint(q, msg(4, "checkpoint", "plug"))
        self.assertEqual(action, SendGo(q, 4, "plug"))
        self.assertEqual(s.state.checkpoints_passed, 1)

    def test_migration_is_returned_not_started(self):
        c, s = self.controller(migrate_at=["plug"])
        q = FakeQemu()
        action = c.at_checkpoint(q, msg(4, "checkpoint", "plug"))
        self.assertEqual(action, Migrate(q, "at checkpoint plug", 4, "plug"))
        self.assertEqual(c.attempts, 0)     # nothing started yet


if __name__ == "__main__":
    unittest.main()
