#!/usr/bin/python3
"""A Fluent forward server for tests (forward protocol v1 over TCP, msgpack).

Takes Message, Forward and PackedForward events, answers a "chunk" option
with {"ack": <chunk>} and writes one JSON line per event to OUT:
{"tag": ..., "time": ..., "record": {...}, "chunk": ...}.

  fluent-sink.py --port N --out FILE [--no-ack] [--no-read]

--no-ack takes events but never acknowledges; --no-read accepts connections
and never reads from them (a stalled server).
"""
import argparse
import json
import socket
import threading

import msgpack


def entries(tag, second, opts, emit):
    if isinstance(second, (bytes, str)):  # PackedForward
        raw = second if isinstance(second, bytes) else second.encode()
        for t, rec in msgpack.Unpacker(raw=False, strict_map_key=False, timestamp=0).__iter__():
            emit(tag, t, rec)
    elif isinstance(second, list):  # Forward
        for t, rec in second:
            emit(tag, t, rec)
    else:  # Message: [tag, time, record, opts]
        return False
    return True


def serve(conn, out, lock, ack):
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
    while True:
        data = conn.recv(65536)
        if not data:
            return
        unpacker.feed(data)
        for msg in unpacker:
            tag, second = msg[0], msg[1]
            opts = {}
            chunk = None

            def emit(t, tm, rec):
                line = json.dumps({"tag": t, "time": tm if isinstance(tm, (int, float)) else str(tm),
                                   "record": rec, "chunk": chunk})
                with lock:
                    out.write(line + "\n")
                    out.flush()

            if isinstance(second, (list, bytes, str)):
                opts = msg[2] if len(msg) > 2 and isinstance(msg[2], dict) else {}
                chunk = opts.get("chunk")
                entries(tag, second, opts, emit)
            else:
                opts = msg[3] if len(msg) > 3 and isinstance(msg[3], dict) else {}
                chunk = opts.get("chunk")
                emit(tag, second, msg[2])
            if ack and chunk is not None:
                conn.sendall(msgpack.packb({"ack": chunk}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-ack", action="store_true")
    ap.add_argument("--no-read", action="store_true")
    a = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.no_read:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(8)
    out = open(a.out, "a")
    lock = threading.Lock()
    held = []
    while True:
        conn, _ = ls.accept()
        if a.no_read:
            held.append(conn)
            continue
        threading.Thread(target=serve, args=(conn, out, lock, not a.no_ack), daemon=True).start()


if __name__ == "__main__":
    main()
