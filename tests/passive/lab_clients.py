#!/usr/bin/env python3
"""lab_clients.py TRUTH.json PERSONAS_DIR DNS_SERVER CLOUDS.json — the
traffic recorded by tests/integration/passive_lab.sh: run inside the test's
namespace, it talks to every device of a camlab fleet the way a scan would
(HTTP GET /, HTTPS with TLS 1.2 so the certificate is visible, RTSP OPTIONS
and DESCRIBE, a connect to banner ports), and, because camlab devices never
start traffic themselves, it plays each device's phone-home lookup: a DNS
query for its maker's first vendor-cloud domain sent from the device's own
address to DNS_SERVER. Prints the devices whose lookups it played."""
import json
import os
import socket
import ssl
import struct
import sys

TIMEOUT = 3.0


def read_message(sock, limit=65536):
    """Reads one HTTP or RTSP answer: headers, then Content-Length bytes of
    body (or until the peer closes or goes quiet)."""
    data = b""
    try:
        while len(data) < limit:
            end = data.find(b"\r\n\r\n")
            if end >= 0:
                length = 0
                for line in data[:end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length" and value.strip().isdigit():
                        length = int(value.strip())
                if len(data) >= end + 4 + length:
                    break
            chunk = sock.recv(limit - len(data))
            if not chunk:
                break
            data += chunk
    except (socket.timeout, OSError):
        pass
    return data


def http_get(ip, port, use_tls):
    with socket.create_connection((ip, port), timeout=TIMEOUT) as raw:
        sock = raw
        if use_tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            sock = ctx.wrap_socket(raw, server_hostname=None)
        sock.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % ip).encode())
        read_message(sock)


def rtsp(ip, port):
    with socket.create_connection((ip, port), timeout=TIMEOUT) as sock:
        url = "rtsp://%s:%d/" % (ip, port)
        for cseq, method in enumerate(("OPTIONS", "DESCRIBE"), 1):
            sock.sendall(("%s %s RTSP/1.0\r\nCSeq: %d\r\n\r\n" % (method, url, cseq)).encode())
            read_message(sock, 8192)


def banner(ip, port):
    with socket.create_connection((ip, port), timeout=TIMEOUT) as sock:
        sock.settimeout(0.3)
        try:
            sock.recv(4096)
        except (socket.timeout, OSError):
            pass


def dns_query(src_ip, server, name):
    header = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((src_ip, 0))
        sock.sendto(header + question + struct.pack(">HH", 1, 1), (server, 53))


def main():
    truth = json.load(open(sys.argv[1]))
    personas_dir, dns_server = sys.argv[2], sys.argv[3]
    clouds = json.load(open(sys.argv[4]))["services"]
    for dev in truth:  # phone-home lookups first, as devices do at boot
        cloud = next((c for c in clouds if c["manufacturer"] == dev["manufacturer"]), None)
        if cloud:
            dns_query(dev["ip"], dns_server, "dev." + cloud["domains"][0])
            print(dev["ip"], cloud["id"])
    for dev in truth:
        persona = json.load(open(os.path.join(personas_dir, dev["persona"] + ".json")))
        for service in persona["services"]:
            port, proto = service["port"], service["protocol"]
            try:
                if proto == "http":
                    http_get(dev["ip"], port, "tls" in service)
                elif proto == "rtsp":
                    rtsp(dev["ip"], port)
                else:
                    banner(dev["ip"], port)
            except (OSError, ssl.SSLError) as e:
                print("lab_clients: %s:%d (%s): %s" % (dev["ip"], port, proto, e), file=sys.stderr)

if __name__ == "__main__":
    main()
