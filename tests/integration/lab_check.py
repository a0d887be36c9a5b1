#!/usr/bin/env python3
"""lab_check.py — a plain client that checks a running camlab against its
ground truth and persona files (used by tests/integration/lab_fleet.sh).

  lab_check.py fleet TRUTH PERSONA_DIR    every port of every device answers
                                          what its persona and the truth say;
                                          other ports refuse the connection
  lab_check.py subset FULL_TRUTH SPARSE_TRUTH
                                          a --density fleet is a subset of the
                                          full one with the same personas, and
                                          its empty addresses refuse everything
  lab_check.py hostile IP_PREFIX          the hostile personas behave (tarpit,
                                          drip, endless headers, huge body,
                                          TLS garbage, malformed XML)

Prints one line per problem and exits 1 if there was any.
"""
import concurrent.futures
import json
import os
import socket
import ssl
import struct
import sys
import time
import xml.etree.ElementTree as ET

TIMEOUT = 5.0
SILENCE = 0.3  # how long a silent service is watched


def load_personas(folder):
    personas = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                p = json.load(f)
            personas[p["name"]] = p
    return personas


def connect(ip, port, timeout=TIMEOUT):
    return socket.create_connection((ip, port), timeout=timeout)


def recv_all(sock, limit=1 << 20):
    data = b""
    while len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def read_response(sock):
    """Reads one HTTP/RTSP response (head + Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if len(lines[0].split()) > 1 else 0
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.lower(), value.strip()))
    length = next((int(v) for n, v in headers if n == "content-length"), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return lines[0], status, headers, body


def header(headers, name):
    return next((v for n, v in headers if n == name.lower()), None)


def http_request(ip, port, method, path, body=b"", tls=False, extra=""):
    sock = connect(ip, port)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(sock)
    req = (f"{method} {path} HTTP/1.1\r\nHost: {ip}\r\nConnection: close\r\n{extra}"
           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    sock.sendall(req)
    resp = read_response(sock)
    cert = sock.getpeercert(binary_form=True) if tls else None
    sock.close()
    return resp + (cert,)


def find_route(service, method, path, body=""):
    for r in service.get("routes", []):
        if r.get("method") not in (None, method):
            continue
        if r.get("path") not in (None, path):
            continue
        if r.get("body_contains") and r["body_contains"] not in body:
            continue
        return r
    return service.get("fallback", {"status": 454 if service["protocol"] == "rtsp" else 404})


def persona_header(route, name):
    for h in route.get("headers", []):
        n, _, v = h.partition(":")
        if n.strip().lower() == name.lower():
            return v.strip()
    return None


def expand(text, dev):
    """The {{variables}} of a device that the truth file determines."""
    mac = dev["mac"].lower()
    hexmac = mac.replace(":", "")
    values = {"serial": dev["serial"], "mac": mac, "MAC": mac.upper(), "mac_dash": mac.replace(":", "-"),
              "MAC_HEX": hexmac.upper(), "mac_hex": hexmac, "model": dev["model"],
              "firmware": dev["firmware"], "brand": dev["brand"], "manufacturer": dev["manufacturer"],
              "ip": dev["ip"]}
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


ONVIF_GDI = (b'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
             b'<s:Body><GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>')


def xml_text(body, tag):
    root = ET.fromstring(body)
    for el in root.iter():
        if el.tag.split("}")[-1] == tag:
            return el.text
    return None


def check_http(dev, svc, problems):
    ip, port, tls = dev["ip"], svc["port"], "tls" in svc
    where = f"{ip}:{port} ({dev['persona']})"
    line, status, headers, body, cert = http_request(ip, port, "GET", "/", tls=tls)
    route = find_route(svc, "GET", "/")
    if status != route.get("status", 200):
        problems.append(f"{where}: GET / status {status}, persona says {route.get('status', 200)}")
    want_server = persona_header(route, "Server")
    if want_server is not None and header(headers, "Server") != want_server:
        problems.append(f"{where}: Server {header(headers, 'Server')!r}, persona says {want_server!r}")
    if tls:
        for field, value in svc["tls"]["subject"]:
            value = expand(value, dev)
            if "{{" in value or value.encode() not in cert:
                problems.append(f"{where}: certificate lacks subject {field}={value}")
    paths = [r.get("path") for r in svc.get("routes", [])]
    if "/ISAPI/System/deviceInfo" in paths:
        _, st, _, body, _ = http_request(ip, port, "GET", "/ISAPI/System/deviceInfo", tls=tls)
        if st == 200:
            for tag, want in (("model", dev["model"]), ("macAddress", dev["mac"]),
                              ("serialNumber", dev["serial"])):
                got = xml_text(body, tag)
                if got != want:
                    problems.append(f"{where}: ISAPI {tag} {got!r}, truth says {want!r}")
    if "/cgi-bin/magicBox.cgi?action=getSystemInfo" in paths:
        _, st, _, body, _ = http_request(ip, port, "GET", "/cgi-bin/magicBox.cgi?action=getSystemInfo", tls=tls)
        kv = dict(l.split("=", 1) for l in body.decode().split("\r\n") if "=" in l)
        if kv.get("deviceType") != dev["model"] or kv.get("serialNumber") != dev["serial"]:
            problems.append(f"{where}: magicBox {kv.get('deviceType')!r}/{kv.get('serialNumber')!r}, truth {dev['model']!r}/{dev['serial']!r}")
    if "/onvif/device_service" in paths:
        route = find_route(svc, "POST", "/onvif/device_service", ONVIF_GDI.decode())
        _, st, _, body, _ = http_request(ip, port, "POST", "/onvif/device_service", ONVIF_GDI, tls=tls,
                                         extra="Content-Type: application/soap+xml\r\n")
        if st != route.get("status", 200):
            problems.append(f"{where}: ONVIF status {st}, persona says {route.get('status', 200)}")
        elif st == 200 and xml_text(body, "Model") != dev["model"]:
            problems.append(f"{where}: ONVIF Model {xml_text(body, 'Model')!r}, truth {dev['model']!r}")
    if "/favicon.ico" in paths:
        _, st, _, body, _ = http_request(ip, port, "GET", "/favicon.ico", tls=tls)
        if st != 200 or body[:4] != b"\x00\x00\x01\x00":
            problems.append(f"{where}: /favicon.ico is not an icon (status {st})")


def check_rtsp(dev, svc, problems):
    ip, port = dev["ip"], svc["port"]
    where = f"{ip}:{port} ({dev['persona']})"
    sock = connect(ip, port)
    for cseq, method in ((3, "OPTIONS"), (4, "DESCRIBE")):
        sock.sendall(f"{method} rtsp://{ip}:{port}/ RTSP/1.0\r\nCSeq: {cseq}\r\nAccept: application/sdp\r\n\r\n".encode())
        line, status, headers, _ = read_response(sock)
        route = find_route(svc, method, "/")
        if not line.startswith("RTSP/1.0 ") or status != route.get("status", 200):
            problems.append(f"{where}: {method} answered {line!r}, persona says {route.get('status', 200)}")
        if header(headers, "CSeq") != str(cseq):
            problems.append(f"{where}: {method} CSeq {header(headers, 'CSeq')!r}, sent {cseq}")
        want = persona_header(route, "Server")
        if want is not None and header(headers, "Server") != want:
            problems.append(f"{where}: RTSP Server {header(headers, 'Server')!r}, persona says {want!r}")
        realm = persona_header(route, "WWW-Authenticate")
        got_realm = header(headers, "WWW-Authenticate")
        if realm is None:
            continue
        realm = expand(realm, dev)
        if got_realm is None or ("{{" not in realm and got_realm != realm):
            problems.append(f"{where}: RTSP WWW-Authenticate {got_realm!r}, persona says {realm!r}")
    sock.close()


def check_banner(dev, svc, problems):
    ip, port = dev["ip"], svc["port"]
    where = f"{ip}:{port} ({dev['persona']})"
    want = svc.get("banner", "").encode() if "banner" in svc else bytes.fromhex(svc.get("banner_hex", "").replace(" ", ""))
    sock = connect(ip, port, timeout=SILENCE if not want else TIMEOUT)
    got = b""
    try:
        while len(got) < len(want) or not want:
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        pass
    if got != want:
        problems.append(f"{where}: banner {got[:40]!r}, persona says {want[:40]!r}")
    if "reply_hex" in svc or "reply" in svc:
        reply = svc["reply"].encode() if "reply" in svc else bytes.fromhex(svc["reply_hex"].replace(" ", ""))
        sock.settimeout(TIMEOUT)
        sock.sendall(b"\x00SMB probe")
        got = b""
        while len(got) < len(reply):
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
        if got != reply:
            problems.append(f"{where}: reply {got!r}, persona says {reply!r}")
    sock.close()


def check_dvrip(dev, svc, problems):
    ip, port = dev["ip"], svc["port"]
    where = f"{ip}:{port} ({dev['persona']})"
    body = b'{ "Name" : "SystemInfo", "SessionID" : "0x00000006" }\n\x00'
    sock = connect(ip, port)
    sock.sendall(struct.pack("<BB2xII2xHI", 0xFF, 0, 6, 0, 1020, len(body)) + body)
    head = b""
    while len(head) < 20:
        chunk = sock.recv(20 - len(head))
        if not chunk:
            break
        head += chunk
    if len(head) < 20:
        problems.append(f"{where}: DVRIP: no answer to SystemInfo")
        return
    magic, version, session, seq, msg, length = struct.unpack("<BB2xII2xHI", head)
    payload = b""
    while len(payload) < length:
        chunk = sock.recv(length - len(payload))
        if not chunk:
            break
        payload += chunk
    sock.close()
    if (magic, version, msg, session) != (0xFF, 1, 1021, 6) or not payload.endswith(b"\n\x00"):
        problems.append(f"{where}: DVRIP header {head.hex()} (want magic ff, version 1, message 1021, session 6)")
        return
    info = json.loads(payload[:-2]).get("SystemInfo", {})
    if info.get("SerialNo") != dev["serial"] or info.get("DeviceModel") != dev["model"]:
        problems.append(f"{where}: DVRIP SystemInfo {info.get('DeviceModel')!r}/{info.get('SerialNo')!r}, truth {dev['model']!r}/{dev['serial']!r}")


CHECKERS = {"http": check_http, "rtsp": check_rtsp, "banner": check_banner, "dvrip": check_dvrip}


def refuses(ip, port):
    try:
        socket.create_connection((ip, port), timeout=TIMEOUT).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def check_device(dev, persona, all_ports):
    problems = []
    if persona is None:
        return [f"{dev['ip']}: persona {dev['persona']!r} has no persona file"]
    services = {s["port"]: s for s in persona["services"]}
    if sorted(services) != sorted(dev["ports"]):
        problems.append(f"{dev['ip']}: truth ports {dev['ports']} differ from persona ports {sorted(services)}")
    for field in ("manufacturer", "brand", "model", "firmware", "device_type", "restricted_expected"):
        if dev[field] != persona[field]:
            problems.append(f"{dev['ip']}: truth {field} {dev[field]!r} differs from the persona's {persona[field]!r}")
    if not dev["mac"].upper().startswith(persona["mac_oui"].upper()):
        problems.append(f"{dev['ip']}: MAC {dev['mac']} outside the persona's OUI {persona['mac_oui']}")
    for port, svc in services.items():
        try:
            CHECKERS[svc["protocol"]](dev, svc, problems)
        except (OSError, ValueError, ET.ParseError) as e:
            problems.append(f"{dev['ip']}:{port} ({dev['persona']}): {type(e).__name__}: {e}")
    for port in sorted(all_ports - set(services)):
        if not refuses(dev["ip"], port):
            problems.append(f"{dev['ip']}:{port}: closed port did not refuse the connection")
    return problems


def run_parallel(func, items):
    problems = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        for result in pool.map(func, items):
            problems.extend(result)
    return problems


def cmd_fleet(truth_path, persona_dir):
    truth = json.load(open(truth_path))
    personas = load_personas(persona_dir)
    all_ports = {s["port"] for p in personas.values() for s in p["services"]}
    problems = run_parallel(lambda d: check_device(d, personas.get(d["persona"]), all_ports), truth)
    seen = {d["persona"] for d in truth}
    expected = {n for n, p in personas.items() if not p.get("hostile")}
    if seen != expected:
        problems.append(f"fleet personas {sorted(seen)} differ from the non-hostile set {sorted(expected)}")
    macs = [d["mac"] for d in truth]
    if len(set(macs)) != len(macs):
        problems.append("two devices share a MAC address")
    ports = sum(len(d["ports"]) for d in truth)
    print(f"lab_check: {len(truth)} devices, {ports} open ports and their closed ports checked")
    return problems


def cmd_subset(full_path, sparse_path):
    full = {d["ip"]: d for d in json.load(open(full_path))}
    sparse = {d["ip"]: d for d in json.load(open(sparse_path))}
    problems = [f"{ip}: persona {d['persona']} with --density but {full.get(ip, {}).get('persona')} without"
                for ip, d in sparse.items() if full.get(ip, {}).get("persona") != d["persona"]]
    share = len(sparse) / len(full)
    if not 0.15 < share < 0.35:
        problems.append(f"--density 0.25 kept {share:.2f} of the addresses")
    empty = [ip for ip in full if ip not in sparse]
    all_ports = sorted({p for d in full.values() for p in d["ports"]})
    problems += run_parallel(lambda ip: [f"{ip}:{p}: empty address did not refuse" for p in all_ports
                                         if not refuses(ip, p)], empty)
    print(f"lab_check: density fleet has {len(sparse)} of {len(full)} addresses; {len(empty)} empty ones refuse")
    return problems


def hostile_tarpit(ip):
    sock = connect(ip, 80, timeout=1.0)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        data = sock.recv(100)
        return [f"tarpit {ip}: answered {data!r}"]
    except socket.timeout:
        return []
    finally:
        sock.close()


def hostile_drip(ip):
    sock = connect(ip, 80, timeout=0.5)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    start, data = time.monotonic(), b""
    while time.monotonic() - start < 2.5:
        try:
            chunk = sock.recv(100)
            if not chunk:
                break
            data += chunk
        except socket.timeout:
            pass
    sock.close()
    if not 1 <= len(data) <= 4 or not b"HTTP/1.1"[:len(data)] == data[:8]:
        return [f"drip {ip}: {len(data)} bytes ({data!r}) in 2.5 s, want 2 or 3 at one a second"]
    return []


def hostile_endless(ip):
    sock = connect(ip, 80, timeout=2.0)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data, start = b"", time.monotonic()
    while len(data) < 64 * 1024 and time.monotonic() - start < 5:
        data += sock.recv(65536)
    sock.close()
    if not data.startswith(b"HTTP/1.1 200") or b"\r\n\r\n" in data or len(data) < 64 * 1024:
        ended = b"\r\n\r\n" in data
        return [f"endless headers {ip}: {len(data)} bytes, end of head seen: {ended}"]
    return []


def hostile_huge(ip):
    sock = connect(ip, 80)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    got = len(body)
    while got < 8 * 1024 * 1024:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    sock.close()  # hang up mid-body: camlab must cope
    if b"Content-Length: 104857600" not in head or got < 8 * 1024 * 1024:
        return [f"huge body {ip}: head {head[:80]!r}, {got} body bytes read"]
    return []


def hostile_tls_garbage(ip):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with ctx.wrap_socket(connect(ip, 443, timeout=3.0)):
            return [f"tls garbage {ip}: a TLS handshake succeeded"]
    except ssl.SSLError:
        return []
    except OSError as e:
        return [f"tls garbage {ip}: {type(e).__name__} {e} instead of a TLS error"]


def hostile_bad_xml(ip):
    _, status, _, body, _ = http_request(ip, 80, "GET", "/ISAPI/System/deviceInfo")
    try:
        ET.fromstring(body)
        return [f"bad xml {ip}: the deviceInfo body parsed as XML"]
    except ET.ParseError:
        return [] if status == 200 else [f"bad xml {ip}: status {status}"]


HOSTILE = [("hostile-tarpit", hostile_tarpit), ("hostile-drip", hostile_drip),
           ("hostile-endless-headers", hostile_endless), ("hostile-huge-body", hostile_huge),
           ("hostile-tls-garbage", hostile_tls_garbage), ("hostile-bad-xml", hostile_bad_xml)]


def cmd_hostile(prefix):
    jobs = [(f"{prefix}{i + 1}", fn) for i, (_, fn) in enumerate(HOSTILE)]
    problems = run_parallel(lambda job: job[1](job[0]), jobs)
    print(f"lab_check: {len(jobs)} hostile personas checked")
    return problems


def main(argv):
    if len(argv) >= 4 and argv[1] == "fleet":
        problems = cmd_fleet(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "subset":
        problems = cmd_subset(argv[2], argv[3])
    elif len(argv) >= 3 and argv[1] == "hostile":
        problems = cmd_hostile(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems[:50]:
        print("lab_check: FAIL " + p)
    if len(problems) > 50:
        print(f"lab_check: ... and {len(problems) - 50} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
