"""Extension objects, created unbound here and bound to an app by ``engage.app.create_app``."""
from flask import session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so Alembic can alter them later (SQLite needs names for batch migrations).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# expire_on_commit=False: write_transaction() commits a request's read transaction before taking
# the write lock; expiring every loaded object there would make the rest of the request reload them.
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"expire_on_commit": False})
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()


class _LoginManager(LoginManager):
    """Session protection for sessions that hold a signed-in user, and only for them.

    Flask-Login checks the browser fingerprint of every non-empty session, and a resident's session
    is not empty once a form has put its CSRF token there: in "strong" mode each public page that
    asks who is signed in then marked the session to clear a remember cookie it never had, so every
    page sent two Set-Cookie headers (a rewritten session and a deleted ``remember_token``) and no
    proxy could cache it. A session with no user has nothing to protect; a signed-in one is checked
    as before (a changed fingerprint drops the user).
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return bool(super()._session_protection_failed())


login_manager = _LoginManager()
# Limits are declared on the routes that need them; nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
