#!/usr/bin/env python3
"""Waits for one gratuitous ARP (IPv4) or unsolicited Neighbor Advertisement (IPv6) for VIP on IFACE and
checks its form: ARP request with sender = target = VIP from the frame's source MAC; NA to ff02::1 with
hop limit 255, target VIP, R and O flags set, S flag clear, Target Link-Layer option = frame source MAC.
Prints "ok ..." and exits 0, or exits 1 after TIMEOUT seconds.
usage: announce_sniff.py IFACE VIP TIMEOUT"""
import ipaddress
import socket
import sys
import time

iface, vip, timeout = sys.argv[1], ipaddress.ip_address(sys.argv[2]), float(sys.argv[3])
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
    if vip.version == 4 and ethertype == 0x0806 and len(frame) >= 42:
        arp = frame[14:42]
        op = int.from_bytes(arp[6:8], "big")
        sha, spa, tpa = arp[8:14], arp[14:18], arp[24:28]
        if spa == vip.packed and tpa == vip.packed:
            if op == 1 and sha == src_mac and frame[0:6] == b"\xff" * 6:
                print(f"ok gratuitous ARP request for {vip} from {src_mac.hex(':')}")
                sys.exit(0)
            print(f"bad ARP for {vip}: op {op}")
            sys.exit(1)
    if vip.version == 6 and ethertype == 0x86DD and len(frame) >= 54 + 32:
        ip6 = frame[14:54]
        if ip6[6] != 58:
            continue
        icmp = frame[54:]
        if icmp[0] != 136 or icmp[8:24] != vip.packed:
            continue
        dst, hlim, flags = ip6[24:40], ip6[7], icmp[4]
        if not flags & 0x80:
            continue  # the kernel's own NA after adding the address (R clear, no forwarding): not ours
        opt_ok = icmp[24] == 2 and icmp[25] == 1 and icmp[26:32] == src_mac
        if dst == ipaddress.ip_address("ff02::1").packed and hlim == 255 and flags & 0x20 and not flags & 0x40 and opt_ok:
            print(f"ok unsolicited NA for {vip} from {src_mac.hex(':')} flags {flags:#04x}")
            sys.exit(0)
        print(f"bad NA for {vip}: dst {dst.hex()} hlim {hlim} flags {flags:#x} opt_ok {opt_ok}")
        sys.exit(1)
print(f"no announcement for {vip} within {timeout} s")
sys.exit(1)
