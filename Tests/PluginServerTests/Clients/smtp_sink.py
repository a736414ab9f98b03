"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps each message it receives as a file, for the alert tests.

Usage: python3 smtp_sink.py FOLDER
Prints the port it listens on, then serves until it is ended (SIGTERM). Each message is FOLDER/N.eml: the envelope's
sender and recipients as X-Envelope-From and X-Envelope-To lines, then the message as received.
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP

folder = sys.argv[1]


class Keep:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Keep.count += 1
        content = envelope.original_content.decode("utf-8", "replace")
        text = f"X-Envelope-From: {envelope.mail_from}\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\n" + content
        path = os.path.join(folder, f"{Keep.count}.eml")
        with open(path + ".part", "w", encoding="utf-8") as file:
            file.write(text)
        os.rename(path + ".part", path)
        return "250 Message accepted for delivery"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Keep(), hostname="smtp-sink.test"), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
