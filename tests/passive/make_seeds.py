#!/usr/bin/env python3
"""make_seeds.py — refreshes the seed corpora of the passive fuzz targets
(tests/fuzz/corpus/passive_*) from a scene capture written by gen_capture:
  python3 tests/passive/make_seeds.py scene.pcap tests/fuzz/corpus
Reads the classic pcap format of an Ethernet capture; writes whole frames
(prefixed with the link-type selector byte 0 = Ethernet) for passive_frame
and transport payloads for the per-protocol targets."""
import os
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        yield data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def payload(frame):
    ethertype = struct.unpack_from(">H", frame, 12)[0]
    ip = frame[14:]
    if ethertype == 0x0800:
        proto, ip_payload = ip[9], ip[(ip[0] & 15) * 4:]
    elif ethertype == 0x86DD:
        proto, ip_payload = ip[6], ip[40:]
    else:
        return None, None, None
    if proto == 17:
        return "udp", struct.unpack_from(">HH", ip_payload)[0:2], ip_payload[8:]
    if proto == 6:
        return "tcp", struct.unpack_from(">HH", ip_payload)[0:2], ip_payload[(ip_payload[12] >> 4) * 4:]
    return None, None, None


TARGET_BY_PORT = {53: "passive_dns", 67: "passive_dhcp", 68: "passive_dhcp", 443: "passive_tls"}


def main():
    capture, corpus = sys.argv[1], sys.argv[2]
    for i, frame in enumerate(frames(capture)):
        outputs = [("passive_frame", b"\x00" + frame)]
        l4, ports, data = payload(frame)
        if l4 and data:
            target = next((TARGET_BY_PORT[p] for p in ports if p in TARGET_BY_PORT), "passive_text")
            outputs.append((target, data))
        for target, blob in outputs:
            os.makedirs(os.path.join(corpus, target), exist_ok=True)
            with open(os.path.join(corpus, target, "scene-%02d" % i), "wb") as f:
                f.write(blob)


if __name__ == "__main__":
    main()
