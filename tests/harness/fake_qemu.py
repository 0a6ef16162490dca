#!/usr/bin/python3
"""A stand-in for qemu-system-x86_64 in the harness tests.

Connects to the harness's QMP and host-link sockets like QEMU 7.2 does,
answers the QMP commands the harness uses, and plays a scripted guest from
the JSON file named by $FAKE_QEMU_SCENARIO:

  {"guest": [["hello", "selftest"], ["line", "result PASS x"],
             ["checkpoint", "powered-off"], ["check_go", 1, "dst"],
             ["raw", "garbage\\n"], ["sleep", 0.5], ["hang"], ["exit", 0],
             ["crash", 14], ["fwcfg"], ["rmtree", PATH], ["spin"]],
  ("fwcfg" reports the opt/slotprobe/migration fw_cfg string as a PASS result;
   ["go_tail"] the last go-ahead's words after side= (qmp=, deleted=) as one;
   ["devices"] the ids of its -device arguments, ["deleted", ID] sends the
   DEVICE_DELETED QEMU sends when the guest powers a slot off; device_add
   and device_del are accepted and do nothing else, but a device_add of
   driver "bogus" fails)
   "dst_load": "ok" | "fail",      what a destination does with the state
   "dst_stderr": [LINE, ...],      what a failing destination prints (default:
                                   the seed's refusal, PDS_ERROR)
   "src_status": "completed",      what the source claims after a migration
   "run_state": "internal-error",  the machine stops at once (says query-status)
   "version": [7, 2, 22]}

Migration moves the script position and sequence number over the
migration unix socket, so the guest continues on the destination.
$FAKE_QEMU_PIDS, if set, is a folder where each fake writes its pid (and
<pid>.warm-save when it is a warm start's saving QEMU).

Warm start (warmstart.py): with fw_cfg opt/slotprobe/warm and no -incoming
the guest first stops at checkpoint boot-ready; `migrate` to
"exec:cat > FILE" writes the same state as a JSON file, and
`migrate-incoming` from "exec:cat FILE" reads it back (a file that is not
that JSON fails the load like QEMU: stderr, exit 1). "warm_ready": "no"
makes the guest skip the checkpoint (an image without warm start).
"""
import json
import os
import select
import shlex
import shutil
import socket
import sys
import time

PDS_ERROR = [
    "qemu-system-x86_64: get_pci_config_device: Bad config data: i=0x6e "
    "read: 0 device: 40 cmask: ff wmask: 0 w1cmask:19",
    "qemu-system-x86_64: Failed to load PCIDevice:config",
    "qemu-system-x86_64: Failed to load pcie-root-port:parent_obj.parent_obj.parent_obj",
    "qemu-system-x86_64: error while loading state for instance 0x0 of device "
    "'0000:00:12.0/pcie-root-port'",
    "qemu-system-x86_64: load of migration failed: Invalid argument",
]


def opt(argv, name):
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == name]


def opt_parts(spec):
    """A QEMU option string split as QEMU does: "," separates, ",," is a
    literal comma (so a path with a comma must arrive escaped)."""
    return [p.replace("\0", ",") for p in spec.replace(",,", "\0").split(",")]


def opt_dict(spec):
    return dict(p.split("=", 1) for p in opt_parts(spec) if "=" in p)


def chardev_paths(argv):
    out = {}
    for spec in opt(argv, "-chardev"):
        kind = opt_parts(spec)[0]
        kv = opt_dict(spec)
        out[kv["id"]] = (kind, kv.get("path"))
    return out


