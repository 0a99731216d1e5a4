"""Several gunicorn workers behave as one site: rate limits are counted in one place (Redis) that
every worker shares, so a sixth bad sign-in is refused whichever worker receives it."""
from __future__ import annotations

from helpers import PASSWORD
from servers import Browser, Gunicorn, RedisServer, server_env


def test_four_workers_share_the_sign_in_limit_through_redis(app, two_orgs, tmp_path):
    import redis

    store = RedisServer().start()
    env = server_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "server",
                     ENGAGE_RATELIMIT_STORAGE_URI=store.url)
    server = Gunicorn(env, workers=4).start()
    try:
        statuses = []
        for _ in range(7):
            # A new browser (and connection) each time, so the attempts land on different workers.
            person = Browser(server.base)
            person.request("/en/sign-in")
            statuses.append(person.request("/en/sign-in", {"email": "admin-a@example.org", "password": "wrong"})[0])
        right = Browser(server.base)
        right.request("/en/sign-in")
        locked = right.request("/en/sign-in", {"email": "admin-a@example.org", "password": PASSWORD})[0]
        keys = redis.Redis.from_url(store.url).keys("*")
    finally:
        server.stop()
        store.stop()
    assert statuses == [400] * 5 + [429] * 2
    assert locked == 429  # even the right password waits out the minute
    assert keys, "the counts live in Redis"
