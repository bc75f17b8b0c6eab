"""Radicale authentication against Estafette's development IMAP server.

A Radicale 3 auth plugin (``[auth] type = estafette_imap_auth``, with this
directory on PYTHONPATH) for the private CardDAV server of Estafette's tests:
a user/password pair is accepted when it logs into IMAP on 127.0.0.1, at the
port in ESTAFETTE_RADICALE_IMAP_PORT, in plain text (loopback only, no TLS).
So the address and password that sign into the mail server sign into
Radicale, and the user name Radicale uses is the login as given.

A successful login is remembered for a minute (in this process only, as a
keyed SHA-256 of the password), so that the many requests of one sync do not
each cost an IMAP login and the server's slow password hash.
"""

import hashlib
import hmac
import imaplib
import os
import threading
import time

from radicale import auth

IMAP_HOST = "127.0.0.1"
IMAP_TIMEOUT = 10.0
CACHE_SECONDS = 60.0
CACHE_MAX_ENTRIES = 1024

# Keys the password digests, so the cache holds nothing reusable elsewhere.
_DIGEST_KEY = os.urandom(32)


def _digest(password: str) -> bytes:
    return hmac.new(_DIGEST_KEY, password.encode("utf-8"), hashlib.sha256).digest()


class Auth(auth.BaseAuth):

    def __init__(self, configuration) -> None:
        super().__init__(configuration)
        self._lock = threading.Lock()
        # (login, digest of password) -> time.monotonic() when it expires.
        self._cache = {}

    def login(self, login: str, password: str) -> str:
        try:
            if not login or not password:
                return ""
            if any(c in login or c in password for c in "\r\n\0"):
                return ""
            key = (login, _digest(password))
            now = time.monotonic()
            with self._lock:
                expires = self._cache.get(key)
                if expires is not None and expires > now:
                    return login
            if not self._imap_login(login, password):
                return ""
            with self._lock:
                for k in [k for k, t in self._cache.items() if t <= now]:
                    del self._cache[k]
                if len(self._cache) >= CACHE_MAX_ENTRIES:
                    self._cache.clear()
                self._cache[key] = now + CACHE_SECONDS
            return login
        except Exception:
            return ""

    @staticmethod
    def _imap_login(login: str, password: str) -> bool:
        port = int(os.environ["ESTAFETTE_RADICALE_IMAP_PORT"])
        try:
            imap = imaplib.IMAP4(IMAP_HOST, port, timeout=IMAP_TIMEOUT)
        except Exception:
            return False
        try:
            # AUTHENTICATE PLAIN carries UTF-8 (LOGIN in imaplib is ASCII only).
            imap.authenticate(
                "PLAIN", lambda _challenge: "\0%s\0%s" % (login, password))
            return True
        except Exception:
            return False
        finally:
            try:
                imap.logout()
            except Exception:
                pass