class Fake:
    def __init__(self, argv):
        self.argv = argv
        with open(os.environ["FAKE_QEMU_SCENARIO"]) as f:
            self.sc = json.load(f)
        devs = chardev_paths(argv)
        self.qmp = self.connect(devs["qmp"][1])
        self.link = self.connect(devs["hostlink"][1])
        self.console = open(devs["con"][1], "a")
        self.incoming = "defer" in opt(argv, "-incoming")
        self.status = "inmigrate" if self.incoming else "running"
        self.migrate_status = "none"
        self.pc, self.seq, self.wait_go = 0, 0, None
        self.go = (0, "src")
        self.go_tail = ""
        # "boot_delay": seconds a booting (not incoming) fake takes to start the guest
        self.wake = 0.0 if self.incoming else time.monotonic() + self.sc.get("boot_delay", 0)
        self.listener = None
        self.qbuf = self.lbuf = b""
        warm = any(a.startswith("name=opt/slotprobe/warm,") for a in opt(argv, "-fw_cfg"))
        self.warm_ready = warm and not self.incoming and self.sc.get("warm_ready") != "no"
        if self.warm_ready and os.environ.get("FAKE_QEMU_PIDS"):
            open(os.path.join(os.environ["FAKE_QEMU_PIDS"],
                              f"{os.getpid()}.warm-save"), "w").close()

    @staticmethod
    def connect(path):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        return s

    # guest ---------------------------------------------------------------
    def send(self, line):
        self.seq += 1
        self.link.sendall(f"SP1 {self.seq} {line}\n".encode())

    def guest_args(self):
        path = [opt_dict(a)["file"] for a in opt(self.argv, "-fw_cfg")
                if opt_dict(a)["name"] == "opt/slotprobe/args"][0]
        with open(path) as f:
            return f.read().split()

    def exit(self, v):
        self.send(f"bye status={v}")
        self.console.write(f"slotprobe: exit {v}\n")
        self.console.flush()
        time.sleep(0.05)
        os._exit((v << 1) | 1)

    def step(self):
        if self.status != "running" or self.wait_go or time.monotonic() < self.wake:
            return
        if self.warm_ready:      # lib/runtime.c warm_start_checkpoint()
            self.warm_ready = False
            self.send("checkpoint boot-ready")
            self.wait_go = self.seq
            return
        steps = self.sc["guest"]
        if self.pc >= len(steps):
            self.exit(0)
        op, *args = steps[self.pc]
        self.pc += 1
        if op == "hello":   # "*": the test named in the fw_cfg args file
            test = self.guest_args()[0] if args[0] == "*" else args[0]
            self.send(f"hello proto=1 test={test} build=fake")
        elif op == "sleep_param":    # sleeps for the guest parameter sleep=S
            kv = dict(w.split("=", 1) for w in self.guest_args()[1:] if "=" in w)
            self.wake = time.monotonic() + float(kv.get("sleep", 0))
        elif op == "line":
            self.send(args[0])
        elif op == "raw":
            self.link.sendall(args[0].encode("latin-1"))
        elif op == "checkpoint":
            self.send(f"checkpoint {args[0]}")
            self.wait_go = self.seq
        elif op == "check_go":
            ok = list(self.go) == [args[0], args[1]]
            self.send(f"result {'PASS' if ok else 'FAIL'} go migrations="
                      f"{self.go[0]} side={self.go[1]}")
        elif op == "go_tail":
            self.send(f"result PASS go tail: {self.go_tail}")
        elif op == "sleep":
            self.wake = time.monotonic() + args[0]
        elif op == "fwcfg":
            fw = [a.split("string=", 1)[1] for a in opt(self.argv, "-fw_cfg")
                  if a.startswith("name=opt/slotprobe/migration,")]
            self.send(f"result PASS fw_cfg migration={fw[0] if fw else 'none'}")
        elif op == "devices":
            ids = [kv.split("=", 1)[1] for d in opt(self.argv, "-device")
                   for kv in d.split(",") if kv.startswith("id=")]
            self.send(f"result PASS devices={','.join(ids) or 'none'}")
        elif op == "deleted":
            for data in ({"path": f"/machine/peripheral/{args[0]}/virtio-backend"},
                         {"device": args[0], "path": f"/machine/peripheral/{args[0]}"}):
                self.reply({"event": "DEVICE_DELETED", "data": data, "timestamp":
                            {"seconds": int(time.time()), "microseconds": 0}})
        elif op == "rmtree":     # pulls a folder from under the harness
            shutil.rmtree(args[0], ignore_errors=True)
        elif op == "spin":       # a firmware busy doing nothing visible
            self.pc -= 1
            end = time.monotonic() + 0.05
            while time.monotonic() < end:
                pass
        elif op == "hang":
            self.pc -= 1
            self.wake = time.monotonic() + 3600
        elif op == "crash":
            self.send(f"crash vector={args[0]} name=#PF error=0x2 rip=0x1234 cr2=0x0")
            self.exit(2)
        elif op == "exit":
            self.exit(args[0])

    def on_link(self, data):
        self.lbuf += data
        while b"\n" in self.lbuf:
            line, self.lbuf = self.lbuf.split(b"\n", 1)
            w = line.decode().split()
            if len(w) >= 6 and w[2] == "go" and int(w[3]) == self.wait_go:
                self.go = (int(w[4].split("=")[1]), w[5].split("=")[1])
                self.go_tail = " ".join(w[6:]) or "none"
                self.wait_go = None

    # QMP -----------------------------------------------------------------
    def reply(self, obj):
        self.qmp.sendall(json.dumps(obj).encode() + b"\r\n")

    def on_qmp(self, cmd):
        name, args = cmd.get("execute"), cmd.get("arguments", {})
        ret = {}
        if name == "query-version":
            ma, mi, mc = self.sc.get("version", [7, 2, 22])
            ret = {"qemu": {"major": ma, "minor": mi, "micro": mc}, "package": "fake"}
        elif name == "query-kvm":
            ret = {"enabled": False, "present": False}
        elif name == "query-status":
            ret = {"status": self.status, "running": self.status == "running"}
        elif name == "query-migrate":
            ret = {"status": self.migrate_status} if self.migrate_status != "none" else {}
        elif name == "migrate-incoming" and args["uri"].startswith("exec:"):
            self.reply({"return": {}})
            self.load_file(shlex.split(args["uri"][5:])[-1])
            return
        elif name == "migrate-incoming":
            self.listener = self.listen_uri(args["uri"])
            self.migrate_status = "active"
        elif name == "migrate":
            state = json.dumps({"pc": self.pc, "seq": self.seq,
                                "wait_go": self.wait_go, "stopped": self.status == "paused",
                                "sleep": max(0.0, self.wake - time.monotonic())
                                }).encode() + b"\n"
            if args["uri"].startswith("exec:cat > "):
                with open(shlex.split(args["uri"][11:])[0], "wb") as f:
                    f.write(state)
            else:
                s = self.connect_uri(args["uri"])
                s.sendall(state)
                s.close()
            self.status = "postmigrate"
            self.migrate_status = self.sc.get("src_status", "completed")
        elif name == "device_add" and args.get("driver") == "bogus":
            self.reply({"error": {"class": "GenericError",
                                  "desc": "'bogus' is not a valid device model name"}})
            return
        elif name == "migrate-set-parameters" and set(args) - {"max-bandwidth",
                                                                "downtime-limit"}:
            self.reply({"error": {"class": "GenericError", "desc":
                                  f"Parameter '{sorted(set(args))[0]}' is unexpected"}})
            return
        elif name == "cont":
            if self.status != "running":
                self.resumed()
            self.status = "running"
        elif name == "stop":
            self.status = "paused"
        elif name == "quit":
            if os.environ.get("FAKE_QEMU_PIDS"):   # proof of an orderly stop
                open(os.path.join(os.environ["FAKE_QEMU_PIDS"],
                                  f"{os.getpid()}.quit"), "w").close()
            self.reply({"return": {}})
            os._exit(0)
        elif name not in ("qmp_capabilities", "migrate-set-parameters", "migrate_cancel",
                          "device_add", "device_del", "migrate-set-capabilities"):
            self.reply({"error": {"class": "CommandNotFound", "desc": name}})
            return
        self.reply({"return": ret})

    @staticmethod
    def listen_uri(uri):
        kind, _, where = uri.partition(":")
        if kind == "tcp":       # tcp:ADDR:PORT (between network namespaces)
            host, port = where.rsplit(":", 1)
            s = socket.socket(socket.AF_INET)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, int(port)))
        else:
            s = socket.socket(socket.AF_UNIX)
            s.bind(where)
        s.listen(1)
        return s

    def connect_uri(self, uri):
        kind, _, where = uri.partition(":")
        if kind == "tcp":
            host, port = where.rsplit(":", 1)
            return socket.create_connection((host, int(port)), timeout=5)
        return self.connect(where)

    def on_incoming(self):
        conn, _ = self.listener.accept()
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        if self.sc.get("dst_load", "ok") == "fail":
            sys.stderr.write("".join(w + "\n" for w in self.sc.get("dst_warnings", [])))
            sys.stderr.write("\n".join(self.sc.get("dst_stderr", PDS_ERROR)) + "\n")
            sys.stderr.flush()
            os._exit(1)
        st = json.loads(data)
        self.pc, self.seq, self.wait_go = st["pc"], st["seq"], st["wait_go"]
        self.wake = time.monotonic() + st.get("sleep", 0.0)
        self.status, self.migrate_status = "running", "completed"
        self.reply({"event": "RESUME", "data": {},
                    "timestamp": {"seconds": int(time.time()), "microseconds": 0}})
        self.listener.close()
        self.listener = None

    def event(self, name, data):
        self.reply({"event": name, "data": data,
                    "timestamp": {"seconds": int(time.time()), "microseconds": 0}})

    def resumed(self):
        self.event("RESUME", {})

    def load_file(self, path):
        """migrate-incoming from exec:cat FILE (a warm start's saved state)."""
        try:
            with open(path) as f:
                st = json.load(f)
            self.pc, self.seq, self.wait_go = st["pc"], st["seq"], st["wait_go"]
        except (OSError, ValueError, KeyError, TypeError):
            sys.stderr.write("qemu-system-x86_64: Unknown savevm section or instance "
                             "'fake' 0. Make sure that your current VM setup matches "
                             "your saved VM setup, including any hotplugged devices\n"
                             "qemu-system-x86_64: load of migration failed: "
                             "Invalid argument\n")
            sys.stderr.flush()
            os._exit(1)
        self.migrate_status = "completed"
        self.event("MIGRATION", {"status": "completed"})
        if st.get("stopped"):
            self.status = "paused"
        else:
            self.status = "running"
            self.resumed()

    def loop(self):
        ma, mi, mc = self.sc.get("version", [7, 2, 22])
        self.reply({"QMP": {"version": {"qemu": {"major": ma, "minor": mi, "micro": mc}},
                            "capabilities": []}})
        self.console.write("fake firmware booting\n")
        self.console.flush()
        if self.sc.get("run_state"):    # e.g. "internal-error": KVM here
            self.status = self.sc["run_state"]
            sys.stderr.write("KVM internal error. Suberror: 1\nemulation failure\n")
            sys.stderr.flush()
        while True:
            self.step()
            rs = [self.qmp, self.link] + ([self.listener] if self.listener else [])
            ready, _, _ = select.select(rs, [], [], 0.02)
            if self.listener in ready:
                self.on_incoming()
            if self.link in ready:
                data = self.link.recv(4096)
                if not data:
                    os._exit(0)
                self.on_link(data)
            if self.qmp in ready:
                data = self.qmp.recv(4096)
                if not data:
                    os._exit(0)
                self.qbuf += data
                while b"\n" in self.qbuf:
                    line, self.qbuf = self.qbuf.split(b"\n", 1)
                    self.on_qmp(json.loads(line))


