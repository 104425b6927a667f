"""The production stack as docker-compose.yml describes it: only the buffering proxy is reachable,
its limits are the platform's, and it really holds slow clients and big bodies away from the app
server. docker-compose and nginx come with `make test` (scripts/system-deps.sh test)."""

import gzip
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "atc" / "deploy" / "nginx.conf"


@pytest.fixture(scope="module")
def compose():
    # `make test` installs it (scripts/system-deps.sh test): missing, the test fails, never skips.
    assert shutil.which("docker-compose"), "docker-compose is missing: apt-get install docker-compose"
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": secrets.token_urlsafe(64), "POSTGRES_PASSWORD": "test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def _nginx_directive(name: str) -> str:
    values = re.findall(rf"^\s*{name}\s+([^;]+);", NGINX_CONF.read_text(), flags=re.MULTILINE)
    assert len(values) == 1, f"{name} must be set once in {NGINX_CONF.name}"
    return values[0].strip()


def test_only_the_proxy_publishes_a_port(compose):
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"proxy"}


def test_the_proxy_runs_a_pinned_official_nginx_with_the_repository_config(compose):
    proxy = compose["services"]["proxy"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+(-alpine)?", proxy["image"])
    assert any(
        volume.endswith("atc/deploy/nginx.conf:/etc/nginx/nginx.conf:ro") for volume in proxy["volumes"]
    )


def test_the_app_trusts_exactly_the_one_proxy_in_front_of_it(compose):
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert "$proxy_add_x_forwarded_for" in _nginx_directive("proxy_set_header X-Forwarded-For")


def test_the_proxy_buffers_requests_and_bounds_bodies_and_slow_clients():
    size = _nginx_directive("client_max_body_size")
    assert size.endswith("m") and int(size[:-1]) * 1024 * 1024 == settings.ATC_MAX_REQUEST_BYTES
    assert _nginx_directive("proxy_request_buffering") == "on"
    for timeout in ("client_header_timeout", "client_body_timeout"):
        assert int(_nginx_directive(timeout).rstrip("s")) <= 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process ended: {process.args}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def nginx_in_front_of_one_gunicorn_thread(tmp_path):
    """The repository's nginx.conf (upstream and port moved to this machine) in front of gunicorn
    with a single worker and a single thread: one request held by gunicorn blocks every other."""
    assert shutil.which("nginx"), "nginx is missing: apt-get install nginx-light"
    app_port, proxy_port = _free_port(), _free_port()
    conf = NGINX_CONF.read_text()
    conf = conf.replace("server web:8000;", f"server 127.0.0.1:{app_port};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{proxy_port};")
    conf = conf.replace("/tmp/", f"{tmp_path}/")
    conf = conf.replace("access_log /dev/stdout;", "access_log off;")
    conf = conf.replace("error_log /dev/stderr warn;", f"error_log {tmp_path}/error.log warn;")
    (tmp_path / "nginx.conf").write_text(conf)
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ATC_VAR_DIR": str(tmp_path / "var"),
        # The pages used here (sign-in form, refusals) need no table: an empty database will do.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}".replace("///", "////"),
    }
    env.pop("REDIS_URL", None)
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "atc.wsgi:application", "--bind", f"127.0.0.1:{app_port}"]
        + ["--workers", "1", "--threads", "1", "--worker-class", "sync", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    nginx = subprocess.Popen(
        ["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(app_port, gunicorn)
        _wait_for_port(proxy_port, nginx)
        yield proxy_port
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(timeout=20)


def _request(port: int, head: str, body: bytes = b"", timeout: float = 10) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode() + body)
        return sock.recv(65536).decode(errors="replace")


def test_slow_clients_do_not_reach_the_app_server(nginx_in_front_of_one_gunicorn_thread):
    port = nginx_in_front_of_one_gunicorn_thread
    slow = []
    for _ in range(5):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(
            # With a CSRF cookie, the CSRF check has to read the body: the app would wait for it.
            b"POST /comptes/login/ HTTP/1.1\r\nHost: localhost\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nlogin="
        )
        slow.append(sock)
    try:
        # Each trickling client is held by nginx; the app's only thread stays free to answer.
        answer = _request(
            port, "GET /comptes/login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        assert answer.startswith("HTTP/1.1 200"), answer[:200]
        assert "Connexion" in answer
    finally:
        for sock in slow:
            sock.close()


def test_the_proxy_refuses_a_300_mb_body_in_french_without_waiting_for_it(
    nginx_in_front_of_one_gunicorn_thread,
):
    answer = _request(
        nginx_in_front_of_one_gunicorn_thread,
        "POST /comptes/login/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 314572800\r\n\r\n",
    )
    assert answer.startswith("HTTP/1.1 413")
    assert "Envoi trop volumineux" in answer


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[dict[str, str], bytes]:
    """One GET through the proxy, read whole: the headers (lower-case names) and the raw body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": "localhost", **headers})
        response = connection.getresponse()
        headers: dict[str, str] = {}
        for name, value in response.getheaders():  # a repeated header (Vary) is joined, as HTTP reads it
            headers[name.lower()] = f"{headers[name.lower()]}, {value}" if name.lower() in headers else value
        body = response.read()
        # An answer of the proxy itself (a 502 while gunicorn is busy) is said as such, not as a
        # page that failed to decompress.
        assert response.status == 200, (response.status, body[:200])
        return headers, body
    finally:
        connection.close()


def test_the_proxy_compresses_pages_for_browsers_that_accept_it(nginx_in_front_of_one_gunicorn_thread):
    port = nginx_in_front_of_one_gunicorn_thread
    headers, body = _get(port, "/comptes/login/", {"Accept-Encoding": "gzip, deflate, br"})
    assert headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in headers.get("vary", "")
    page = gzip.decompress(body).decode()
    assert "Connexion" in page
    assert len(body) < len(page.encode()) / 2
    plain_headers, plain = _get(port, "/comptes/login/", {})
    assert "content-encoding" not in plain_headers
    assert "Connexion" in plain.decode()


def test_the_only_secret_in_a_compressed_page_changes_in_every_response(
    nginx_in_front_of_one_gunicorn_thread,
):
    """BREACH guesses a secret repeated from response to response, a byte at a time, by the size of
    the compressed page: Django masks the CSRF token afresh in each one."""
    port = nginx_in_front_of_one_gunicorn_thread
    tokens = set()
    cookie = ""
    for _ in range(3):
        headers, body = _get(port, "/comptes/login/", {"Accept-Encoding": "gzip", "Cookie": cookie})
        cookie = cookie or headers.get("set-cookie", "").split(";")[0]
        page = gzip.decompress(body).decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1))
    assert cookie.startswith("csrftoken=")
    assert len(tokens) == 3
