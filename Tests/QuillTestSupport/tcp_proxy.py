"""A TCP proxy for the tests' destination outages: forwards 127.0.0.1:PORT to 127.0.0.1:TARGET.

SIGUSR1 cuts it: the listener closes (new connections are refused) and every open connection is reset,
whatever it was carrying. SIGHUP cuts it half way through the next request: the first half of the next bytes a
client sends reach the target, then it is cut as by SIGUSR1. SIGALRM cuts it when the target next answers: the
request was delivered whole, its answer never arrives. SIGUSR2 listens again on the same port.
Usage: tcp_proxy.py PORT TARGET
"""
import asyncio
import os
import signal
import sys


async def main(port: int, target: int) -> None:
    loop = asyncio.get_running_loop()
    open_transports: set[asyncio.BaseTransport] = set()
    listener: asyncio.Server | None = None
    # Where the next cut falls: "request" (half way through the next request), "answer" (before the next answer).
    cut_at: str | None = None

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, from_client: bool) -> None:
        nonlocal cut_at
        try:
            while data := await reader.read(65536):
                if cut_at == ("request" if from_client else "answer"):
                    cut_at = None
                    if from_client:
                        writer.write(data[: len(data) // 2])
                        await writer.drain()
                    cut()
                    return
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def forward(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.transport.abort()
            return
        pair = {client_writer.transport, upstream_writer.transport}
        open_transports.update(pair)
        try:
            await asyncio.gather(pipe(client_reader, upstream_writer, True), pipe(upstream_reader, client_writer, False))
        finally:
            open_transports.difference_update(pair)

    async def listen() -> None:
        nonlocal listener
        listener = await asyncio.start_server(forward, "127.0.0.1", port, reuse_address=True)

    def cut() -> None:
        if listener is not None:
            listener.close()
        # abort(): a reset, as a network failure mid-request, not a polite close.
        for transport in list(open_transports):
            transport.abort()

    def cut_next(where: str) -> None:
        nonlocal cut_at
        cut_at = where

    loop.add_signal_handler(signal.SIGUSR1, cut)
    loop.add_signal_handler(signal.SIGHUP, cut_next, "request")
    loop.add_signal_handler(signal.SIGALRM, cut_next, "answer")
    loop.add_signal_handler(signal.SIGUSR2, lambda: loop.create_task(listen()))
    await listen()
    # Ends with the test process that started it, even one that was killed.
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
