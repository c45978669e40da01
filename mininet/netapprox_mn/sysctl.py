"""Reading and writing the sysctl files the launcher changes (no Mininet needed)."""

from typing import Optional

WMEM_DEFAULT = "/proc/sys/net/core/wmem_default"


class SysctlError(Exception):
    """A sysctl could not be written; the message names it."""


def read_sysctl(path: str) -> Optional[int]:
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def write_sysctl(path: str, value: int) -> None:
    try:
        with open(path, "w", encoding="ascii") as f:
            f.write(str(value))
    except OSError as err:
        raise SysctlError(f"cannot write {value} to {path}: {err.strerror}") from None


def raise_socket_buffer(needed: Optional[int], path: str = WMEM_DEFAULT) -> Optional[int]:
    """Raises the default socket send buffer to `needed` bytes when it is lower; returns the
    value to restore, or None when nothing was changed."""
    current = read_sysctl(path)
    if needed is None or current is None or current >= needed:
        return None
    write_sysctl(path, needed)
    return current
