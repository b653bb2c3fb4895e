#!/usr/bin/env python3
"""Seed 002's reference client, written minimally for bench/e2e.sh (requests, as in the seed).

POST /start, then sequential PUT /upload/<sid>/<idx> of 1 MiB blocks read from FILE (requests.put per
block, as in the seed: a new connection each time), then POST /finish/<sid>. No hashing.
Prints the final path on the server.

usage: flask_client.py FILE SERVER_URL
"""
import sys

import requests

CHUNK = 1024 * 1024
path, srv = sys.argv[1], sys.argv[2].rstrip("/")
r = requests.post(f"{srv}/start")
r.raise_for_status()
sid = r.json()["session_id"]
with open(path, "rb") as f:
    idx = 0
    while True:
        data = f.read(CHUNK)
        if not data:
            break
        r = requests.put(f"{srv}/upload/{sid}/{idx}", data=data)
        r.raise_for_status()
        idx += 1
r = requests.post(f"{srv}/finish/{sid}")
r.raise_for_status()
print(r.json()["file"])
