"""`slotprobe explore` and `slotprobe explore-merge`: any plan entry as the
topology (pds-migration: its slot device's device_add/device_del at the
explorer's checkpoints, migrations on), the campaign's parameters reaching
the guest (seed, sequences or budget, shards of --jobs and --shard), the
findings deduplicated by signature (shortest script kept) and triaged by
field against the errata: a known one expected (XFAIL, `errata =` in
findings.cfg), a new one a FAIL and exit status 1. All with the fake QEMU;
scripts/check-explore runs the real thing in make check."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import dataclasses
import unittest

from tests.harness.support import (ERRATA, FAKE_IMAGE, FAKE_OVMF, FAKE_QEMU, PLANS,
                                   SLOTPROBE, write)
from slotprobelib import explore_findings as xf
from slotprobelib.checkkey import parse_key
from slotprobelib.errata import load_errata
from slotprobelib.explore_cmd import refusals, workers
from slotprobelib.explore_entry import Campaign, explore_entry, slot_device
from slotprobelib.judge import judge
from slotprobelib.plan import Entry, Plan
from slotprobelib.qemu_info import SetupError
from slotprobelib.report import Check, EntryResult
from slotprobelib.script import compile_script, expect_fields, text_lines

PY = sys.executable
PREFIX = "log explore: slot 00:12.0: explore-entry: "
KNOWN = ["# Finding: value SLTCTL PCI_EXP_SLTCTL_DLLSCE rw",
         "# What was done: the 2 steps below on 00:12.0 (this hypervisor). What the",
         "# spec says: ...",
         "[explore-1]",
         "script = write16 00:12.0 SLTCTL 0x1000",
         "    expect16 00:12.0 SLTCTL 0x1000 0x1000"]
# Power Controller Control reads back what was written on QEMU 7.2: no
# erratum covers it, so a finding of it is new.
NEW = ["# Finding: value SLTCTL PCI_EXP_SLTCTL_PCC rw",
       "# What was done: the 2 steps below on 00:12.0 (this hypervisor).",
       "[explore-2]",
       "script = write16 00:12.0 SLTCTL 0x0400",
       "    expect16 00:12.0 SLTCTL 0x0400 0x0400"]
XHCI_ADD = {"driver": "nec-usb-xhci", "p2": 4, "p3": 4, "id": "nex-usb-xhci0",
            "bus": "pcie-root-port18", "addr": "0x0"}


def guest_with(*findings, checkpoints=()):
    """The fake guest's lines for these findings, as tests/explore.c prints them."""
    steps = [["hello", "explore"], *[["checkpoint", c] for c in checkpoints],
             ["line", "log explore: seed 1, 3 sequences, 40 steps in 900 ms"],
             ["line", f"result FAIL explore: {len(findings)} finding(s), 0 sequence(s) "
                      "left what the spec defines"]]
    for i, lines in enumerate(findings, 1):
        steps.append(["line", f"result FAIL explore: finding {i}: {lines[0][11:]} "
                              "(sequence 0, 5 -> 2 steps, seen 1 times)"])
        steps += [["line", PREFIX + line] for line in lines]
    return steps + [["exit", 1]]


class ExploreCmdTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="slotprobe-explore-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.out = os.path.join(self.dir, "out")

    def explore(self, *args, guest, keep=True):
        env = dict(os.environ)
        env["FAKE_QEMU_SCENARIO"] = write(self.dir, "sc.json", json.dumps({"guest": guest}))
        p = subprocess.run([PY, SLOTPROBE, "explore", *args, "--qemu", FAKE_QEMU,
                            "--ovmf", FAKE_OVMF, "--image", FAKE_IMAGE, "--accel", "tcg",
                            "--log-dir", os.path.join(self.dir, "logs")]
                           + (["--keep-logs"] if keep else []),
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertNotIn("Traceback", p.stderr)
        return p

    def guest_args(self):
        logs = os.path.join(self.dir, "logs")
        out = {}
        for d in sorted(os.listdir(logs)):
            with open(os.path.join(logs, d, "args")) as f:
                out[d] = f.read().split()
        return out

    def qmp_log(self):
        logs = os.path.join(self.dir, "logs")
        text = ""
        for d in os.listdir(logs):
            with open(os.path.join(logs, d, "qmp.log")) as f:
                text += f.read()
        return text

    def test_known_finding_is_expected_and_names_its_bug(self):
        p = self.explore("--seed", "7", "--sequences", "3", "--out", self.out,
                         guest=guest_with(KNOWN))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("finding 1: value SLTCTL PCI_EXP_SLTCTL_DLLSCE rw: known QEMU bug "
                      "qemu-sltctl-dllsce-ro (https://", p.stdout)
        self.assertIn("#     write16 00:12.0 SLTCTL 0x1000", p.stdout)
        self.assertIn("1 finding(s): 1 known, 0 new", p.stdout)
        self.assertIn("# TODO known bug qemu-sltctl-dllsce-ro", p.stdout)
        plan = Plan(os.path.join(self.out, "findings.cfg"))
        entry = plan.entries["explore-1"]
        self.assertEqual(entry.errata, ["qemu-sltctl-dllsce-ro"])
        self.assertEqual(entry.machine, "pc-q35-6.0")
        self.assertEqual(entry.script.steps, 2)
        with open(os.path.join(self.out, "findings.cfg")) as f:
            text = f.read()
        self.assertIn("on 00:12.0 (QEMU 7.2.22, pc-q35-6.0). What the", text)
        self.assertNotIn("this hypervisor", text)
        args = list(self.guest_args().values())[0]
        for word in ("seed=7", "sequences=3", "budget=0", "shard=1", "shards=1",
                     "migrate=0", "slot=00:12.0", "child=1033:0194"):
            self.assertIn(word, args)

    def test_known_only_keeps_no_folder_new_keeps_it(self):
        """As run: an expected result's folder goes, an unexpected one's stays."""
        p = self.explore("--out", self.out, guest=guest_with(KNOWN), keep=False)
        self.assertEqual((p.returncode, os.listdir(os.path.join(self.dir, "logs"))), (0, []))
        p = self.explore("--out", self.out, guest=guest_with(NEW), keep=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(os.listdir(os.path.join(self.dir, "logs"))), 1)

    def test_new_finding_fails_and_exits_1(self):
        p = self.explore("--out", self.out, guest=guest_with(KNOWN, NEW))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("finding 2: value SLTCTL PCI_EXP_SLTCTL_PCC rw: NEW (no erratum "
                      "covers PCI_EXP_SLTCTL_PCC on QEMU 7.2.22, pc-q35-6.0)", p.stdout)
        self.assertIn("2 finding(s): 1 known, 1 new", p.stdout)
        plan = Plan(os.path.join(self.out, "findings.cfg"))
        self.assertEqual(plan.entries["explore-2"].errata, [])
        self.assertEqual(plan.entries["explore-1"].errata, ["qemu-sltctl-dllsce-ro"])

    def test_no_findings_no_entries(self):
        p = self.explore("--out", self.out, guest=[
            ["hello", "explore"], ["line", "result PASS explore: 0 finding(s)"], ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        plan = Plan(os.path.join(self.out, "findings.cfg"))
        self.assertEqual(plan.entries, {})

    def test_any_entry_is_a_topology_pds_migration(self):
        """pds-migration migrates: migrations on; the slot's xHCI comes back
        at explore-add and explore-restore and goes at explore-del."""
        p = self.explore("pds-migration", "--budget", "30", "--out", self.out,
                         guest=guest_with(KNOWN, checkpoints=(
                             "explore-add", "explore-del", "explore-restore")))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        args = list(self.guest_args().values())[0]
        for word in ("budget=30", "sequences=0", "migrate=1", "slot=00:12.0", "watchdog=90"):
            self.assertIn(word, args)
        qmp = self.qmp_log()
        self.assertEqual(qmp.count('"execute": "device_add"'), 2, qmp)
        self.assertIn('"execute": "device_del", "arguments": {"id": "nex-usb-xhci0"}', qmp)
        shutil.rmtree(os.path.join(self.dir, "logs"))
        self.explore("pds-migration", "--no-migrate", "--out", self.out, guest=guest_with())
        self.assertIn("migrate=0", list(self.guest_args().values())[0])

    def test_campaign_without_migration_steps_passes(self):
        """Migrations on, but no sequence drew one: explore-migrate never
        offered is no failure (for run it is: a misspelled migrate_at)."""
        p = self.explore("pds-migration", "--out", self.out, guest=[
            ["hello", "explore"], ["line", "result PASS explore: 0 finding(s)"], ["exit", 0]])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("ok 5 - explore-pds-migration: no sequence drew a migration "
                      "(explore-migrate never reached)", p.stdout)

    def test_jobs_shard_the_campaign_and_merge(self):
        p = self.explore("--jobs", "2", "--shard", "2/3", "--out", self.out,
                         guest=guest_with(KNOWN, NEW))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        shards = sorted(tuple(w for w in a if w.startswith("shard")) for a in
                        self.guest_args().values())
        self.assertEqual(shards, [("shard=2", "shards=6"), ("shard=5", "shards=6")])
        self.assertIn("2 finding(s): 1 known, 1 new", p.stdout)    # once each
        self.assertEqual(len(Plan(os.path.join(self.out, "findings.cfg")).entries), 2)

    def test_findings_replay_known_xfail_new_fail(self):
        """run --plan OUT/findings.cfg: the entry's failed expect is its listed
        bug (XFAIL); the same failure in the new finding's entry is a FAIL."""
        found = xf.triage([finding(KNOWN), finding(NEW)], ERRATA_SET)
        plan = Plan(xf.write(self.out, found, ERRATA_SET, []))
        for name, status, want in (("explore-1", "FAIL", "XFAIL"), ("explore-2", "FAIL", "FAIL"),
                                   ("explore-1", "PASS", "FAIL")):   # PASS: the bug did not show
            line, _, _, _, _, label, mask = plan.entries[name].script.guest.split()[-8:-1]
            guest = [["hello", "script"],
                     ["line", f"result {status} script: line {line}: expect16 00:12.0 {label} "
                              f"& {mask} == {mask} (read {'0x0000' if status == 'FAIL' else mask})"],
                     ["exit", 1 if status == "FAIL" else 0]]
            env = dict(os.environ)
            env["FAKE_QEMU_SCENARIO"] = write(self.dir, "sc.json", json.dumps({"guest": guest}))
            p = subprocess.run([PY, SLOTPROBE, "run", "--plan",
                                os.path.join(self.out, "findings.cfg"), name,
                                "--qemu", FAKE_QEMU, "--ovmf", FAKE_OVMF, "--image", FAKE_IMAGE,
                                "--accel", "tcg", "--log-dir", os.path.join(self.dir, "logs")],
                               capture_output=True, text=True, timeout=60, env=env)
            self.assertRegex(p.stdout, rf"# {name}: {want}\b", p.stdout + p.stderr)
            self.assertEqual(p.returncode, 0 if want == "XFAIL" else 1)

    def test_merge_shard_outputs(self):
        a, b, m = (os.path.join(self.dir, x) for x in ("a", "b", "m"))
        xf.write(a, [finding(KNOWN)], ERRATA_SET, ["a"])
        longer = KNOWN[:-1] + ["    delay 10", KNOWN[-1]]
        xf.write(b, [finding(longer), finding(NEW)], ERRATA_SET, ["b"])
        p = subprocess.run([PY, SLOTPROBE, "explore-merge", b, a, "--out", m],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        plan = Plan(os.path.join(m, "findings.cfg"))
        self.assertEqual(sorted(plan.entries), ["explore-1", "explore-2"])
        self.assertEqual(plan.entries["explore-1"].script.steps, 2)   # a's, the shorter
        self.assertEqual(plan.entries["explore-1"].errata, ["qemu-sltctl-dllsce-ro"])
        p = subprocess.run([PY, SLOTPROBE, "explore-merge", a, "--out", m],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("1 finding(s): 1 known, 0 new", p.stdout)


ERRATA_SET = load_errata(ERRATA)


def finding(lines, qemu="7.2.22", machine="pc-q35-6.0"):
    f = xf.parse_logs([PREFIX + line for line in lines])[0]
    f.qemu, f.machine, f.entry_machine = qemu, machine, machine
    return f


class TopologyTest(unittest.TestCase):
    """explore_entry.py, without QEMU."""

    def setUp(self):
        self.plan = Plan(PLANS)

    def test_pds_migration_entry(self):
        base = self.plan.entries["pds-migration"]
        e = explore_entry(base, Campaign(seed=3, budget=600, migrate=True))
        self.assertEqual(e.test, "explore")
        self.assertEqual((e.machine, e.devices), (base.machine, base.devices))
        self.assertEqual(e.migrate_at, ["explore-migrate"])
        self.assertEqual((e.errata, e.migrate_delay), ([], (0, 0)))
        self.assertEqual([(a.checkpoint, a.command, a.args, a.guest_judges) for a in e.qmp_at],
                         [("explore-restore", "device_add", XHCI_ADD, False),
                          ("explore-add", "device_add", XHCI_ADD, True),
                          ("explore-del", "device_del", {"id": "nex-usb-xhci0"}, True)])
        for word in ("slot=00:12.0", "child=1033:0194", "seed=3", "budget=600",
                     "sequences=0", "migrate=1", "watchdog=660"):
            self.assertIn(word, e.params)
        self.assertEqual(e.timeout, 720.0)     # budget + watchdog margin + boot margin

    def test_same_device_add_as_the_explore_entry(self):
        """The qmp_at tests/plans.cfg [explore] writes by hand is the one built."""
        base = self.plan.entries["explore"]
        built = explore_entry(base, Campaign())
        planned = {a.checkpoint: a.args for a in base.qmp_at}
        self.assertEqual(built.qmp_actions("explore-restore")[0].args,
                         planned["explore-restore"])

    def test_slot_choice(self):
        devs = ["-device", "pcie-root-port,id=rp1,bus=pcie.0,addr=0x10,chassis=1",
                "-device", "pcie-root-port,id=rp2,bus=pcie.0,addr=0x11,chassis=2",
                "-device", "virtio-net-pci,id=n1,bus=rp1",
                "-device", "virtio-blk-pci,id=b2,bus=rp2,drive=d"]
        self.assertEqual(slot_device(Entry("x", "t", devices=devs)).device_id, "n1")
        e = Entry("x", "t", params=["slot=00:11.0"], devices=devs)
        self.assertEqual(slot_device(e).device_id, "b2")
        for params, devices, msg in (
                ([], [], "has no hot-plug slot device to use"),
                ([], devs[:2] + ["-device", "virtio-net-pci,bus=rp1"], "no hot-plug slot"),
                ([], ["-device", "pcie-root-port,id=rp1,hotplug=off,bus=pcie.0,addr=0x10",
                      "-device", "virtio-net-pci,id=n1,bus=rp1"], "no hot-plug slot"),
                (["slot=00:12.0"], devs, "no device with an id= in the hot-plug slot"),
                (["slot=zz"], devs, "slot=zz is not a BDF")):
            with self.assertRaises(SetupError) as cm:
                slot_device(Entry("x", "t", params=params, devices=devices))
            self.assertIn(msg, str(cm.exception))

    def test_workers_partition_the_shard(self):
        base = self.plan.entries["explore"]
        names = [(e.name, [p for p in e.params if p.startswith("shard")])
                 for e in workers(base, Campaign(shard=1, shards=2), 3)]
        self.assertEqual(names, [("explore-1of6", ["shard=1", "shards=6"]),
                                 ("explore-3of6", ["shard=3", "shards=6"]),
                                 ("explore-5of6", ["shard=5", "shards=6"])])
        # i % 2 == 0 split three ways: every even index exactly once.
        covered = sorted(i for i in range(60) for k in (1, 3, 5) if i % 6 == k - 1)
        self.assertEqual(covered, list(range(0, 60, 2)))

    def test_parameters_kept_and_added(self):
        """An explore entry's own parameters stay (not its campaign's), another
        test's do not; --param adds any the campaign does not set."""
        base = Entry("x", "explore", params=["slot=00:12.0", "hotplug=1", "seed=9"],
                     devices=self.plan.entries["explore"].devices)
        e = explore_entry(base, Campaign(seed=2, extra=("go-timeout=30",)))
        self.assertIn("hotplug=1", e.params)
        self.assertIn("go-timeout=30", e.params)
        self.assertEqual([p for p in e.params if p.startswith("seed=")], ["seed=2"])
        other = explore_entry(self.plan.entries["pds-migration"], Campaign())
        self.assertEqual(sorted(p.split("=")[0] for p in other.params),
                         sorted(["slot", "child", "seed", "sequences", "budget", "shard",
                                 "shards", "migrate", "watchdog"]))

    def test_random_migrations_of_an_explore_entry_stay(self):
        """Host migrations at random moments (migrate_random) come from an
        explore entry, never from another test's entry."""
        e = explore_entry(self.plan.entries["explore-random-migrations"], Campaign())
        self.assertEqual(e.migrate_random, (4, 3000, 15000))
        self.assertIn("hotplug=0", e.params)
        base = dataclasses.replace(self.plan.entries["pds-migration"],
                                   migrate_random=(2, 10, 20))
        self.assertIsNone(explore_entry(base, Campaign()).migrate_random)

    def test_sequences_timeout(self):
        base = self.plan.entries["pds-migration"]
        e = explore_entry(base, Campaign(sequences=5))
        self.assertEqual((e.timeout, "watchdog=1740" in e.params), (1800.0, True))
        e = explore_entry(self.plan.entries["explore"], Campaign(timeout=300.0))
        self.assertEqual((e.timeout, "watchdog=240" in e.params), (300.0, True))


class TriageTest(unittest.TestCase):
    """explore_findings.py: dedup and errata, without QEMU."""

    def test_dedup_keeps_the_shortest_script(self):
        long = finding(KNOWN[:-1] + ["    delay 5", KNOWN[-1]])
        short, new = finding(KNOWN), finding(NEW)
        out = xf.deduplicate([long, new, short])
        self.assertEqual([(f.signature, f.steps) for f in out],
                         [(long.signature, 2), (new.signature, 2)])
        self.assertIs(out[0], short)

    def test_known_by_field_where_the_bug_applies(self):
        self.assertEqual(xf.triage([finding(KNOWN)], ERRATA_SET)[0].erratum,
                         "qemu-sltctl-dllsce-ro")
        self.assertIsNone(xf.triage([finding(NEW)], ERRATA_SET)[0].erratum)
        # qemu_min 7.2.0: an older QEMU is not known to have it.
        self.assertIsNone(xf.triage([finding(KNOWN, qemu="7.1.0")], ERRATA_SET)[0].erratum)
        dllsc = ["# Finding: value SLTSTA PCI_EXP_SLTSTA_DLLSC dllsc", "[explore-1]",
                 "script = expect16 00:12.0 SLTSTA 0x0100 0x0100"]
        self.assertEqual(xf.triage([finding(dllsc)], ERRATA_SET)[0].erratum, "qemu-no-dllsc")

    def test_fix_declared_present_makes_it_new(self):
        path = os.path.join(tempfile.mkdtemp(prefix="slotprobe-errata-"), "e.cfg")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        write(os.path.dirname(path), "e.cfg", "[qemu-sltctl-dllsce-ro]\nfix_present = yes\n")
        self.assertIsNone(xf.triage([finding(KNOWN)], load_errata(ERRATA, path))[0].erratum)

    def test_key_picks_among_errata_of_one_field(self):
        """LNKSTA.DLLLA: hardwired-0 (qemu-dllla-without-dllarc) and
        clear-without-power (qemu-hotplug-dllla-unpowered); the FAIL line's
        key names the check, else the errata file's order decides."""
        down = ["# Finding: value LNKSTA PCI_EXP_LNKSTA_DLLLA link-down", "[explore-1]",
                "script = read16 00:12.0 LNKSTA"]
        f = finding(down)
        self.assertEqual(xf.triage([f], ERRATA_SET)[0].erratum, "qemu-dllla-without-dllarc")
        fail = Check(False, "FAIL: explore: finding 1: value LNKSTA PCI_EXP_LNKSTA_DLLLA "
                            "link-down (sequence 0)",
                     keys=[parse_key("key=explore/LNKSTA.DLLLA/clear-without-power")])
        xf.with_keys([f], [Check(True, "explore: slot 00:12.0"), fail])
        self.assertEqual(f.condition, "clear-without-power")
        self.assertEqual(xf.triage([f], ERRATA_SET)[0].erratum, "qemu-hotplug-dllla-unpowered")
        self.assertNotIn("by field only", "\n".join(xf.summary_lines([f], ERRATA_SET)))
        f.condition = "set"      # a link that did not come up: known by field only, and said so
        self.assertEqual(xf.triage([f], ERRATA_SET)[0].erratum, "qemu-dllla-without-dllarc")
        self.assertIn("(by field only: qemu-dllla-without-dllarc does not list the check "
                      "PCI_EXP_LNKSTA_DLLLA:set the finding failed)",
                      "\n".join(xf.summary_lines([f], ERRATA_SET)))

    def test_unnamed_bits_known_by_their_key(self):
        """Bits pci_regs.h has no name for: the signature has words
        ("bits 15:12 (...)"), the FAIL key the REG[hi:lo] errata list."""
        lines = ["# Finding: value LNKCTL2 PCI_EXP_LNKCTL2 bits 15:12 (Compliance "
                 "Preset/De-emphasis) rw", "[explore-1]", "script = read16 00:12.0 LNKCTL2"]
        f = finding(lines)
        self.assertIsNone(xf.triage([f], ERRATA_SET)[0].erratum)
        fail = Check(False, "FAIL: explore: finding 1: " + lines[0][len("# Finding: "):]
                     + " (sequence 0)",
                     keys=[parse_key("key=explore/PCI_EXP_LNKCTL2[15:12]/writable")])
        xf.with_keys([f], [fail])
        self.assertEqual(xf.triage([f], ERRATA_SET)[0].erratum, "qemu-port-lnkctl2-ro")
        self.assertNotIn("by field only", "\n".join(xf.summary_lines([f], ERRATA_SET)))

    def test_refused_migration_known_by_the_harness_decoding(self):
        host = ["# Finding: host - the migration was refused migrate", "[explore-1]",
                "script = checkpoint h1 migrate"]
        f = finding(host)
        self.assertIsNone(xf.triage([f], ERRATA_SET)[0].erratum)
        f.refusals = ["qemu-pds-cmask"]
        self.assertEqual(xf.triage([f], ERRATA_SET)[0].erratum, "qemu-pds-cmask")

    def test_host_steps_name_the_slot_device(self):
        """The guest writes device_add/del steps without QEMU's arguments
        (it knows no device ids); the plan entry gets the slot device's."""
        lines = ["# Finding: value SLTSTA PCI_EXP_SLTSTA_PDC pdc", "[explore-1]",
                 'script = checkpoint h1 qmp device_del {"id": "-"}',
                 "    checkpoint h2 qmp device_add {}", "    read16 00:12.0 SLTSTA"]
        base = Plan(PLANS).entries["pds-migration"]
        f = xf.on_topology(xf.parse_logs([PREFIX + x for x in lines]), base, "7.2.22",
                           "pc-q35-6.0", [], slot_device(base))[0]
        d = tempfile.mkdtemp(prefix="slotprobe-findings-")
        self.addCleanup(shutil.rmtree, d, True)
        path = xf.write(d, [f], ERRATA_SET, [])
        qmp = Plan(path).entries["explore-1"].qmp_at
        # Refusals are the guest's to judge, as in the campaign: the replay
        # goes on to the finding's expect.
        self.assertEqual([(a.checkpoint, a.command, a.args, a.guest_judges) for a in qmp],
                         [("h1", "device_del", {"id": "nex-usb-xhci0"}, True),
                          ("h2", "device_add", XHCI_ADD, True)])
        self.assertEqual(xf.load(d)[0].device_add, XHCI_ADD)

    def test_refusals_known_only_when_all_are(self):
        pds = Check(False, "migration 1 refused", fields=["PCI_EXP_SLTSTA_PDS"],
                    directive="TODO known bug qemu-pds-cmask; fix: 625b370c45")
        eis = Check(False, "migration 2 refused", fields=["PCI_EXP_SLTSTA_EIS"])
        self.assertEqual(refusals(EntryResult("x", "XFAIL", checks=[pds])), ["qemu-pds-cmask"])
        self.assertEqual(refusals(EntryResult("x", "FAIL", checks=[pds, eis])), [])

    def test_load_refuses_what_is_not_findings(self):
        d = tempfile.mkdtemp(prefix="slotprobe-findings-")
        self.addCleanup(shutil.rmtree, d, True)
        for text in ("nojson", '{"format": "other"}',
                     '{"format": "%s", "findings": [{"signature": 1}]}' % xf.FORMAT):
            write(d, "findings.json", text)
            with self.assertRaises(xf.FindingsError):
                xf.load(d)


class ReplayJudgeTest(unittest.TestCase):
    """A findings.cfg entry's failed expect is its listed bug (XFAIL), by field."""
    SCRIPT = compile_script(text_lines("write16 00:12.0 SLTCTL 0x1000\n"
                                       "expect16 00:12.0 SLTCTL 0x1000 0x1000\n"
                                       "expect8 00:12.0 cap:0x10+0x19 0x14 0x10\n"
                                       "expect16 slot-child 00:12.0 VENDOR 0xffff 0xffff\n"
                                       "expect16 00:12.0 LNKCTL2 0xf000 0x0\n"),
                            [], "t", "t")

    def fields(self, line):
        return expect_fields(self.SCRIPT, f"script: line {line}: expect16 00:12.0 SLTCTL "
                                          "& 0x1000 == 0x1000 (read 0x0000)")

    def test_expect_fields(self):
        self.assertEqual(self.fields(2), ["PCI_EXP_SLTCTL_DLLSCE"])
        self.assertEqual(self.fields(3), ["PCI_EXP_SLTCTL_PCC", "PCI_EXP_SLTCTL_DLLSCE"])
        self.assertEqual(self.fields(4), ["PCI_VENDOR_ID"])
        self.assertEqual(self.fields(5), ["PCI_EXP_LNKCTL2[15:12]"])
        self.assertIsNone(self.fields(1))     # not an expect
        self.assertIsNone(expect_fields(self.SCRIPT, "script: line 2: expect16 00:12.0 "
                                                     "SLTCTL: not a port with a slot"))

    def outcome(self, errata, fields):
        c = Check(False, "FAIL: script: line 2: ...", expect_fields=fields)
        e = Entry("explore-1", "script", errata=errata)
        return judge(e.name, [c], e, ERRATA_SET, (7, 2, 22), "pc-q35-6.0").outcome

    def test_listed_bug_covers_the_field(self):
        self.assertEqual(self.outcome(["qemu-sltctl-dllsce-ro"], ["PCI_EXP_SLTCTL_DLLSCE"]),
                         "XFAIL")
        self.assertEqual(self.outcome([], ["PCI_EXP_SLTCTL_DLLSCE"]), "FAIL")
        self.assertEqual(self.outcome(["qemu-sltctl-dllsce-ro"],
                                      ["PCI_EXP_SLTCTL_PCC", "PCI_EXP_SLTCTL_DLLSCE"]), "FAIL")
        self.assertEqual(self.outcome(["qemu-port-lnkctl2-ro"], ["PCI_EXP_LNKCTL2[15:12]"]),
                         "XFAIL")


if __name__ == "__main__":
    unittest.main()
