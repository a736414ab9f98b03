"""moto_server, with its Kinesis shards made safe for concurrent puts.

moto numbers a shard's records by reading the last number and adding one, unlocked ("not safe for
concurrency", its own comment says): two putRecords at once can give two records one number, and one
overwrites the other. Real Kinesis doesn't lose records that way, and a test whose exporter puts batches side
by side must not lose them either. Usage: moto_server.py [moto_server's options]
"""
import sys
import threading

from moto.kinesis import models
from moto.server import main

_lock = threading.Lock()
_put_record = models.Shard.put_record


def put_record(self, *args, **kwargs):
    with _lock:
        return _put_record(self, *args, **kwargs)


models.Shard.put_record = put_record

if __name__ == "__main__":
    main(sys.argv[1:])
