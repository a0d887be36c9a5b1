#!/usr/bin/env python3
"""check_lab.py TRUTH.json DEVICES.jsonl OBSERVATIONS.jsonl PLAYED.txt PERSONAS [strict|cameras|every]
Checks `camaudit passive` on the recorded lab traffic: every device of the
truth is reported; every TLS service of its persona yields its certificate
subject; every device has HTTP, RTSP or TLS observations; every phone-home lookup
played gives a phone_home finding naming the service. With 'strict'
(identify built in) no device may be named wrongly and every device the
truth marks restricted must be named; devices identify cannot name from
what passive saw are listed, not failed (on loopback there are no MACs and
no discovery broadcasts). With 'cameras' (a segment: MACs and discovery on
the wire) every camera, recorder and doorbell must be named as well; with
'every', every device of the truth."""
import json
import os
import sys


def main():
    truth = json.load(open(sys.argv[1]))
    devices = {d["ip"]: d for d in map(json.loads, open(sys.argv[2]))}
    obs = [json.loads(line) for line in open(sys.argv[3])]
    played = dict(line.split() for line in open(sys.argv[4]) if line.strip())
    personas_dir = sys.argv[5]
    mode = sys.argv[6] if len(sys.argv) > 6 else ""
    strict = mode in ("strict", "cameras", "every")
    surveillance = ("ip_camera", "nvr", "dvr", "doorbell")
    errors, unnamed = [], []
    for t in truth:
        ip = t["ip"]
        dev = devices.get(ip)
        if not dev:
            errors.append("%s (%s): not reported" % (ip, t["persona"]))
            unnamed.append("%s (%s)" % (ip, t["persona"]))
            continue
        mine = [o for o in obs if o["ip"] == ip]
        if not any(o["source"] in ("passive/http", "passive/rtsp", "passive/tls") for o in mine):
            errors.append("%s (%s): no HTTP, RTSP or TLS observation" % (ip, t["persona"]))
        persona = json.load(open(os.path.join(personas_dir, t["persona"] + ".json")))
        for s in persona["services"]:
            if "tls" not in s:
                continue
            cn = dict((k, v) for k, v in s["tls"]["subject"]).get("CN", "")
            # per-device subjects (lab/README.md, Variables): expand from the truth
            cn = cn.replace("{{mac_hex}}", t["mac"].replace(":", "")).replace(
                "{{serial}}", t.get("serial") or "")
            if not any(o["signal"] == "tls.subject" and o.get("port") == s["port"] and
                       ("CN=" + cn) in o["value"] for o in mine):
                errors.append("%s (%s): no tls.subject with CN=%s on port %d" %
                              (ip, t["persona"], cn, s["port"]))
        if ip in played:
            homes = [f["id"] for f in dev.get("findings", []) if f["kind"] == "phone_home"]
            if played[ip] not in homes:
                errors.append("%s (%s): phone_home %s not flagged (got %s)" %
                              (ip, t["persona"], played[ip], homes))
        if strict:
            named, truth_name = dev["manufacturer"].lower(), t["manufacturer"].lower()
            if named == "unknown":
                unnamed.append("%s (%s)" % (ip, t["persona"]))
                if t.get("restricted_expected") or mode == "every" or (
                        mode == "cameras" and t.get("device_type") in surveillance):
                    errors.append("%s (%s): maker %r not named" %
                                  (ip, t["persona"], t["manufacturer"]))
            elif not (named.startswith(truth_name) or truth_name.startswith(named)):
                errors.append("%s (%s): manufacturer %r, truth %r" %
                              (ip, t["persona"], dev["manufacturer"], t["manufacturer"]))
    for e in errors:
        print("check_lab: " + e)
    if unnamed:
        print("check_lab: not named from passive evidence: " + ", ".join(unnamed))
    print("check_lab: %d devices, %d named, %d phone-home lookups, %d problems%s" %
          (len(truth), len(truth) - len(unnamed) if strict else 0, len(played), len(errors),
           " (manufacturers checked)" if strict else ""))
    return 1 if errors or not truth or not played else 0


if __name__ == "__main__":
    sys.exit(main())
