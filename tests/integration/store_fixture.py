#!/usr/bin/env python3
"""store_fixture.py — writes device JSON lines (the `camaudit identify` form)
for the store and report tests: a deterministic fleet for one site as seen
by scan number K, where restricted devices are removed over the scans, one
camera changes address and another its firmware, and (with --hostile) some
devices carry markup and control characters as their strings.

usage: store_fixture.py --site S --scan K --count N [--seed X] [--hostile]
                        [--observations FILE]
"""
import argparse
import json
import random

SOURCES = {
    "quebec": "https://www.newswire.ca/fr/news-releases/securite-de-l-information-le-gouvernement-du-quebec-agit-pour-la-protection-des-infrastructures-et-des-systemes-gouvernementaux-820337813.html",
    "us-fcc": "https://www.fcc.gov/supplychain/coveredlist",
    "us-ndaa-889": "https://www.acquisition.gov/far/52.204-25",
}
NAMED = {"Hikvision", "Dahua"}
FLEET = [  # manufacturer, brand, model, type, firmware, weight
    ("Hikvision", "Hikvision", "DS-2CD2386G2-IU", "ip_camera", "V5.5.0 build 170725", 5),
    ("Hikvision", "LTS", "CMIP3C42W-28", "ip_camera", "V5.4.5 build 170123", 2),
    ("Hikvision", "Hikvision", "DS-7608NI-K2", "nvr", "V4.30.005 build 200805", 1),
    ("Dahua", "Dahua", "IPC-HDW2431T", "ip_camera", "2.800.0000000.16.R", 4),
    ("Dahua", "Lorex", "N841A6", "nvr", "V4.02.R11.00000117.10001", 1),
    ("Axis", "Axis", "P3245-LVE", "ip_camera", "10.12.153", 3),
    ("Hanwha", "Wisenet", "XNV-6080R", "ip_camera", "2.21.02", 2),
    ("Bosch", "Bosch", "FLEXIDOME IP 5000i", "ip_camera", "7.80.0128", 1),
    ("Xiongmai", "Generic", "XM530", "dvr", "V4.02.R11.34500140", 1),
    ("unknown", None, None, None, None, 1),
]
VULNS = {
    "V5.5.0 build 170725": ("CVE-2021-36260", "vulnerable", "critical"),
    "V5.4.5 build 170123": ("CVE-2017-7921", "vulnerable", "critical"),
    "2.800.0000000.16.R": ("CVE-2021-33044", "possibly_vulnerable", "critical"),
}
HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "=HYPERLINK(\"http://evil.example\")",
    "\x1b[31mred\x1b[0m | pipe `code` *bold*",
    "</td></tr></table><h1>owned</h1>",
]


def verdicts(manufacturer):
    out = []
    for lst, src in SOURCES.items():
        if manufacturer == "unknown":
            v, why = "unknown", "manufacturer unknown"
        elif manufacturer in NAMED:
            v, why = "restricted", f"{manufacturer} is named by {lst}"
        else:
            v, why = "not_restricted", f"{manufacturer} is not named by {lst}"
        out.append({"kind": "restriction", "id": lst, "verdict": v, "reason": why,
                    "severity": None, "source": src})
    return out


def device(i, rnd, site_octet, scan, hostile):
    maker, brand, model, dtype, fw, _ = rnd.choices(FLEET, weights=[f[5] for f in FLEET])[0]
    host = 10 + i
    if i == 1 and scan >= 2:
        host = 40000  # this camera moved
    ip = f"10.{site_octet}.{host >> 8}.{host & 255}"
    mac = f"02:{site_octet:02x}:00:00:{i // 256:02x}:{i % 256:02x}" if i % 3 else None
    serial = f"SN{site_octet:03d}{i:05d}" if i % 3 == 0 and i % 2 == 0 else None
    if i == 2 and scan >= 2 and fw:
        fw = fw + ".1"  # firmware upgraded
    evidence = []
    if maker != "unknown":
        evidence.append({"signal": "http.server", "value": "App-webs/" if maker == "Hikvision"
                         else "Webs", "port": 80, "matched_by": f"{maker} web server",
                         "names": f"manufacturer={maker}", "weight": 0.4})
        evidence.append({"signal": "mac", "value": mac or "", "matched_by": "oui:MA-L",
                         "names": f"manufacturer={maker}", "weight": 0.3})
    d = {"ip": ip, "mac": mac, "manufacturer": maker, "brand": brand, "model": model,
         "device_type": dtype, "firmware": fw, "serial": serial,
         "confidence": 0.95 if maker != "unknown" else 0.1,
         "open_ports": [80, 554] if maker != "unknown" else [8080],
         "evidence": evidence, "conflicts": [], "findings": verdicts(maker)}
    if fw in VULNS:
        cve, v, sev = VULNS[fw]
        d["findings"].append({"kind": "vulnerability", "id": cve, "verdict": v,
                              "reason": f"firmware {fw} is in the affected range",
                              "severity": sev, "source": f"https://nvd.nist.gov/vuln/detail/{cve}"})
    if maker in NAMED and i % 3 == 2:  # kept through every scan
        d["findings"].append({"kind": "phone_home", "id": "hik-connect" if maker == "Hikvision"
                              else "dahua-p2p", "verdict": "phone_home",
                              "reason": "DNS queries to the vendor cloud were seen",
                              "severity": None, "source": None})
    if hostile and i % 5 == 4:
        h = HOSTILE[(i // 5) % len(HOSTILE)]
        d["model"] = h
        d["brand"] = h
        d["evidence"].append({"signal": "http.title", "value": h, "port": 80,
                              "matched_by": h, "names": h, "weight": 0.1})
        d["conflicts"].append(h)
        d["findings"].append({"kind": "restriction", "id": "hostile-list", "verdict": "restricted",
                              "reason": h, "severity": None, "source": "javascript:alert(1)"})
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--scan", type=int, default=1)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--hostile", action="store_true")
    ap.add_argument("--observations")
    a = ap.parse_args()
    site_octet = sum(a.site.encode()) % 250
    obs = open(a.observations, "w") if a.observations else None
    newcomers = [a.count + 100] if a.scan >= 2 else []  # appears from scan 2
    for i in list(range(a.count)) + newcomers:
        rnd = random.Random(a.seed * 100003 + i)
        d = device(i, rnd, site_octet, a.scan, a.hostile)
        # Restricted devices are taken out over the scans: a third per scan.
        if d["manufacturer"] in NAMED and (i % 3) < a.scan - 1:
            continue
        if i == 3 and a.scan >= 2:
            continue  # vanished
        print(json.dumps(d))
        if obs:
            for e in d["evidence"]:
                obs.write(json.dumps({"ip": d["ip"], "port": e.get("port", 0), "proto": "tcp",
                                      "signal": e["signal"], "value": e["value"],
                                      "source": "probe/http", "time": 1790000000 + a.scan,
                                      "mac": d["mac"] or ""}) + "\n")


if __name__ == "__main__":
    main()
