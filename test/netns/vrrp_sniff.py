#!/usr/bin/env python3
"""vrrp_sniff.py IFACE TIMEOUT: prints the source MAC and source IP of the first VRRP advert (IPv4
protocol / IPv6 next header 112) seen on IFACE within TIMEOUT seconds, "vrrp from MAC IP"; exits 1 when
none came.
vrrp_sniff.py IFACE TIMEOUT arp ADDRESS: sends one ARP request for ADDRESS and prints every MAC that
answered within TIMEOUT seconds, "arp replies MAC[,MAC...]" (exits 1 when none did)."""
import ipaddress
import socket
import sys
import time

iface, timeout = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((iface, 0))
end = time.monotonic() + timeout

if len(sys.argv) == 5 and sys.argv[3] == "arp":
    target = ipaddress.ip_address(sys.argv[4]).packed
    with open(f"/sys/class/net/{iface}/address") as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    # an ARP probe (sender address 0.0.0.0): the answer is broadcast-free and nothing is learnt from it
    request = (b"\xff" * 6 + mac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + mac + b"\x00" * 4 +
               b"\x00" * 6 + target)
    s.send(request)
    replies = []
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            frame = s.recv(2048)
        except socket.timeout:
            break
        if frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02" and frame[28:32] == target:
            replies.append(frame[22:28].hex(":"))
    print("arp replies " + ",".join(replies) if replies else "no ARP reply")
    sys.exit(0 if replies else 1)

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
