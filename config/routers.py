"""Read scaling: public read traffic goes to the replica (DATABASE_REPLICA_URL), the rest to the primary.

Only a visitor's GET or HEAD reads from the replica, which may lag behind by a moment. Staff read
their own writes: their requests, like every POST, management commands and anything outside a
request, use the primary throughout; and a request that writes reads from the primary from then on.
"""

from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"

reads_from_replica = ContextVar("reads_from_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if reads_from_replica.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        reads_from_replica.set(False)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    """Lets a visitor's GET or HEAD read from the replica; everything else keeps to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = request.method in ("GET", "HEAD") and not request.user.is_staff
        token = reads_from_replica.set(public)
        try:
            return self.get_response(request)
        finally:
            reads_from_replica.reset(token)
