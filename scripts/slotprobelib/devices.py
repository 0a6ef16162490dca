"""The VM's devices as they are now, for a destination's command line, kept
the way a management layer (libvirt's live domain definition) keeps them:

  - it starts from the destination's arguments (the entry's dst_devices,
    else devices; or --dst-args);
  - a device_add that succeeded at a checkpoint is appended as
    `-device driver=D,id=X,bus=B,...` built from its QMP arguments;
  - a device leaves the list when the QEMU the guest runs on reports its
    DEVICE_DELETED (added at run time or on the command line alike).

A device_del without its DEVICE_DELETED yet keeps the device: with native
PCIe hotplug QEMU only presses the attention button, and the unplug happens
when the guest powers the slot off. Nothing of the pending request itself
is migrated (QEMU 7.2: DeviceState.pending_deleted_event is not in any
vmstate); the port's config space is, with Attention Button Pressed set, so
the guest answers on the destination, whose QEMU then removes the device
(it was started with it) and sends the DEVICE_DELETED there.
"""
from __future__ import annotations

import json
from typing import Any


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v).replace(",", ",,")    # QEMU's option syntax escapes commas


def device_option(args: dict[str, Any]) -> str:
    """device_add's QMP arguments as a -device value: driver first."""
    rest = [(k, v) for k, v in args.items() if k != "driver"]
    return ",".join([f"driver={_value(args['driver'])}"] +
                    [f"{k}={_value(v)}" for k, v in rest])


def device_options(text: str) -> dict[str, Any]:
    """A -device value as a dict: QEMU's "driver,key=value,..." (",," is a
    literal comma; the driver under "driver") or its JSON form ("{...}";
    {} when that is malformed or not an object)."""
    if text.lstrip().startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            return {}
        return obj if isinstance(obj, dict) else {}
    parts = [p.replace("\0", ",") for p in text.replace(",,", "\0").split(",")]
    out = {"driver": parts[0]} if "=" not in parts[0] else {}
    for part in parts[1 if out else 0:]:
        key, _, val = part.partition("=")
        out[key] = val
    return out


def _device_id(option: str) -> str | None:
    """The id= of a -device value."""
    dev_id = device_options(option).get("id")
    return dev_id if isinstance(dev_id, str) else None


class DeviceList:
    def __init__(self, args: list[str]) -> None:
        self._args = list(args)
        self._seen: dict[str, int] = {}   # QEMU (side name) -> events looked at
        self._counted: dict[str, int] = {}    # ... counted by count_deleted
        self.deleted = 0

    def _ids(self) -> list[tuple[int, str | None]]:
        """(index of the -device value, its id) for every -device."""
        a = self._args
        return [(i + 1, _device_id(a[i + 1])) for i in range(len(a) - 1)
                if a[i] == "-device"]

    def device_add(self, qmp_args: dict[str, Any]) -> None:
        """QEMU accepted it, so no device has its id any more: one whose
        DEVICE_DELETED never came (QEMU 7.2 sends none for a hot-removed
        xHCI) leaves the list, or a destination would refuse the id twice."""
        for i, dev_id in reversed(self._ids()):
            if dev_id is not None and dev_id == qmp_args.get("id"):
                del self._args[i - 1:i + 1]
        self._args += ["-device", device_option(qmp_args)]

    def saw_events(self, side: str, events: list[dict[str, Any]]) -> list[str]:
        """Drops the devices that QEMU `side`'s events (all it has sent so
        far; each looked at once) delete; returns their ids."""
        gone = []
        start, self._seen[side] = self._seen.get(side, 0), len(events)
        for ev in events[start:]:
            if ev.get("event") != "DEVICE_DELETED":
                continue
            dev = ev.get("data", {}).get("device")
            hit = [i for i, dev_id in self._ids() if dev and dev_id == dev]
            if hit:
                del self._args[hit[0] - 1:hit[0] + 1]
                gone.append(dev)
        return gone

    def count_deleted(self, side: str, events: list[dict[str, Any]]) -> int:
        """DEVICE_DELETED events naming a device id, on every QEMU the guest
        ran on so far (QEMU `side`'s events all it has sent; each counted
        once), for the go-ahead's deleted= (contract.h). QEMU's events for a
        device's QOM children, without an id, are not counted."""
        start, self._counted[side] = self._counted.get(side, 0), len(events)
        self.deleted += sum(1 for ev in events[start:]
                            if ev.get("event") == "DEVICE_DELETED"
                            and ev.get("data", {}).get("device"))
        return self.deleted

    def args(self) -> list[str]:
        """The command line arguments for a destination started now."""
        return list(self._args)
