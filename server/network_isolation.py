"""Leaving the machine's network: a process or a thread moves into a network namespace of its own.

A new network namespace has no interfaces (not even a working loopback), so nothing run
in it can open a connection: not SERVICE, not LOAD, not a remote JSON-LD context. The
query processes and the update probe use :func:`isolate_network` (a new user namespace
first lets an unprivileged, single-threaded process do it); the update writer thread of
the server, which shares a process with other threads, uses
:func:`isolate_network_of_thread`, which needs CAP_SYS_ADMIN, or a user namespace of the
process's own (:func:`unshare_user_namespace`: how a federating query process keeps the
network for allowed SERVICE calls and none for anything else). Each returns whether it
worked; where the kernel refuses, the caller runs with the network and says so.
"""

from __future__ import annotations

import ctypes

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def _unshare(flags: int) -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).unshare(flags) == 0
    except (OSError, AttributeError):
        return False


def isolate_network() -> bool:
    """Move this (single-threaded) process into new user and network namespaces."""
    return _unshare(CLONE_NEWUSER | CLONE_NEWNET) or _unshare(CLONE_NEWNET)


def unshare_user_namespace() -> bool:
    """Move this (single-threaded) process into a user namespace of its own, keeping the network:
    inside it the process may then give single threads network namespaces of their own."""
    return _unshare(CLONE_NEWUSER)


def isolate_network_of_thread() -> bool:
    """Move the calling thread alone into a new network namespace (threads it starts follow it)."""
    return _unshare(CLONE_NEWNET)
