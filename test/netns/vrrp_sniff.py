#!/usr/bin/env python3
"""Prints the source MAC and source IP of the first VRRP advert (IPv4 protocol / IPv6 next header 112)
seen on IFACE within TIMEOUT seconds: "vrrp from MAC IP". Exits 1 when none came.
usage: vrrp_sniff.py IFACE TIMEOUT"""
import ipaddress
import socket
import sys
import time

iface, timeout = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((iface, 0))
end = time.monotonic() + timeout
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        frame = s.recv(2048)
    except socket.timeout:
        break
    src_mac, ethertype = frame[6:12], int.from_bytes(frame[12:14], "big")
    if ethertype == 0x0800 and len(frame) >= 34 and frame[23] == 112:
        print(f"vrrp from {src_mac.hex(':')} {ipaddress.ip_address(frame[26:30])}")
        sys.exit(0)
    if ethertype == 0x86DD and len(frame) >= 54 and frame[20] == 112:
        print(f"vrrp from {src_mac.hex(':')} {ipaddress.ip_address(frame[22:38])}")
        sys.exit(0)
print("no VRRP advert seen")
sys.exit(1)
