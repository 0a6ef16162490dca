"""The device list a destination starts with (slotprobelib/devices.py): its
rules, and the runner keeping it across device_add, device_del and
migrations against fake_qemu.py."""
import shutil
import tempfile
import unittest

from tests.harness.support import ERRATA, FAKE_QEMU, FakeScenario
from slotprobelib.devices import DeviceList, device_option, device_options
from slotprobelib.errata import load_errata
from slotprobelib.plan import Entry
from slotprobelib.runner import Options, Runner
from slotprobelib.script import QmpAction

PORT = ["-device", "pcie-root-port,port=16,chassis=17,id=rp-empty,bus=pcie.0,addr=0x10"]
ADD = {"driver": "virtio-net-pci", "id": "hp0", "bus": "rp-empty"}


def deleted(dev=None, path="/machine/peripheral/x"):
    data = {"path": path, **({"device": dev} if dev else {})}
    return {"event": "DEVICE_DELETED", "data": data}


class DeviceListTest(unittest.TestCase):
    def test_option_from_qmp_arguments(self):
        self.assertEqual(device_option(ADD), "driver=virtio-net-pci,id=hp0,bus=rp-empty")
        self.assertEqual(device_option({"id": "n", "driver": "e1000e", "romfile": "a,b",
                                        "x-flag": True, "addr": 0}),
                         "driver=e1000e,id=n,romfile=a,,b,x-flag=on,addr=0")

    def test_options_parsed_once_for_both_forms(self):
        # The one -device parser (script.py's device words use it too).
        self.assertEqual(device_options("e1000e,id=n,romfile=a,,b,addr=0x3"),
                         {"driver": "e1000e", "id": "n", "romfile": "a,b", "addr": "0x3"})
        self.assertEqual(device_options("id=n,driver=e1000e"),
                         {"id": "n", "driver": "e1000e"})
        self.assertEqual(device_options(' {"driver": "e1000e", "id": "j0"}'),
                         {"driver": "e1000e", "id": "j0"})
        self.assertEqual(device_options('{"driver": '), {})

    def test_added_then_deleted(self):
        d = DeviceList(PORT)
        d.device_add(ADD)
        self.assertEqual(d.args(), PORT + ["-device", device_option(ADD)])
        # A QOM child's event (no id) and other events change nothing.
        self.assertEqual(d.saw_events("src", [deleted(), {"event": "RESUME"}]), [])
        self.assertEqual(len(d.args()), 4)
        self.assertEqual(d.saw_events("src", [deleted(), {"event": "RESUME"},
                                              deleted("hp0")]), ["hp0"])
        self.assertEqual(d.args(), PORT)

    def test_added_again_without_deleted_event_replaces(self):
        # QEMU accepted the id again: the old device is gone, event or not.
        d = DeviceList(PORT + ["-device", "nec-usb-xhci,id=hp0,bus=rp-empty"])
        d.device_add(ADD)
        self.assertEqual(d.args(), PORT + ["-device", device_option(ADD)])

    def test_each_event_counts_once_per_qemu(self):
        d = DeviceList(PORT)
        d.device_add(ADD)
        events = [deleted("hp0")]
        self.assertEqual(d.saw_events("src", events), ["hp0"])
        d.device_add(ADD)                      # the same id plugged again
        self.assertEqual(d.saw_events("src", events), [])
        self.assertIn("-device", d.args()[2:])
        self.assertEqual(d.saw_events("dst1", events), ["hp0"])   # another QEMU

    def test_command_line_device_deleted(self):
        d = DeviceList(["-global", "a.b=c"] + PORT +
                       ["-device", "virtio-net-pci,id=nic0,bus=rp-empty",
                        "-device", '{"driver": "e1000e", "id": "j0"}'])
        self.assertEqual(d.saw_events("src", [deleted("nic0"), deleted("j0")]),
                         ["nic0", "j0"])
        self.assertEqual(d.args(), ["-global", "a.b=c"] + PORT)

    def test_unknown_id_ignored(self):
        d = DeviceList(PORT)
        self.assertEqual(d.saw_events("src", [deleted("other")]), [])
        self.assertEqual(d.args(), PORT)


