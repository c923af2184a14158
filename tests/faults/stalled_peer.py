#!/usr/bin/env python3
"""A BGP peer that stops reading: for tests/faults/stall_test.sh.

Connects from SOURCE to NVA:179 with a tiny SO_RCVBUF, sends OPEN (AS, hold time),
reads the NVA's OPEN and KEEPALIVE, answers KEEPALIVE (the session is Established
at the NVA), then never reads again: its TCP window goes to zero as the NVA's
UPDATEs arrive. It keeps sending KEEPALIVEs (every hold/3 s) so the NVA's hold
timer never fires. Prints one line per event to stdout:
  established            the handshake is done, reading stops
  stopped-reading-until  it reads again once FILE exists (the test says when)
  eof BYTES MSGS LAST    the NVA closed the connection: bytes and messages read
                         after reading resumed, the type of the last whole message
Exits 0 on eof, 1 on anything else (bounded by --timeout).
"""
import argparse
import os
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16
TYPES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}


def message(kind, body=b""):
    return MARKER + struct.pack("!HB", 19 + len(body), kind) + body


def open_message(asn, hold, router_id):
    # RFC 4271 4.2; no capabilities: a plain 2-octet-AS IPv4 unicast speaker
    return message(1, struct.pack("!BHH4sB", 4, asn, hold, socket.inet_aton(router_id), 0))


def read_message(sock, buf):
    while True:
        if len(buf) >= 19:
            length = struct.unpack("!H", buf[16:18])[0]
            if len(buf) >= length:
                m = bytes(buf[:length])
                del buf[:length]
                return m
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf.extend(chunk)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--nva", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--resume-file", required=True, help="read again once this file exists")
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # before connect: the window offered in the SYN follows from it
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.bind((a.source, 0))
    s.settimeout(10)
    s.connect((a.nva, 179))
    s.sendall(open_message(a.asn, a.hold, a.source))
    buf = bytearray()
    got_open = got_keepalive = False
    while not (got_open and got_keepalive):
        m = read_message(s, buf)
        if m is None:
            print("closed during the handshake", flush=True)
            return 1
        kind = m[18]
        if kind == 1:
            got_open = True
            s.sendall(message(4))
        elif kind == 4:
            got_keepalive = True
        elif kind == 3:
            print("NOTIFICATION during the handshake: %s" % m[19:21].hex(), flush=True)
            return 1
    print("established", flush=True)
    print("stopped-reading-until %s" % a.resume_file, flush=True)
    # never read; keep our side alive
    s.setblocking(False)
    interval = max(1.0, a.hold / 3.0)
    next_keepalive = time.monotonic()
    while not os.path.exists(a.resume_file):
        if time.monotonic() > deadline:
            print("timeout before resume", flush=True)
            return 1
        now = time.monotonic()
        if now >= next_keepalive:
            try:
                s.send(message(4))
            except BlockingIOError:
                pass  # our own send buffer is full: not expected, harmless
            except OSError as e:
                # the NVA has closed: RST on our write; reading tells the rest
                print("write failed: %s" % e, flush=True)
                break
            next_keepalive = now + interval
        time.sleep(0.1)
    # read again: what the kernel holds, then the close
    s.setblocking(True)
    s.settimeout(max(1.0, deadline - time.monotonic()))
    total = msgs = 0
    last = "none"
    buf = bytearray()
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            total += len(chunk)
            buf.extend(chunk)
            while len(buf) >= 19 and len(buf) >= struct.unpack("!H", buf[16:18])[0]:
                length = struct.unpack("!H", buf[16:18])[0]
                last = TYPES.get(buf[18], str(buf[18]))
                if buf[18] == 3:
                    last += "/%d/%d" % (buf[19], buf[20])
                del buf[:length]
                msgs += 1
    except ConnectionResetError:
        pass  # a reset is a close too
    except socket.timeout:
        print("no close from the NVA: %d bytes, %d messages read" % (total, msgs), flush=True)
        return 1
    print("eof %d %d %s" % (total, msgs, last), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
