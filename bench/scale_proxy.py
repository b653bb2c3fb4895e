#!/usr/bin/env python3
"""scale_proxy.py PORT BACKEND_PORT... — a round-robin TCP load balancer on 127.0.0.1 for bench/scale.sh:
each new connection goes to the next backend in turn (skipping one that refuses it) and is relayed both
ways until either side closes."""
import asyncio
import itertools
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(port, backends):
    turn = itertools.cycle(backends)

    async def serve(client_reader, client_writer):
        for _ in backends:
            backend = next(turn)
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", backend)
                break
            except OSError:
                continue
        else:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))

    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=256)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), [int(p) for p in sys.argv[2:]]))
