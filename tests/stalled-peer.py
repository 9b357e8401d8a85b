#!/usr/bin/python3
'''A private socket client that asks and never reads the answers.

Connects to the socket given as argv[1], authenticates, writes many
GetManagedObjects calls, then does not read for a while, so the daemon's
replies pile up. Finally it reads until the end: exit 0 if the daemon hung
up on it (the connection reached EOF), 1 if it was still being served.
'''
import os
import socket
import sys
import time

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

    time.sleep(3)  # stalled: the replies pile up on the daemon's side
    sock.settimeout(5)
    try:
        while sock.recv(1 << 20):
            pass
        return 0
    except ConnectionResetError:
        return 0
    except socket.timeout:
        return 1


if __name__ == '__main__':
    sys.exit(main())
