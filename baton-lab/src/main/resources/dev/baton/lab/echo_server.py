#!/usr/bin/env python3
"""TCP echo and stream server for the Baton lab (started by ServerHost.startEchoServer).

Echo port: every byte received is sent back until the client closes its side.
Stream port: the client sends one command line, then
  SEND <n>   the server sends n bytes, byte i being i % 256, then closes;
  SINK       the server reads until end of stream, answers "RECEIVED <n> <sha256 hex>" and closes.
Prints "READY echo=<port> stream=<port>" once both ports listen. Ends on SIGTERM.
"""

import argparse
import asyncio
import hashlib
import signal
import sys

CHUNK_BYTES = 64 * 1024
MAX_COMMAND_BYTES = 128
# 64 KiB of the repeating pattern 0, 1, ..., 255; its length is a multiple of 256 so slices stay in phase.
PATTERN = bytes(range(256)) * (CHUNK_BYTES // 256)


async def echo(reader, writer):
    try:
        while True:
            data = await reader.read(CHUNK_BYTES)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        await close(writer)


async def stream(reader, writer):
    try:
        line = await reader.readline()
        if len(line) > MAX_COMMAND_BYTES or not line.endswith(b"\n"):
            writer.write(b"ERROR expected 'SEND <n>' or 'SINK'\n")
            return
        words = line.decode("ascii", "replace").split()
        if len(words) == 2 and words[0] == "SEND" and words[1].isdigit():
            remaining = int(words[1])
            while remaining > 0:
                size = min(remaining, CHUNK_BYTES)
                writer.write(PATTERN[:size])
                await writer.drain()
                remaining -= size
        elif words == ["SINK"]:
            received = 0
            digest = hashlib.sha256()
            while True:
                data = await reader.read(CHUNK_BYTES)
                if not data:
                    break
                received += len(data)
                digest.update(data)
            writer.write(b"RECEIVED %d %s\n" % (received, digest.hexdigest().encode("ascii")))
            await writer.drain()
        else:
            writer.write(b"ERROR expected 'SEND <n>' or 'SINK'\n")
    except (ConnectionError, OSError):
        pass
    finally:
        await close(writer)


async def close(writer):
    try:
        writer.close()
        await writer.wait_closed()
    except (ConnectionError, OSError):
        pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--echo-port", type=int, required=True)
    parser.add_argument("--stream-port", type=int, required=True)
    parser.add_argument("--bind", default="0.0.0.0")
    arguments = parser.parse_args()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    echo_server = await asyncio.start_server(echo, arguments.bind, arguments.echo_port, backlog=1024)
    stream_server = await asyncio.start_server(stream, arguments.bind, arguments.stream_port, backlog=1024)
    print("READY echo=%d stream=%d" % (arguments.echo_port, arguments.stream_port), flush=True)
    await stop.wait()
    echo_server.close()
    stream_server.close()
    print("STOPPED", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