def main(argv):
    if "-machine" in argv and "help" in opt(argv, "-machine"):
        if os.environ.get("FAKE_QEMU_HELP_HANG"):     # a QEMU stuck at start-up
            if os.environ.get("FAKE_QEMU_PIDS"):
                open(os.path.join(os.environ["FAKE_QEMU_PIDS"], str(os.getpid())), "w").close()
            time.sleep(3600)
        print("Supported machines are:\n"
              "q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)\n"
              "pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)\n"
              "pc-q35-6.0           Standard PC (Q35 + ICH9, 2009)\n"
              "none                 empty machine")
        return 0
    if os.environ.get("FAKE_QEMU_PIDS"):
        with open(os.path.join(os.environ["FAKE_QEMU_PIDS"], str(os.getpid())), "w"):
            pass
    if os.environ.get("FAKE_QEMU_FAIL_START"):
        if os.environ["FAKE_QEMU_FAIL_START"] == "after-connect":   # as QEMU 7.2:
            socks = [Fake.connect(path) for kind, path in chardev_paths(argv).values()
                     if kind == "socket"]           # chardevs first, then -device
            time.sleep(0.1)
        sys.stderr.write("qemu-system-x86_64: warning: host doesn't support requested "
                         "feature: CPUID.01H:ECX.pni [bit 0]\n"
                         "qemu-system-x86_64: -device bogus: 'bogus' is not a valid "
                         "device model name\n")
        return 1
    Fake(argv).loop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
