"""A throw-away redis-server on 127.0.0.1, without persistence (tests, bench, `make run-cluster`)."""

from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional


def start_redis(port: int, log: Optional[Path] = None, timeout: float = 20) -> subprocess.Popen:
    """Start redis-server on the port and return once it answers PING."""
    import redis

    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = redis.Redis(port=port)
    deadline = time.time() + timeout
    try:
        while True:
            try:
                client.ping()
                return proc
            except redis.ConnectionError:
                if proc.poll() is not None or time.time() > deadline:
                    proc.kill()
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.1)
    finally:
        client.close()


def stop_redis(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def redis_server(port: int) -> Iterator[str]:
    """A redis-server for the duration of the block; yields its redis:// URL."""
    proc = start_redis(port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_redis(proc)
