"""Several gunicorn workers behave as one site: rate limits are counted in one place (Redis) that
every worker shares, so a sign-in limit holds whichever worker receives the attempt."""
from __future__ import annotations

from helpers import PASSWORD
from servers import Browser, Gunicorn, RedisServer, server_env


def attempt(base: str, email: str, password: str) -> tuple[int, str]:
    # A new browser (and connection) each time, so the attempts land on different workers.
    person = Browser(base)
    person.request("/en/sign-in")
    return person.request("/en/sign-in", {"email": email, "password": password})


def test_four_workers_share_the_sign_in_limits_through_redis(app, two_orgs, tmp_path):
    import redis

    store = RedisServer().start()
    # Small limits, so a few attempts reach both: 5 refused passwords per account, 6 failures per address.
    env = server_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "server", ENGAGE_RATELIMIT_STORAGE_URI=store.url,
                     ENGAGE_ACCOUNT_LOGIN_RATE_LIMIT="5 per 15 minutes", ENGAGE_LOGIN_RATE_LIMIT="6 per minute")
    server = Gunicorn(env, workers=4).start()
    try:
        statuses = [attempt(server.base, "admin-a@example.org", "wrong")[0] for _ in range(7)]
        paused = attempt(server.base, "admin-a@example.org", PASSWORD)
        # A paused account's attempts are refused before the address is counted: it has 5 failures.
        sixth = attempt(server.base, "organiser-a@example.org", "wrong")[0]
        other = attempt(server.base, "organiser-a@example.org", PASSWORD)
        keys = redis.Redis.from_url(store.url).keys("*")
    finally:
        server.stop()
        store.stop()
    assert statuses == [400] * 5 + [429] * 2
    assert paused[0] == 429 and "signing in with it is paused" in paused[1]  # even the right password waits
    assert sixth == 400
    assert other[0] == 429 and "Too many attempts" in other[1]  # another account, but the same address
    assert keys, "the counts live in Redis"
