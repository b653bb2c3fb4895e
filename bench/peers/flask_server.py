#!/usr/bin/env python3
"""Seed 002's reference upload server, written minimally for bench/e2e.sh (Flask, as in the seed).

POST /start                 -> {"session_id": ...}; makes BASE/<sid>/ with meta.json
PUT  /upload/<sid>/<idx>    -> writes the raw body to BASE/<sid>/chunk.<idx>, records idx in meta.json
GET  /status/<sid>          -> {"received": [...]}
POST /finish/<sid>          -> concatenates the chunks in index order into BASE/<sid>.final
GET  /health                -> 200
As in the seed: no hashing, no fsync, the whole body read into memory (request.data), one chunk file per
request. Unlike the seed, /finish answers with a small JSON instead of sending the final file back, and
the per-request cleanup scan of old sessions is left out.

usage: flask_server.py PORT BASE_DIR
"""
import json
import os
import sys
import time
import uuid

from flask import Flask, jsonify, request

app = Flask(__name__)
BASE = sys.argv[2] if len(sys.argv) > 2 else "uploads"


@app.route("/health")
def health():
    return "ok"


@app.route("/start", methods=["POST"])
def start():
    sid = uuid.uuid4().hex
    path = os.path.join(BASE, sid)
    os.makedirs(path)
    with open(os.path.join(path, "meta.json"), "w") as f:
        json.dump({"start": time.time(), "received": []}, f)
    return jsonify(session_id=sid)


@app.route("/upload/<sid>/<int:idx>", methods=["PUT"])
def upload_chunk(sid, idx):
    path = os.path.join(BASE, sid)
    with open(os.path.join(path, f"chunk.{idx}"), "wb") as f:
        f.write(request.data)
    meta_path = os.path.join(path, "meta.json")
    with open(meta_path) as f:
        meta = json.load(f)
    if idx not in meta["received"]:
        meta["received"].append(idx)
        with open(meta_path, "w") as f:
            json.dump(meta, f)
    return "", 200


@app.route("/status/<sid>")
def status(sid):
    with open(os.path.join(BASE, sid, "meta.json")) as f:
        return jsonify(received=json.load(f)["received"])


@app.route("/finish/<sid>", methods=["POST"])
def finish(sid):
    path = os.path.join(BASE, sid)
    chunks = sorted((c for c in os.listdir(path) if c.startswith("chunk.")), key=lambda c: int(c.split(".")[1]))
    final = os.path.join(BASE, f"{sid}.final")
    with open(final, "wb") as out:
        for c in chunks:
            with open(os.path.join(path, c), "rb") as f:
                out.write(f.read())
    return jsonify(file=final, chunks=len(chunks), size=os.path.getsize(final))


if __name__ == "__main__":
    os.makedirs(BASE, exist_ok=True)
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
