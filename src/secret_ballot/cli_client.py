"""What the command-line clients share: a small JSON API client over urllib,
the passphrase prompt and writing a key file that only its owner can read.

Every failure is a :class:`Failure` carrying the exit code the command
returns; a refusal by the API (an HTTP error status) is an
:class:`ApiRefused` with the API's message and error code.
"""

from __future__ import annotations

import getpass
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, NoReturn

from secret_ballot import jsonfields as jf

TIMEOUT = 30.0
"""Seconds to wait for the server."""
MAX_RESPONSE = 16 * 1024 * 1024
"""Largest JSON answer read, in bytes."""
MAX_RECORD = 1024 * 1024 * 1024
"""Largest election record read, in bytes (a large poll's is hundreds of MB)."""


class Failure(Exception):
    """Stop the command with exit code ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        self.code = code
        super().__init__(message)


class ApiRefused(Failure):
    """The API answered with an error status: ``status`` and its ``error_code``."""

    def __init__(self, message: str, code: int, status: int, error_code: str) -> None:
        self.status = status
        self.error_code = error_code
        super().__init__(message, code)


def fail(message: str, code: int = 2) -> NoReturn:
    raise Failure(message, code)


class ApiClient:
    """The JSON API at ``url`` (its root, e.g. ``https://host/api/v1/``) as
    the member with ``token``.

    ``refused_code`` is the exit code of an API refusal, ``network_code``
    the one of a server that cannot be reached or answers with something
    other than JSON.
    """

    def __init__(
        self, url: str, token: str, *, refused_code: int = 2, network_code: int = 2
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fail(f"--url must be an http(s) address such as https://host/api/v1/, not {url!r}")
        if not token or any(c.isspace() for c in token):
            fail("--token must be an API token (no spaces)")
        self.root = url.rstrip("/")
        self.token = token
        self.refused_code = refused_code
        self.network_code = network_code

    def request(self, method: str, path: str, body: jf.JSON = None) -> Any:
        """``method`` on ``root + path``; the decoded JSON answer."""
        raw = self.fetch(method, path, body)
        try:
            return json.loads(raw)
        except ValueError:
            fail(
                f"the server's answer to {method} {self.root}{path} is not JSON",
                self.network_code,
            )

    def fetch(
        self, method: str, path: str, body: jf.JSON = None, *, limit: int = MAX_RESPONSE
    ) -> bytes:
        """``method`` on ``root + path``; the raw answer, at most ``limit`` bytes."""
        address = f"{self.root}{path}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        # The scheme was checked in __init__: http or https only.
        request = urllib.request.Request(address, data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                raw: bytes = response.read(limit)
        except urllib.error.HTTPError as exc:
            message, error_code = _api_error(exc)
            raise ApiRefused(
                f"the server refused {method} {address}: {exc.code} {message}",
                self.refused_code,
                exc.code,
                error_code,
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            fail(f"cannot reach {address}: {reason}", self.network_code)
        return raw


def _api_error(exc: urllib.error.HTTPError) -> tuple[str, str]:
    """(the API's message with its code in brackets, the code) of a refusal."""
    try:
        body = json.loads(exc.read(65536))
        error = body["error"]
        return f"{error['message']} ({error['code']})", str(error["code"])
    except (ValueError, KeyError, TypeError, OSError):
        return str(exc.reason), ""


def passphrase(env: str | None, *, confirm: bool) -> str:
    """The key file's passphrase: from the environment variable ``env`` when
    given (for scripts), else typed at a prompt (twice when ``confirm``)."""
    if env is not None:
        value = os.environ.get(env)
        if not value:
            fail(f"the environment variable {env} named by --passphrase-env is not set")
        return value
    try:
        first = getpass.getpass("Key file passphrase: ")
        if confirm and getpass.getpass("Repeat the passphrase: ") != first:
            fail("the passphrases differ")
    except (EOFError, KeyboardInterrupt):
        fail("no passphrase given")
    if not first:
        fail("the passphrase is empty")
    return first


def read_json_file(path: Path, what: str) -> jf.JSON:
    """The JSON in ``path``; ``what`` names the file in the messages."""
    try:
        value: jf.JSON = json.loads(path.read_bytes())
    except OSError as exc:
        fail(f"cannot read the {what} {path}: {exc.strerror}")
    except ValueError:
        fail(f"the {what} {path} is not JSON")
    return value


def write_key_file(path: Path, sealed: jf.JSON, *, new: bool) -> None:
    """Write a sealed key file readable by its owner only.

    ``new``: the file must not exist (it is never overwritten). Otherwise the
    file is replaced atomically, so a crash leaves the old or the new one.
    """
    data = json.dumps(sealed, indent=1).encode("utf-8") + b"\n"
    temporary = path.with_name(path.name + ".new")
    try:
        if new:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            return
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except FileExistsError:
        fail(f"the key file {path} already exists: choose another path")
    except OSError as exc:
        fail(f"cannot write the key file {path}: {exc.strerror}")
