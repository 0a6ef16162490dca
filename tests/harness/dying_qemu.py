#!/usr/bin/python3
"""A --dst-qemu wrapper that kills its (fake) QEMU $DIE_AFTER seconds after
start and exits 137, as a shell wrapper around a SIGKILLed QEMU does."""
import os
import signal
import subprocess
import sys

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_qemu.py")

if __name__ == "__main__":
    if "help" in sys.argv[1:]:      # `-machine help` is asked once: not a QEMU to kill
        os.execv(sys.executable, [sys.executable, FAKE, *sys.argv[1:]])
    p = subprocess.Popen([sys.executable, FAKE, *sys.argv[1:]])
    try:
        sys.exit(p.wait(timeout=float(os.environ.get("DIE_AFTER", "0.4"))))
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        sys.exit(137)
