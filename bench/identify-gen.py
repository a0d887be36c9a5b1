#!/usr/bin/env python3
"""identify-gen.py — writes a synthetic observation JSONL workload for
bench/identify-throughput: HOSTS hosts with about eight observations each,
values drawn from the research samples and fingerprint examples (real device
answers), plus values no fingerprint knows. Deterministic (seeded)."""
import json, random, re, sys, pathlib

root = pathlib.Path(__file__).resolve().parent.parent
samples = pathlib.Path("/work/shared/research/samples")
hosts = int(sys.argv[1]) if len(sys.argv) > 1 else 125000
rnd = random.Random(7)

def sample(name, strip_comment=True):
    p = samples / name
    if not p.exists():
        return None
    text = p.read_text(errors="replace")
    if strip_comment:
        text = re.sub(r"^(<!--.*?-->|//[^\n]*|#[^\n]*)\s*", "", text, flags=re.S)
    return text[:4000]

bodies = {
    "http.isapi_device_info": [sample("hik_isapi_deviceInfo_DS-2CD2386G2-IU.xml")],
    "dhip": [sample("dahua_dhip_notifyDevInfo_IPC-HDW1431T1-S4.json"),
             sample("dahua_dhip_notifyDevInfo_Intelbras_MHDX1016.json")],
    "http.dahua_system_info": ["appAutoStart=true\ndeviceType=IPC-HDW5831R-ZE\nhardwareVersion=1.00\n"
                               "processor=S3LM\nserialNumber=4X7C5A1ZAG21L3F\nupdateSerial=IPC-HDW5830R-Z\n"],
}
values = {
    "http.server": ["App-webs/", "DNVRS-Webs", "Boa/0.94.14rc21", "lighttpd/1.4.35", "nginx",
                    "uc-httpd 1.0.0", "Apache/2.4.41 (Ubuntu)", "Microsoft-IIS/10.0", "webserver",
                    "Hikvision-Webs", "GoAhead-Webs", "thttpd/2.25b 29dec2003", "AXIS"],
    "http.title": ["WEB SERVICE", "Index", "Login", "Welcome", "NETSurveillance WEB", "AXIS",
                   "Network Camera", "Document Error: Unauthorized", "RouterOS router configuration page"],
    "http.www_authenticate": ['Digest realm="IP Camera(C1234)", nonce="abc", qop="auth"',
                              'Basic realm="index.html"', 'Digest realm="Login to 4X7C5A1ZAG21L3F"',
                              'Basic realm="DVR"', 'Digest realm="AXIS_ACCC8E012345"'],
    "rtsp.server": ["Rtsp Server/3.0", "Hikvision", "Dahua Rtsp Server", "H264DVR 1.0", "GStreamer RTSP server"],
    "tls.subject": ["CN=IP Camera,O=Hikvision,C=CN", "CN=localhost", "CN=axis-accc8e012345,O=Axis Communications AB",
                    "CN=192.168.1.64,OU=Hikvision,O=Hikvision,L=HangZhou,ST=ZheJiang,C=CN"],
    "banner": ["192.0.0.64 login: ", "SSH-2.0-OpenSSH_7.4", "220 FTP server ready", "(none) login: "],
}
macs = ["a4:14:37", "08:ed:ed", "00:40:8c", "24:0a:c4", "3c:ef:8c", "00:12:34", "bc:ad:28", "9c:8e:cd"]

out = sys.stdout
for h in range(hosts):
    ip = "10.%d.%d.%d" % (h >> 16 & 255, h >> 8 & 255, h & 255)
    mac = rnd.choice(macs) + ":%02x:%02x:%02x" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
    obs = [("mac", mac, 0)]
    for _ in range(6):
        sig = rnd.choice(list(values))
        obs.append((sig, rnd.choice(values[sig]), 80 if sig.startswith("http") else 554 if sig.startswith("rtsp") else 443))
    if rnd.random() < 0.15:
        sig = rnd.choice(list(bodies))
        obs.append((sig, rnd.choice(bodies[sig]), 80))
    for sig, val, port in obs:
        rec = {"ip": ip, "signal": sig, "value": val, "source": "bench"}
        if port:
            rec["port"] = port
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")
