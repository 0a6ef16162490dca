"""Shared reading of the harness's INI data files (plans, errata) with
one-line errors that name the file and section."""
from __future__ import annotations

import configparser


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
