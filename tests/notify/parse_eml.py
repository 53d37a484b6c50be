#!/usr/bin/env python3
"""Reads an .eml file the way a mail client would (Python's email package) and prints
what the tests check, as JSON."""
import collections
import email
import email.policy
import json
import sys

raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
counts = collections.Counter(k.lower() for k in msg.keys())
print(json.dumps({
    "headers": {k: str(v) for k, v in msg.items()},
    "header_counts": counts,
    "subject": str(msg["subject"]),
    "body": msg.get_content().replace("\r\n", "\n"),
    "content_type": msg.get_content_type(),
    "charset": msg.get_content_charset(),
    "cte": str(msg["content-transfer-encoding"]),
    "crlf_only": b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b""),
    "max_line": max(len(line) for line in raw.split(b"\r\n")),
    "defects": [type(d).__name__ for d in msg.defects],
}))
