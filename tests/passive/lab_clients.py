#!/usr/bin/env python3
"""lab_clients.py — the traffic recorded by the passive lab tests.

  lab_clients.py TRUTH.json PERSONAS_DIR DNS_SERVER CLOUDS.json
      (tests/integration/passive_lab.sh, one namespace) plays each device's
      phone-home lookup, then talks to every device as a scan would.
  lab_clients.py --scan TRUTH.json PERSONAS_DIR
      only talks to the devices (HTTP GET /, HTTPS with TLS 1.2 so the
      certificate is visible, RTSP OPTIONS and DESCRIBE, a connect to banner
      ports).
  lab_clients.py --lookup SRC_IP DNS_SERVER MANUFACTURER CLOUDS.json
      only the phone-home lookup of one device (run in its namespace).

camlab devices never start traffic themselves, so the test plays their
phone-home: a DNS query for the maker's first vendor-cloud domain (from
data/cloud_endpoints.json), sent from the device's own address. Prints
"IP SERVICE" for every lookup played."""
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


def lookup(src_ip, dns_server, manufacturer, clouds):
    cloud = next((c for c in clouds if c["manufacturer"] == manufacturer), None)
    if cloud:
        dns_query(src_ip, dns_server, "dev." + cloud["domains"][0])
        print(src_ip, cloud["id"])


def scan(truth, personas_dir):
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


def main():
    args = sys.argv[1:]
    if args[0] == "--scan":
        scan(json.load(open(args[1])), args[2])
    elif args[0] == "--lookup":
        lookup(args[1], args[2], args[3], json.load(open(args[4]))["services"])
    else:
        truth = json.load(open(args[0]))
        clouds = json.load(open(args[3]))["services"]
        for dev in truth:  # phone-home lookups first, as devices do at boot
            lookup(dev["ip"], args[2], dev["manufacturer"], clouds)
        scan(truth, args[1])

if __name__ == "__main__":
    main()
