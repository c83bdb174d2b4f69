"""Private PostgreSQL, Redis, gunicorn and nginx processes on free loopback ports, started and stopped by the scripts
of this folder and by tests. They never touch the servers a machine already runs."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = CHECKOUT / "deploy" / "nginx" / "default.conf.template"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {seconds} s")


def children(pid):
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def signal_tree(pid, signum):
    """Sends `signum` to a process and its children (a postmaster and its backends)."""
    for each in [pid, *children(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signum)


class Redis:
    """A redis-server of our own, keeping nothing on disk."""

    def __init__(self, directory):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory), "--logfile", str(Path(self.directory) / "redis.log")],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.answers, "redis-server")

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        self.process.terminate()
        self.process.wait()

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


class PostgreSQL:
    """A PostgreSQL cluster of our own in a temporary directory, run as the postgres user when we are root."""

    def __init__(self, directory, database="jobs"):
        self.directory = Path(directory) / "pgdata"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{database}"
        self.database = database

    def run(self, *command):
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def create(self):
        self.directory.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.directory.parent, "postgres")
            shutil.chown(self.directory, "postgres")
        self.run("initdb", "-D", str(self.directory), "-U", "postgres", "--auth=trust", "--no-sync")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.database)

    def pg_ctl(self, action, *options):
        server_options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl",
            action,
            "-D",
            str(self.directory),
            "-o",
            server_options,
            "-l",
            str(self.directory / "server.log"),
            "-w",
            *options,
        )

    def start(self):
        self.pg_ctl("start")

    def stop(self):
        self.pg_ctl("stop", "-m", "fast")

    def restart(self):
        self.pg_ctl("restart", "-m", "fast")

    def postmaster(self):
        return int((self.directory / "postmaster.pid").read_text().split()[0])

    def pause(self):
        signal_tree(self.postmaster(), signal.SIGSTOP)

    def resume(self):
        signal_tree(self.postmaster(), signal.SIGCONT)


def production_environment(database_url, redis_url, **extra):
    """The environment of a production server on this machine (plain HTTP, no proxy unless told)."""
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SECRET_KEY": "ops-scripts-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        **extra,
    }


def manage(environment, *arguments):
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=CHECKOUT, env=environment, check=True)


class Gunicorn:
    """gunicorn with gunicorn.conf.py, its log in a file of its own."""

    def __init__(self, directory, environment, name="app"):
        self.port = free_port()
        self.environment = {**environment, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log_path = Path(directory) / f"{name}.log"
        self.process = None

    def start(self):
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"],
            cwd=CHECKOUT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: status(f"http://127.0.0.1:{self.port}/healthz") == 200, "gunicorn", seconds=60)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.log.close()


class Nginx:
    """nginx with deploy/nginx/default.conf.template, as the container runs it, on free ports and a self-signed certificate."""

    def __init__(self, directory, upstreams):
        self.directory = Path(directory) / "nginx"
        self.http_port = free_port()
        self.https_port = free_port()
        self.upstreams = upstreams
        self.process = None

    def start(self):
        certs = self.directory / "certs"
        certs.mkdir(parents=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
            + ["-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
            check=True,
            capture_output=True,
        )
        site = render(
            NGINX_TEMPLATE.read_text(),
            NGINX_HTTP_PORT=str(self.http_port),
            NGINX_HTTPS_PORT=str(self.https_port),
            NGINX_SERVER_NAME="localhost",
            NGINX_CERTS=str(certs),
            APP_SERVERS=" ".join(f"server {upstream};" for upstream in self.upstreams),
        )
        (self.directory / "site.conf").write_text(site)
        (self.directory / "nginx.conf").write_text(
            f"""daemon off;
pid {self.directory}/nginx.pid;
error_log {self.directory}/error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {self.directory}/body;
    proxy_temp_path {self.directory}/proxy;
    fastcgi_temp_path {self.directory}/fastcgi;
    uwsgi_temp_path {self.directory}/uwsgi;
    scgi_temp_path {self.directory}/scgi;
    include {self.directory}/site.conf;
}}
"""
        )
        self.process = subprocess.Popen(["nginx", "-c", str(self.directory / "nginx.conf"), "-p", str(self.directory)])
        wait_for(lambda: status(f"http://127.0.0.1:{self.http_port}/healthz") == 200, "nginx")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def render(template, **values):
    """What the nginx image's envsubst makes of a template: ${NAME} replaced for the given names only."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    return template


def status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class Stack:
    """PostgreSQL, Redis and gunicorn instances (and nginx in front, if asked), with the demo data and `postings` more."""

    def __init__(self, instances=1, nginx=False, postings=0, environment=None):
        self.directory = Path(tempfile.mkdtemp(prefix="jobboard-ops-"))
        self.postgres = PostgreSQL(self.directory)
        self.redis = Redis(self.directory)
        self.postings = postings
        self.extra = environment or {}
        self.instances = []
        self.instance_count = instances
        self.nginx = None
        self.with_nginx = nginx

    def __enter__(self):
        try:
            self.postgres.create()
            self.redis.start()
            self.environment = production_environment(self.postgres.url, self.redis.url, **self.extra)
            development = {**self.environment, "DJANGO_DEBUG": "true"}
            manage(self.environment, "collectstatic", "--noinput", "--verbosity", "0")
            manage(development, "migrate", "--verbosity", "0")
            manage(development, "seed_demo")
            if self.postings:
                manage(development, "generate_postings", "--count", str(self.postings), "--seed", "1")
            if self.with_nginx:
                self.environment["DJANGO_BEHIND_PROXY"] = "true"
            for number in range(self.instance_count):
                instance = Gunicorn(self.directory, self.environment, name=f"app{number + 1}")
                instance.start()
                self.instances.append(instance)
            if self.with_nginx:
                self.nginx = Nginx(self.directory, [f"127.0.0.1:{instance.port}" for instance in self.instances])
                self.nginx.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    @property
    def base_url(self):
        if self.nginx:
            return f"https://127.0.0.1:{self.nginx.https_port}"
        return f"http://127.0.0.1:{self.instances[0].port}"

    def __exit__(self, *exc):
        for process in [self.nginx, *self.instances]:
            if process and process.process and process.process.poll() is None:
                process.stop()
        if self.redis.process and self.redis.process.poll() is None:
            self.redis.resume()
            self.redis.stop()
        if (self.postgres.directory / "postmaster.pid").exists():
            self.postgres.resume()
            self.postgres.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
