#!/usr/bin/python3
'''A private socket client that asks and never reads the answers.

Connects to the socket given as argv[1], authenticates, writes many
GetManagedObjects calls, then never reads, so the daemon's replies pile up,
and waits for the daemon to hang up: exit 0 once it has, 1 if it has not
within argv[2] seconds (default 30; a deadline for a slow machine, not a
measure of how fast the daemon is).
'''
import os
import select
import socket
import sys

from gi.repository import Gio

CALLS = 8000


def main():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    sock.sendall(b'\0AUTH EXTERNAL ' + str(os.getuid()).encode().hex().encode() + b'\r\n')
    if not sock.recv(256).startswith(b'OK '):
        return 2
    sock.sendall(b'BEGIN\r\n')

    call = Gio.DBusMessage.new_method_call(None, '/org/sriov/Monitor1', 'org.freedesktop.DBus.ObjectManager',
                                           'GetManagedObjects')
    try:
        for serial in range(1, CALLS + 1):
            call.set_serial(serial)
            sock.sendall(call.to_blob(Gio.DBusCapabilityFlags.NONE))
    except (BrokenPipeError, ConnectionResetError):
        return 0  # hung up on while still writing: dropped

    # Stalled: nothing is read, the replies pile up on the daemon's side
    # until it drops us. A hang-up shows as POLLHUP, unread data or not.
    poller = select.poll()
    poller.register(sock, select.POLLHUP)
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    for _, events in poller.poll(timeout * 1000):
        if events & (select.POLLHUP | select.POLLERR):
            return 0
    return 1


if __name__ == '__main__':
    sys.exit(main())