class RunnerDevicesTest(unittest.TestCase):
    """device_add at "plug", device_del at "unplug", DEVICE_DELETED at
    "unplugged" (sent by the fake when its scripted guest powers off), a
    migration at each checkpoint: every destination reports its devices."""

    def setUp(self):
        self.logs = tempfile.mkdtemp(prefix="slotprobe-logs-")
        self.addCleanup(shutil.rmtree, self.logs, True)

    def run_entry(self, guest, migrate_at, add=ADD, guest_judges=False):
        e = Entry(name="t", test="hotplug", machine="pc-q35-6.0", timeout=30,
                  devices=list(PORT), migrate_at=migrate_at, qmp_at=[
                      QmpAction("plug", "device_add", dict(add), guest_judges=guest_judges),
                      QmpAction("unplug", "device_del", {"id": "hp0"}),
                      QmpAction("unplugged", "query-status", {}, "",
                                "DEVICE_DELETED", 5.0)])
        opts = Options(qemu=FAKE_QEMU, ovmf=FAKE_QEMU, kernel=FAKE_QEMU,
                       log_dir=self.logs)
        with FakeScenario(guest):
            return Runner(e, opts, load_errata(ERRATA)).run()

    @staticmethod
    def texts(r):
        return [("ok " if c.ok else "not ok ") + c.description for c in r.checks]

    def test_destinations_follow_the_devices(self):
        guest = [["hello", "hotplug"], ["devices"],
                 ["checkpoint", "plug"], ["devices"],
                 ["checkpoint", "unplug"], ["devices"], ["deleted", "hp0"],
                 ["checkpoint", "unplugged"], ["devices"], ["exit", 0]]
        r = self.run_entry(guest, ["all"])
        t = self.texts(r)
        self.assertEqual(r.outcome, "PASS", t)
        self.assertEqual([x for x in t if "devices=" in x], [
            "ok devices=rp-empty",              # the source
            "ok devices=rp-empty,hp0",          # after device_add
            "ok devices=rp-empty,hp0",          # device_del pending: kept
            "ok devices=rp-empty"])             # DEVICE_DELETED seen: dropped
        self.assertIn("ok device hp0 deleted (DEVICE_DELETED from dst2): "
                      "destinations start without it", t)
        self.assertEqual(sum("completed" in x and x.startswith("ok migration")
                             for x in t), 3)

    def test_go_ahead_says_qmp_outcome_and_deleted_count(self):
        """contract.h's go-ahead: qmp=ok|failed for the checkpoint's QMP
        commands (absent where none ran), deleted=N counting DEVICE_DELETED
        events with an id (not the backend's), on every QEMU the guest ran on."""
        guest = [["hello", "hotplug"], ["checkpoint", "first"], ["go_tail"],
                 ["checkpoint", "plug"], ["go_tail"],
                 ["checkpoint", "unplug"], ["go_tail"], ["deleted", "hp0"],
                 ["checkpoint", "unplugged"], ["go_tail"], ["deleted", "nic9"],
                 ["checkpoint", "last"], ["go_tail"], ["exit", 0]]
        r = self.run_entry(guest, ["unplug"])
        t = [x for x in self.texts(r) if "go tail" in x]
        self.assertEqual(t, ["ok go tail: deleted=0", "ok go tail: qmp=ok deleted=0",
                             "ok go tail: qmp=ok deleted=0", "ok go tail: qmp=ok deleted=1",
                             "ok go tail: deleted=2"])
        refused = self.run_entry([["hello", "hotplug"], ["checkpoint", "plug"], ["go_tail"],
                                  ["exit", 0]], [], add={"driver": "bogus", "id": "b0"})
        self.assertIn("ok go tail: qmp=failed deleted=0", self.texts(refused))
        self.assertEqual(refused.outcome, "FAIL")      # a refusal is a failed check ...
        judged = self.run_entry([["hello", "hotplug"], ["checkpoint", "plug"], ["go_tail"],
                                 ["exit", 0]], [], add={"driver": "bogus", "id": "b0"},
                                guest_judges=True)
        t = self.texts(judged)
        self.assertEqual(judged.outcome, "PASS", t)     # ... unless the guest judges it
        self.assertIn("ok go tail: qmp=failed deleted=0", t)
        self.assertTrue(any(x.startswith("ok qmp device_add") and
                            x.endswith("(refused: the guest judges it)") for x in t), t)

    def test_deleted_count_once_per_event_and_qemu(self):
        d = DeviceList(PORT)
        events = [deleted(), deleted("hp0"), {"event": "RESUME"}]
        self.assertEqual(d.count_deleted("src", events), 1)
        self.assertEqual(d.count_deleted("src", events), 1)
        self.assertEqual(d.count_deleted("src", events + [deleted("x")]), 2)
        self.assertEqual(d.count_deleted("dst1", [deleted("hp0")]), 3)
        # The device list keeps its own account (hp0 was never in it).
        self.assertEqual(d.saw_events("src", events), [])

    def test_failed_device_add_is_not_tracked(self):
        guest = [["hello", "hotplug"], ["checkpoint", "plug"], ["devices"], ["exit", 0]]
        r = self.run_entry(guest, ["plug"], add={"driver": "bogus", "id": "b0"})
        t = self.texts(r)
        self.assertTrue(any(x.startswith("not ok qmp device_add") for x in t), t)
        self.assertIn("ok devices=rp-empty", t)


if __name__ == "__main__":
    unittest.main()
