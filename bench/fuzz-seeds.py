#!/usr/bin/env python3
"""Writes the seed corpora of the Jazzer fuzz targets (docs/fuzzing.md).

Seeds come from the RFC 4475 and RFC 5118 torture messages (../shared/sip-torture),
the messages of the SIPp scenarios (../shared/bench/scenarios and
src/test/resources/scenarios, their [fields] filled in as SIPp would for a call
through the SBC), and scripted calls in the ProxyScript format (messages
separated by %%%%, directive lines starting with '@').

Run from the repository root:  bench/fuzz-seeds.py [path/to/sip-torture]
It rewrites only the seed-*, rfc*, sipp-* and script-* files; crash-* files
(Jazzer's findings, kept as regression inputs) are left alone.
"""
import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORTURE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "sip-torture")
SCENARIOS = [
    os.path.join(ROOT, "..", "shared", "bench", "scenarios"),
    os.path.join(ROOT, "src", "test", "resources", "scenarios"),
]
INPUTS = os.path.join(ROOT, "sbc-runtime", "src", "test", "resources", "io", "sbc", "runtime", "fuzz")
DECODE = os.path.join(INPUTS, "DecoderFuzzTestInputs", "decode")
REQUESTS = os.path.join(INPUTS, "ProxyRequestFuzzTestInputs", "requests")
RESPONSES = os.path.join(INPUTS, "ProxyResponseFuzzTestInputs", "responses")

SEP = b"%%%%\r\n"

# What the SBC's fake loop sees: the caller 10.0.0.1 (really 192.0.2.1:5062), the SBC
# 127.0.0.1:5060, the callee (target A) 10.0.0.2:5060.
OUR_VIA = "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=@TX@"
CALLER_VIA = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller1;rport=5062;received=192.0.2.1"
FIELDS = {
    "service": "bob",
    "remote_ip": "127.0.0.1",
    "remote_port": "5060",
    "transport": "UDP",
    "local_ip": "10.0.0.1",
    "local_port": "5060",
    "local_ip_type": "4",
    "media_ip": "10.0.0.1",
    "media_ip_type": "4",
    "media_port": "6000",
    "branch": "z9hG4bK-sipp-1",
    "pid": "4242",
    "call_number": "1",
    "call_id": "1-4242@10.0.0.1",
    "peer_tag_param": ";tag=4242SIPpTag011",
    "next_url": "sip:10.0.0.2:5060",
    "routes": "Route: <sip:127.0.0.1:5060;lr>",
    "field0": "alice",
    "field1": 'Authorization: Digest username="alice", realm="sbc.test", nonce="4242",'
    ' uri="sip:sbc.test", response="0123456789abcdef0123456789abcdef"',
    "last_Via:": OUR_VIA + "\n" + CALLER_VIA,
    "$invvia": OUR_VIA + "\n" + CALLER_VIA,
    "last_From:": 'From: "Alice" <sip:alice@example.com>;tag=a1',
    "last_To:": "To: <sip:bob@example.com>",
    "last_Call-ID:": "Call-ID: call-3@10.0.0.1",
    "last_CSeq:": "CSeq: 1 INVITE",
    "$invcseq": "1 INVITE",
    "last_Record-Route:": "Record-Route: <sip:127.0.0.1:5060;lr>",
}


