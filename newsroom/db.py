"""A cursor for the few hand-written queries that run on every page view.

Django's PostgreSQL cursors bind parameters on the client, so PostgreSQL parses and plans every
statement afresh, and it never prepares one. For the article page's two queries planning cost
several times what running them did (0.3 ms against 0.07 ms of PostgreSQL's time for Recent
News). Through a server-side binding cursor psycopg prepares a statement once it has run
`prepare_threshold` times on a connection (DATABASE_PREPARE_THRESHOLD, see settings), and
PostgreSQL then reuses its plan (a generic one, once it has seen it costs no more). ORM queries
keep Django's client-side cursors, which never prepare, so nothing else changes.
"""

from django.db import connection


def planned_cursor():
    """A cursor on the default database, used like `connection.cursor()` (the same health
    check, error wrapping and query logging); on other databases it is that cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.validate_thread_sharing()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)
