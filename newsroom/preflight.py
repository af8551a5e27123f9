"""Checks `make test` and `make bench` run first, so a missing service fails in one clear line.

python -m newsroom.preflight postgres   # the server in DATABASE_URL answers
python -m newsroom.preflight redis      # the Redis the shared-cache tests use answers
"""

import os
import sys

START_POSTGRES = (
    "Start it: Debian/Ubuntu `sudo pg_ctlcluster $(ls /etc/postgresql) main start` "
    "(or `sudo service postgresql start`), macOS `brew services start postgresql@16`; "
    "or point DATABASE_URL at a running server."
)


def check_postgres():
    import psycopg
    from environ import Env
    from psycopg import sql

    url = os.environ.get("DATABASE_URL", "")
    config = Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"newsroom: the tests need PostgreSQL; DATABASE_URL is {url!r}.")
    # Connect to the server's maintenance database: the test database is created by the tests.
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            # `makemigrations --check` and the benchmarks read the named database itself.
            name = config.get("NAME") or "newsroom"
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(
            f"newsroom: PostgreSQL is not reachable at {params['host']}:{params['port']} "
            f"({reason}). {START_POSTGRES}"
        )


START_REDIS = (
    "Start it: Debian/Ubuntu `sudo service redis-server start` (or `redis-server --daemonize "
    "yes --bind 127.0.0.1 --port 6379 --save ''`), macOS `brew services start redis`; or point "
    "TEST_REDIS_URL at a running server."
)


def check_redis():
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        sys.exit(f"newsroom: Redis is not reachable at {url} ({exc}). {START_REDIS}")


if __name__ == "__main__":
    checks = {"postgres": check_postgres, "redis": check_redis}
    for name in sys.argv[1:] or ["postgres"]:
        checks[name]()