def fill(text):
    """A SIPp message with its fields filled in, CRLF line ends and Content-Length computed."""

    def field(m):
        name = m.group(1)
        if re.fullmatch(r"branch-\d+", name):
            return FIELDS["branch"]
        return FIELDS.get(name, m.group(0))

    lines = [l.strip() for l in text.strip().split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    try:
        blank = lines.index("")
    except ValueError:
        blank = len(lines)
    head = [re.sub(r"\[([^\]\s]+)\]", field, l) for l in lines[:blank]]
    head = [l for l in "\n".join(head).split("\n") if l]
    body = "".join(re.sub(r"\[([^\]\s]+)\]", field, l) + "\r\n" for l in lines[blank + 1 :])
    msg = "\r\n".join(head).replace("[len]", str(len(body))) + "\r\n\r\n" + body
    return msg.encode("iso-8859-1")


def scenario_sends(path):
    """Every <send> message of a SIPp scenario, in order."""
    tree = ET.parse(path)
    return [fill(send.text) for send in tree.getroot().iter("send") if send.text and send.text.strip()]


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def is_response(msg):
    return msg.lstrip(b"\r\n").startswith(b"SIP/")


def script(*steps):
    """A ProxyScript: steps of (directive or None, message bytes)."""
    out = []
    for directive, msg in steps:
        part = b""
        if directive is not None:
            part += b"@" + directive.encode("ascii") + b"\r\n"
        out.append(part + msg)
    return SEP.join(out)


def request(method, uri="sip:bob@example.com", branch="z9hG4bKcaller1", to_tag=None, extra="",
            cseq=1, body=""):
    to = "To: <sip:bob@example.com>" + (";tag=" + to_tag if to_tag else "")
    return (
        f"{method} {uri} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 10.0.0.1:5060;branch={branch};rport\r\n"
        "Max-Forwards: 70\r\n"
        f"{extra}"
        'From: "Alice" <sip:alice@example.com>;tag=a1\r\n'
        f"{to}\r\n"
        "Call-ID: call-3@10.0.0.1\r\n"
        f"CSeq: {cseq} {method}\r\n"
        "Contact: <sip:alice@10.0.0.1:5060>\r\n"
        + ("Content-Type: application/sdp\r\n" if body else "")
        + f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode("iso-8859-1")


SDP = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"


def response(status, reason, branch="@TX@", to_tag="b1", cseq="1 INVITE", extra="", body="",
             vias=None):
    vias = vias if vias is not None else [OUR_VIA.replace("@TX@", branch), CALLER_VIA]
    to = "To: <sip:bob@example.com>" + (";tag=" + to_tag if to_tag else "")
    return (
        f"SIP/2.0 {status} {reason}\r\n"
        + "".join(v + "\r\n" for v in vias)
        + 'From: "Alice" <sip:alice@example.com>;tag=a1\r\n'
        f"{to}\r\n"
        "Call-ID: call-3@10.0.0.1\r\n"
        f"CSeq: {cseq}\r\n"
        f"{extra}"
        + ("Content-Type: application/sdp\r\n" if body else "")
        + f"Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode("iso-8859-1")


def main():
    for d in (DECODE, REQUESTS, RESPONSES):
        if os.path.isdir(d):
            for f in os.listdir(d):
                if not f.startswith("crash-"):
                    os.remove(os.path.join(d, f))

    # --- the torture corpus: every message to the decoder; requests to the request path;
    # responses, under a Via of ours, to the response path.
    for rfc in ("rfc4475", "rfc5118"):
        folder = os.path.join(TORTURE, rfc)
        for name in sorted(os.listdir(folder)):
            data = open(os.path.join(folder, name), "rb").read()
            write(DECODE, f"{rfc}-{name}", data)
            if is_response(data):
                eol = data.index(b"\n") + 1
                ours = data[:eol] + OUR_VIA.encode() + b"\r\n" + data[eol:]
                write(RESPONSES, f"{rfc}-{name}", ours)
            else:
                write(REQUESTS, f"{rfc}-{name}", data)

    # --- SIPp scenarios: each message to the decoder; a UAC's messages as one call script
    # (the callee answering as the scenario expects), a UAS's as responses to the setup INVITE.
    answers = {"INVITE": "=180,200", "BYE": "=200", "CANCEL": "=200", "REGISTER": "=401"}
    for folder in SCENARIOS:
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".xml"):
                continue
            base = name[:-4]
            sends = scenario_sends(os.path.join(folder, name))
            for i, msg in enumerate(sends):
                write(DECODE, f"sipp-{base}-{i}.sip", msg)
            if all(not is_response(m) for m in sends):
                steps = []
                for msg in sends:
                    method = msg.split(b" ", 1)[0].decode()
                    code = answers.get(method)
                    if "486" in base:
                        code = "=486" if method == "INVITE" else None
                    if "404" in base:
                        code = "=404" if method == "INVITE" else None
                    if "cancel" in base:
                        code = "=180" if method == "INVITE" else "=200" if method == "CANCEL" else None
                    directive = "10" + (" " + code if code else "")
                    steps.append((directive, msg))
                write(REQUESTS, f"sipp-{base}.script", script(*steps))
                for i, msg in enumerate(sends):
                    write(REQUESTS, f"sipp-{base}-{i}.sip", msg)
            else:
                steps = [("10" if m.startswith(b"SIP/") else "10 up", m) for m in sends]
                write(RESPONSES, f"sipp-{base}.script", script(*steps))

    # --- scripted calls through the request path.
    inv = request("INVITE", body=SDP)
    ack200 = request("ACK", uri="sip:10.0.0.2:5060", branch="z9hG4bKack1", to_tag="down1",
                     extra="Route: <sip:127.0.0.1:5060;lr>\r\n")
    bye = request("BYE", uri="sip:10.0.0.2:5060", branch="z9hG4bKbye1", to_tag="down1",
                  extra="Route: <sip:127.0.0.1:5060;lr>\r\n", cseq=2)
    cancel = request("CANCEL")
    ack487 = request("ACK", to_tag="down1")
    w = lambda name, *steps: write(REQUESTS, f"script-{name}", script(*steps))
    w("call", ("0 =100,180,200", inv), ("50", ack200), ("2000 =200", bye))
    w("cancel", ("0 =180", inv), ("200 =200", cancel), ("10 =487", b""), ("10", ack487))
    w("fork", ("0 fork =180", inv), ("100 =200", b""))
    w("failover", ("0 fail =503", inv), ("10 =486", b""), ("10", ack487))
    w("timeout", (None, inv), ("40000", b""))
    w("timer-c", ("0 =180", inv), ("181000", b""), ("10 =487", b""))
    w("retransmit", (None, inv), ("500", inv), ("10 =180", b""), ("500", inv))
    w("tcp", ("0 tcp btcp =100", request("MESSAGE", body="hello")),
      ("10 tcp =200", request("MESSAGE", branch="z9hG4bKm2", cseq=2, body="hi")))
    w("stateless", ("0 stateless =200", inv), ("10", ack200))
    w("options-for-me", (None, request("OPTIONS", uri="sip:127.0.0.1:5060")))
    w("strict-route", ("0 =200", request(
        "INVITE", uri="sip:127.0.0.1:5060;lr",
        extra="Route: <sip:10.0.0.2:5060>\r\n", body=SDP)))
    w("loose-route", ("0 =200", request(
        "INFO", uri="sip:bob@10.0.0.2", to_tag="down1",
        extra="Route: <sip:127.0.0.1:5060;lr>, <sip:127.0.0.1:5060;transport=tcp;lr>\r\n")))
    w("proxy-require", (None, request("OPTIONS", extra="Proxy-Require: foo\r\n")))
    w("max-forwards", (None, request("INVITE", body=SDP).replace(b"Max-Forwards: 70", b"Max-Forwards: 0")))

    # --- responses to the setup INVITE (or the method m= names).
    r = lambda name, *steps: write(RESPONSES, f"script-{name}", script(*steps))
    ok = response(200, "OK", extra="Record-Route: <sip:127.0.0.1:5060;lr>\r\n"
                  "Contact: <sip:bob@10.0.0.2:5060>\r\n", body=SDP)
    r("ringing-ok", ("10", response(100, "Trying", to_tag=None)), ("10", response(180, "Ringing")),
      ("10", ok), ("500", ok))
    r("busy", ("10", response(486, "Busy Here")), ("500", response(486, "Busy Here")))
    r("failover", ("10", response(503, "Service Unavailable")),
      ("10 b", response(200, "OK", branch="@TXB@", body=SDP)))
    r("fork", ("0 fork", response(180, "Ringing")), ("10 b", response(183, "Session Progress",
      branch="@TXB@", to_tag="b2", body=SDP)), ("10 b", response(200, "OK", branch="@TXB@",
      to_tag="b2")), ("10", response(487, "Request Terminated")))
    r("decline", ("10", response(603, "Decline")))
    r("cancel", ("10", response(180, "Ringing")), ("100 up", cancel),
      ("10", response(200, "OK", cseq="1 CANCEL", to_tag=None)),
      ("10", response(487, "Request Terminated")))
    r("message", ("0 m=MESSAGE", response(202, "Accepted", cseq="1 MESSAGE")))
    r("stateless", ("0 stateless", response(200, "OK", branch="@TX@", body=SDP)))
    r("late", ("40000", response(200, "OK")))
    r("not-ours", ("10", response(200, "OK", vias=[CALLER_VIA])))

    # --- stream-shaped input for the decoder: pipelined messages and keep-alives.
    write(DECODE, "stream-pipelined.sip", b"\r\n\r\n" + inv + b"\r\n\r\n" + request("BYE") + b"\r\n")


if __name__ == "__main__":
    main()
