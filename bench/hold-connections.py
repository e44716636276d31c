#!/usr/bin/env python3
"""Opens N keep-alive HTTP/1.1 connections to 127.0.0.1:PORT (over TLS with --tls, certificate not
checked), sends one request on each and reads its response, then holds them all idle. Prints
"ready OPEN" when done, and closes everything when stdin closes. Used by bench/footprint.sh and bench/footprint-detail.sh to
measure the router's memory per idle connection."""
import asyncio
import ssl
import sys

REQUEST = b"GET / HTTP/1.1\r\nHost: footprint\r\n\r\n"


async def one(port, tls, gate, held):
    async with gate:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls)
            writer.write(REQUEST)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                print("unexpected response: %r" % head[:40], file=sys.stderr)
            held.append(writer)
        except (OSError, asyncio.IncompleteReadError) as e:
            print("connection failed: %s" % e, file=sys.stderr)


async def main(port, n, use_tls):
    tls = None
    if use_tls:
        tls = ssl.create_default_context()
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
    held = []
    gate = asyncio.Semaphore(200)
    await asyncio.gather(*(one(port, tls, gate, held) for _ in range(n)))
    print("ready %d" % len(held), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for w in held:
        w.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), "--tls" in sys.argv[3:]))
