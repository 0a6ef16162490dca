"""Shared reading of the harness's INI data files (plans, errata) with
one-line errors that name the file and section."""
from __future__ import annotations

import configparser
import os
import re
import stat

# Plans, errata and scripts are hand-written: a megabyte is far beyond any.
TEXT_FILE_MAX = 1 << 20


class ConfigError(Exception):
    """Malformed data file: the message is one line, 'file:section: problem'."""


def read_text(path: str, limit: int = TEXT_FILE_MAX) -> str:
    """A small regular UTF-8 file's text. A FIFO would block open() and
    /dev/zero never ends, so the file is opened without blocking and
    checked to be a regular file of at most `limit` bytes before reading."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path}: not a regular file")
        if st.st_size > limit:
            raise ConfigError(f"{path}: larger than {limit} bytes")
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if len(data) > limit:      # grew while we looked
        raise ConfigError(f"{path}: larger than {limit} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text: {e}") from None


def read_ini(path: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(interpolation=None, default_section="\0none")
    text = read_text(path)
    try:
        cp.read_string(text, source=path)
    except configparser.Error as e:
        first = str(e).strip().splitlines()[0]
        raise ConfigError(f"{path}: {first}") from None
    return cp


def check_keys(path: str, section: str, present: list[str],
               allowed: tuple[str, ...]) -> None:
    for key in present:
        if key not in allowed:
            raise ConfigError(f"{path}:{section}: unknown key '{key}' "
                              f"(known: {', '.join(allowed)})")


def value_lines(path: str, section: str, key: str) -> list[tuple[int, str]]:
    """A multi-line value with the file's line numbers: [(line, text)], the
    key's own line first, then its indented continuation lines (comment and
    blank lines included; callers skip them). Empty when not found."""
    try:
        lines = read_text(path).splitlines()
    except ConfigError:
        return []
    out: list[tuple[int, str]] = []
    in_section = False
    for i, line in enumerate(lines, 1):
        if out:
            if line[:1] in (" ", "\t") or not line.strip():
                out.append((i, line))
                continue
            break
        if line.startswith("["):
            in_section = line.strip() == f"[{section}]"
        elif in_section and re.match(rf"{re.escape(key)}\s*[=:]", line):
            out.append((i, re.split(r"[=:]", line, 1)[1]))
    while out and not out[-1][1].strip():
        out.pop()
    return out
