"""The warm-start cache: saved VM states, one per key, on disk.

An entry is a folder named after the key's digest, holding `state` (what
the saving QEMU wrote) and `key.json` (the whole key, the state's size and
SHA-256). An entry is used only when its key file names exactly the key
asked for and the state's checksum matches; anything else (a missing or
half-written file, a key that differs, a corrupt state) is reported with its
reason and replaced, never trusted. Building an entry holds an exclusive
flock on `<digest>.lock`, and the state and key file are renamed into place
when complete, so concurrent runs (--jobs threads or separate processes)
build a missing entry once and never read a half-written one.

What goes into a key, and what a state is, is warmstart.py's business: here
a key is any JSON-able dict.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass
from typing import Callable

from .interrupt import check as check_interrupt

FORMAT = 1                    # bump when the layout of an entry changes
STATE, KEY_FILE = "state", "key.json"
LOCK_TIMEOUT = 180.0          # seconds to wait for another run's build
MAX_ENTRIES = 12              # older entries (by last use) are removed (~40 MB each)
KEEP_RECENT = 600.0           # ... unless used in the last 10 minutes
MAX_AGE = 14 * 86400.0        # entries unused this long are removed


class CacheError(Exception):
    """The cache cannot be used (folder not writable, lock not obtained)."""


def default_dir() -> str:
    """$XDG_CACHE_HOME/slotprobe, else ~/.cache/slotprobe."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    return os.path.join(base, "slotprobe")


def digest(key: dict) -> str:
    text = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _stat_id(st: os.stat_result) -> tuple[int, ...]:
    # An in-place write changes mtime and ctime; a rename changes the inode.
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


_sums: dict[tuple[int, ...], str] = {}
_sums_lock = threading.Lock()


def file_sha256(path: str) -> str:
    """SHA-256 of a file, remembered for this process by its stat identity
    (a 40 MB state takes ~0.1 s to hash; a change to the file changes the
    identity, so a corrupted file is hashed again)."""
    with open(path, "rb") as f:
        ident = _stat_id(os.fstat(f.fileno()))
        with _sums_lock:
            if ident in _sums:
                return _sums[ident]
        h = hashlib.sha256()
        while chunk := f.read(1 << 20):
            h.update(chunk)
    with _sums_lock:
        _sums[ident] = h.hexdigest()
    return _sums[ident]


@dataclass
class Obtained:
    path: str                   # the state file to restore from
    built: bool                 # built by this call
    replaced: str = ""          # why an existing entry was not used ("" if none was there)
    build_seconds: float = 0.0


class WarmCache:
    def __init__(self, root: str) -> None:
        self.root = root

    def _dir(self, key: dict) -> str:
        return os.path.join(self.root, digest(key))

    def check(self, key: dict) -> tuple[str | None, str]:
        """(state path, "") for a valid entry, else (None, why not)."""
        d = self._dir(key)
        try:
            with open(os.path.join(d, KEY_FILE)) as f:
                meta = json.load(f)
        except FileNotFoundError:
            return None, "missing"
        except (OSError, ValueError) as e:
            return None, f"key file unreadable ({e})"
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return None, "key file of another format"
        if meta.get("key") != key:
            return None, "stale: the key file names another configuration"
        path = os.path.join(d, STATE)
        try:
            size = os.path.getsize(path)
            if size != meta.get("size"):
                return None, f"corrupt: state has {size} bytes, key file says {meta.get('size')}"
            if file_sha256(path) != meta.get("sha256"):
                return None, "corrupt: state checksum does not match the key file"
        except OSError as e:
            return None, f"state unreadable ({e.strerror or e})"
        return path, ""

    def obtain(self, key: dict, build: Callable[[str], None]) -> Obtained:
        """The state for key, built (build(path) writes it) when there is no
        valid one. build raises to say it could not; nothing is stored then."""
        path, why = self.check(key)
        if path:
            self._touch(key)
            return Obtained(path, False)
        os.makedirs(self.root, exist_ok=True)
        with self._locked(digest(key)):
            path, why_now = self.check(key)
            if path:                     # another run built it meanwhile
                self._touch(key)
                return Obtained(path, False)
            t0 = time.monotonic()
            path = self._build(key, build)
            seconds = time.monotonic() - t0
        self.prune(keep=digest(key))
        return Obtained(path, True, "" if why == "missing" else why, seconds)

    def _build(self, key: dict, build: Callable[[str], None]) -> str:
        d = self._dir(key)
        shutil.rmtree(d, ignore_errors=True)     # whatever it held is not trusted
        os.makedirs(d)
        tmp = os.path.join(d, f"{STATE}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            build(tmp)
            if not os.path.isfile(tmp) or os.path.getsize(tmp) == 0:
                raise CacheError("the saved state is empty")
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            path = os.path.join(d, STATE)
            os.replace(tmp, path)     # hashed after: a rename changes the ctime
            meta = {"format": FORMAT, "key": key, "size": os.path.getsize(path),
                    "sha256": file_sha256(path), "built": time.time()}
            with open(os.path.join(d, KEY_FILE + ".tmp"), "w") as f:
                json.dump(meta, f, indent=1, sort_keys=True)
            os.replace(os.path.join(d, KEY_FILE + ".tmp"), os.path.join(d, KEY_FILE))
            return path
        except BaseException:
            shutil.rmtree(d, ignore_errors=True)
            raise

    def discard(self, key: dict) -> None:
        """Drops an entry that failed to load (under the lock: not while built)."""
        with self._locked(digest(key)):
            shutil.rmtree(self._dir(key), ignore_errors=True)

    def _touch(self, key: dict) -> None:
        try:
            os.utime(self._dir(key))
        except OSError:
            pass

    def _locked(self, name: str, timeout: float | None = None) -> "_Flock":
        return _Flock(os.path.join(self.root, name + ".lock"),
                      LOCK_TIMEOUT if timeout is None else timeout)

    def entries(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.root)
                          if os.path.isdir(os.path.join(self.root, n)))
        except OSError:
            return []

    def prune(self, keep: str = "", now: float | None = None) -> list[str]:
        """Removes entries unused for MAX_AGE, and the least recently used
        beyond MAX_ENTRIES (not used in the last KEEP_RECENT seconds, not
        being built). Returns the names removed."""
        now = time.time() if now is None else now
        aged = []
        for name in self.entries():
            try:
                aged.append((os.path.getmtime(os.path.join(self.root, name)), name))
            except OSError:
                continue
        aged.sort(reverse=True)
        removed = []
        for i, (used, name) in enumerate(aged):
            too_many = i >= MAX_ENTRIES and now - used > KEEP_RECENT
            if name == keep or not (too_many or now - used > MAX_AGE):
                continue
            try:
                with self._locked(name, timeout=0.0):
                    shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)
                removed.append(name)
            except CacheError:
                continue            # being built right now
            try:
                os.unlink(os.path.join(self.root, name + ".lock"))
            except OSError:
                pass
        return removed


class _Flock:
    """An exclusive flock, waited for at most `timeout` seconds. flock (not
    fcntl) locks belong to the open file, so threads of one process exclude
    each other as separate processes do."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self.fd = -1

    def __enter__(self) -> "_Flock":
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise CacheError(f"cannot create {self.path}: {e.strerror}") from None
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            try:
                check_interrupt()
            except BaseException:
                os.close(self.fd)
                raise
            if time.monotonic() >= deadline:
                os.close(self.fd)
                raise CacheError(f"{self.path}: another run held the lock for "
                                 f"{self.timeout:g} s")
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
