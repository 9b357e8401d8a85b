#!/usr/bin/python3
'''Hostile clients of the private socket, as any local user may run them.

  hostile-peer.py stall SOCKET CALLS
      Authenticates, asks GetManagedObjects CALLS times and never reads.
      Once the daemon has stopped writing (what the kernel holds for us has
      not grown for a second), prints "unread BYTES" (what the kernel holds)
      and waits, still never reading, until stdin closes.
  hostile-peer.py flood SOCKET CLOSED HELD
      Connects and hangs up CLOSED times, then connects HELD times and keeps
      those; prints "connected". After a line on stdin, prints
      "refused R open O": how many of the held ones the daemon closed at
      once. Then Pings on each open one and prints "served S", then waits
      until stdin closes.
  hostile-peer.py ask SOCKET CALLS
      Authenticates, asks GetManagedObjects CALLS times without reading
      until the daemon has stopped writing, then reads every answer and
      prints "answered A refused R" (R: LimitsExceeded errors).
  hostile-peer.py churn SOCKET ROUNDS CONNECTIONS CALLS
      ROUNDS times: CONNECTIONS connections at once, each authenticated and
      asking GetManagedObjects CALLS times without reading, all closed once
      the daemon has stopped writing (the answers wait in its queues).
      Prints "done".
'''
import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time

from gi.repository import Gio

AUTH = b'\0AUTH EXTERNAL ' + str(os.getuid()).encode().hex().encode() + b'\r\n'


def blob(method, serial, iface='org.freedesktop.DBus.ObjectManager', path='/org/sriov/Monitor1'):
    call = Gio.DBusMessage.new_method_call(None, path, iface, method)
    call.set_serial(serial)
    return call.to_blob(Gio.DBusCapabilityFlags.NONE)


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


def authenticate(sock):
    sock.sendall(AUTH)
    line = sock.recv(256)
    if not line.startswith(b'OK '):
        raise RuntimeError('not authenticated: %r' % line)
    sock.sendall(b'BEGIN\r\n')


def read_reply(sock):
    '''Reads one whole message (header and body).'''
    data = b''
    while True:
        if len(data) >= 16:
            size = Gio.DBusMessage.bytes_needed(data[:16])
            if size > 0 and len(data) >= size:
                return data[:size], data[size:]
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError
        data += chunk


def unread(sock):
    buf = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b'\0\0\0\0')
    return struct.unpack('i', buf)[0]


def wait_stdin_closed():
    while sys.stdin.readline():
        pass


def stall(path, calls):
    sock = connect(path)
    authenticate(sock)
    sock.sendall(b''.join(blob('GetManagedObjects', serial) for serial in range(1, calls + 1)))
    print('unread %d' % wait_daemon_stopped_writing([sock]), flush=True)
    wait_stdin_closed()
    return 0


def ask(path, calls):
    sock = connect(path)
    authenticate(sock)
    sock.sendall(b''.join(blob('GetManagedObjects', serial) for serial in range(1, calls + 1)))
    wait_daemon_stopped_writing([sock])
    sock.settimeout(60)
    answered = refused = 0
    rest = b''
    while answered + refused < calls:
        while True:
            if len(rest) >= 16:
                size = Gio.DBusMessage.bytes_needed(rest[:16])
                if size > 0 and len(rest) >= size:
                    break
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise EOFError
            rest += chunk
        msg = Gio.DBusMessage.new_from_blob(rest[:size], Gio.DBusCapabilityFlags.NONE)
        rest = rest[size:]
        if msg.get_message_type() == Gio.DBusMessageType.METHOD_RETURN:
            answered += 1
        elif msg.get_error_name() == 'org.freedesktop.DBus.Error.LimitsExceeded':
            refused += 1
    print('answered %d refused %d' % (answered, refused), flush=True)
    return 0


def hung_up(sock):
    '''Whether the daemon has closed this connection (it never writes first).'''
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b''
    except ConnectionResetError:
        return True


def flood(path, closed, held):
    for _ in range(closed):
        connect(path).close()
    socks = [connect(path) for _ in range(held)]
    print('connected', flush=True)
    sys.stdin.readline()
    refused = [s for s in socks if hung_up(s)]
    kept = [s for s in socks if s not in refused]
    print('refused %d open %d' % (len(refused), len(kept)), flush=True)
    served = 0
    for sock in kept:
        sock.settimeout(60)
        authenticate(sock)
        sock.sendall(blob('Ping', 1, iface='org.freedesktop.DBus.Peer'))
        read_reply(sock)
        served += 1
    print('served %d' % served, flush=True)
    wait_stdin_closed()
    return 0


def wait_daemon_stopped_writing(socks):
    '''Until what the kernel holds for socks has not grown for a second.'''
    last, since = -1, time.monotonic()
    while time.monotonic() - since < 1.0:
        now = sum(unread(s) for s in socks)
        if now != last:
            last, since = now, time.monotonic()
        time.sleep(0.05)
    return last


def churn(path, rounds, connections, calls):
    for _ in range(rounds):
        socks = [connect(path) for _ in range(connections)]
        # All in, before any asks: a slow daemon (valgrind) busy with the
        # first ones' calls would time the last ones' authentication out.
        for sock in socks:
            sock.settimeout(60)
            authenticate(sock)
        for sock in socks:
            sock.sendall(b''.join(blob('GetManagedObjects', serial) for serial in range(1, calls + 1)))
        wait_daemon_stopped_writing(socks)
        for sock in socks:
            sock.close()
    print('done', flush=True)
    return 0


def main():
    mode, path = sys.argv[1], sys.argv[2]
    args = [int(a) for a in sys.argv[3:]]
    return {'stall': stall, 'ask': ask, 'flood': flood, 'churn': churn}[mode](path, *args)


if __name__ == '__main__':
    sys.exit(main())
