"""Rate limits kept in a real Redis server, shared by every app server behind a load balancer."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from pb import create_app
from tests.conftest import Client

pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on loopback, keeping nothing on disk."""
    port = _free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    server.terminate()
    server.wait(timeout=10)


def _app_server(database_url: str, redis_url: str) -> Client:
    app = create_app(
        "test",
        SQLALCHEMY_ENGINES={"default": database_url},
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        SIGN_IN_RATE_LIMIT="3 per minute",
    )
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]


def _attempt(client: Client) -> int:
    return client.submit("/sign-in", {"email": "x@example.org", "password": "nope nope nope"}).status_code


def test_two_app_servers_share_one_sign_in_limit_through_redis(database_url, redis_url) -> None:
    store = redis.Redis.from_url(redis_url)
    store.flushall()
    first, second = _app_server(database_url, redis_url), _app_server(database_url, redis_url)
    assert [_attempt(first), _attempt(second), _attempt(first)] == [422, 422, 422]
    assert _attempt(second) == 429  # the fourth attempt, on the other server, is over the limit
    assert store.keys("LIMITS*"), "the counts are in Redis, not in either app server"
    store.flushall()  # the limit lives only there: emptying Redis lifts it
    assert _attempt(second) == 422
