#!/usr/bin/env python3
"""Print the VRRP packets (IPv4, protocol 112) seen on one interface with kernel receive timestamps.

Run inside a namespace (`ip netns exec NS bench/vrrp_sniff.py DEV`). One line per packet:
`<CLOCK_REALTIME seconds> <source> <vrid> <priority> <ttl> <in|out>`, flushed at once; stops after
--seconds or on SIGTERM/SIGINT. --incoming-only sets PACKET_IGNORE_OUTGOING, so a flood sent from this
namespace never reaches Python (the kernel skips it); --outgoing-only keeps only what this namespace
sends (a socket filter, so a flood received never reaches Python either). The timestamps come from
SO_TIMESTAMPNS: when the packet crossed the interface, not when Python read it, so a loaded machine
delays the line, not the figure. Sent packets are stamped at transmit; received ones after the
receiving side's softirq ran, which on a loaded machine can be a tick (4 ms) later: time a daemon's
adverts where it sends them.
"""
import argparse
import ctypes
import signal
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003  # outgoing packets reach ETH_P_ALL taps only
SO_TIMESTAMPNS = 35
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
SOL_PACKET = 263
SO_ATTACH_FILTER = 26


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dev")
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--incoming-only", action="store_true")
    ap.add_argument("--outgoing-only", action="store_true")
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if a.incoming_only:
        s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
    if a.outgoing_only:  # classic BPF: ld pkttype (ancillary); jeq PACKET_OUTGOING; ret all; ret 0
        prog = struct.pack("HBBI" * 4, 0x20, 0, 0, 0xfffff004, 0x15, 0, 1, PACKET_OUTGOING,
                           0x06, 0, 0, 0xffff, 0x06, 0, 0, 0)
        buf = ctypes.create_string_buffer(prog)
        s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER,
                     struct.pack("HL", 4, ctypes.addressof(buf)))
    s.bind((a.dev, 0))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.monotonic() + a.seconds
    s.settimeout(0.2)
    print("ready", flush=True)
    while not stop and time.monotonic() < end:
        try:
            data, anc, _, addr = s.recvmsg(2048, 64)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if addr[1] != ETH_P_IP or len(data) < 28 or data[0] >> 4 != 4 or data[9] != 112:
            continue
        ihl = (data[0] & 15) * 4
        if len(data) < ihl + 8:
            continue
        ts = time.time()
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                sec, nsec = struct.unpack("qq", value[:16])
                ts = sec + nsec / 1e9
        src = socket.inet_ntoa(data[12:16])
        vrid, prio = data[ihl + 1], data[ihl + 2]
        direction = "out" if addr[2] == PACKET_OUTGOING else "in"
        print(f"{ts:.6f} {src} {vrid} {prio} {data[8]} {direction}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
