#!/usr/bin/env python3
"""Rebuild examples/sample.mbox from the shared corpus (provenance of the sample).

250 messages of one real Enron mailbox (bailey-s, every folder) and 50 MIME-rich
SpamAssassin ham messages (HTML, multipart, base64, odd charsets), one mbox in mboxrd
form. Messages whose Message-ID was already taken are left out, so the sample holds
exactly 300 distinct messages. Usage: python3 examples/make_sample_mailbox.py ../shared/corpus
"""
import os, re, sys

corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample.mbox")

def files(folder):
    for root, _, names in sorted(os.walk(folder)):
        for n in sorted(names):
            if n.endswith(".eml"):
                yield os.path.join(root, n)

def message_id(raw):
    m = re.search(rb"^Message-ID:\s*(\S+)", raw, re.I | re.M)
    return m.group(1) if m else None

picked, seen = [], set()
def take(paths, n):
    k = 0
    for p in paths:
        if k == n:
            break
        raw = open(p, "rb").read()
        if raw.startswith(b"From "):
            raw = raw.split(b"\n", 1)[1]
        mid = message_id(raw)
        if mid is None or mid in seen:
            continue
        seen.add(mid)
        picked.append(raw)
        k += 1

enron = os.path.join(corpus, "enron-dev", "bailey-s")
take(files(enron), 250)
take(files(os.path.join(corpus, "spamassassin-dev", "easy-ham-1")), 50)

with open(out, "wb") as f:
    for raw in picked:
        raw = raw.replace(b"\r\n", b"\n")
        # mboxrd: quote every ^>*From line inside the message
        raw = re.sub(rb"^(>*From )", rb">\1", raw, flags=re.M)
        f.write(b"From atom-sync-sample Thu Jan  1 00:00:00 2004\n")
        f.write(raw if raw.endswith(b"\n") else raw + b"\n")
        f.write(b"\n")
print(f"{len(picked)} messages -> {out}")
