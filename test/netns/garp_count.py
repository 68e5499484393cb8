#!/usr/bin/env python3
"""Counts gratuitous ARP requests for VIP on IFACE during SECONDS and prints the count.
usage: garp_count.py IFACE VIP SECONDS"""
import socket
import sys
import time

iface, vip, seconds = sys.argv[1], socket.inet_aton(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((iface, 0))
end, count = time.monotonic() + seconds, 0
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        frame = s.recv(2048)
    except socket.timeout:
        break
    if len(frame) >= 42 and frame[12:14] == b"\x08\x06" and frame[28:32] == vip and frame[38:42] == vip:
        count += 1
print(count)
