#!/usr/bin/env python3
"""A real SMTP server for the shop's tests (aiosmtpd), on 127.0.0.1:PORT.

Each message it accepts is written to DIR as one JSON file (written aside, then renamed, so a
reader never sees half of one): the envelope, the From/To/Subject/Message-ID headers and the
decoded plain-text and HTML bodies. With --refuse TEXT, recipients containing TEXT are refused
for good (550), as a real server refuses an unknown mailbox. It runs until it is killed.

Needs aiosmtpd (python3 -m pip install aiosmtpd; scripts/test installs it when missing).
"""

import argparse
import email
import json
import os
import signal
import threading
import time
import uuid
from email import policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, refuse):
        self.out = out
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and self.refuse in address:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "date": str(message["Date"]),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
        aside = os.path.join(self.out, "." + name)
        with open(aside, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(aside, os.path.join(self.out, name))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir, args.refuse), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
