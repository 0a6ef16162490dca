"""Shared reading of the harness's INI data files (plans, errata) with
one-line errors that name the file and section."""
from __future__ import annotations

import configparser
import re


class ConfigError(Exception):
    """Malformed data file: the message is one line, 'file:section: problem'."""


def read_ini(path: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(interpolation=None, default_section="\0none")
    try:
        with open(path, encoding="utf-8") as f:
            cp.read_file(f, source=path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
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
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError):
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
