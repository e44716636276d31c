#!/usr/bin/env python3
"""Opens N h2c connections (prior knowledge) to 127.0.0.1:PORT, makes one GET / on each, and holds
them idle for SECONDS, to measure what one idle HTTP/2 connection costs the router (docs/http2.md).

Usage: bench/hold-h2-connections.py N PORT [SECONDS=30]
Raise the descriptor limit first (ulimit -n 20000)."""
import asyncio, sys, struct, os
N = int(sys.argv[1]); PORT = int(sys.argv[2])
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
def frame(t, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([t, flags]) + struct.pack(">I", sid) + payload
auth = b"localhost"
hdrs = bytes([0x82, 0x86, 0x84, 0x41, len(auth)]) + auth
async def one(i):
    r, w = await asyncio.open_connection("127.0.0.1", PORT)
    w.write(PREFACE + frame(4, 0, 0) + frame(1, 0x05, 1, hdrs))
    await w.drain()
    got = b""
    while b"\x00\x01\x00\x00\x00\x01" not in got and len(got) < 1 << 16:  # a DATA frame ending stream 1 (loose check)
        chunk = await r.read(65536)
        if not chunk: break
        got += chunk
        if got.find(bytes([0x00, 0x01]) + b"\x00\x00\x00\x01") >= 0: break
    w.write(frame(4, 1, 0)); await w.drain()
    return r, w
async def main():
    conns = []
    for i in range(0, N, 200):
        conns += await asyncio.gather(*[one(j) for j in range(i, min(N, i + 200))])
    print("held", len(conns), flush=True)
    await asyncio.sleep(float(sys.argv[3]) if len(sys.argv) > 3 else 30)
asyncio.run(main())
