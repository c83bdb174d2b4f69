"""A small HTTP load client for the scripts of this folder: threads with keep-alive connections, bounded in time,
for addresses on this machine only."""

import http.client
import random
import re
import ssl
import threading
import time
import urllib.parse
from collections import Counter

# (weight, kind, paths): a visitor's mix of listing, filters, search, posting pages, feed and sitemap.
LISTINGS = ["/en/", "/fr/", "/de/", "/es/", "/en/?page=2"]
FILTERS = [
    "/en/?workplace=remote",
    "/en/?seniority=senior&employment=full_time",
    "/en/?country=DE",
    "/fr/?workplace=hybrid&posted=30",
    "/en/?salary=1&sort=newest",
    "/de/?seniority=mid&workplace=remote&workplace=hybrid",
]
SEARCHES = ["/en/?q=engineer", "/en/?q=python+developer", "/fr/?q=ingénieur", "/de/?q=entwickler", "/es/?q=datos"]


def quote(path):
    return urllib.parse.quote(path, safe="/?=&+%")


class Connection:
    """One client's keep-alive connection to a base URL; reconnects after an error."""

    def __init__(self, base_url, timeout=15):
        parts = urllib.parse.urlsplit(base_url)
        assert parts.hostname in ("127.0.0.1", "localhost", "::1"), "load goes to this machine only"
        self.parts = parts
        self.timeout = timeout
        self.connection = None
        self.cookies = {}

    def connect(self):
        if self.parts.scheme == "https":
            context = ssl._create_unverified_context()
            return http.client.HTTPSConnection(
                self.parts.hostname, self.parts.port, timeout=self.timeout, context=context
            )
        return http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=self.timeout)

    def request(self, method, path, body=None, headers=None):
        """(status, seconds, body, response headers); status None when the request failed."""
        headers = {"Host": "localhost", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        started = time.monotonic()
        try:
            if self.connection is None:
                self.connection = self.connect()
            self.connection.request(method, quote(path), body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return None, time.monotonic() - started, b"", {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if response.headers.get("Connection", "").lower() == "close":
            self.close()
        return response.status, time.monotonic() - started, content, response.headers

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, fields, **headers):
        body = urllib.parse.urlencode(fields)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.origin() + path, **headers}
        return self.request("POST", path, body=body, headers=headers)

    def origin(self):
        """The origin the site sees: requests name the host `localhost`, without the port."""
        return f"{self.parts.scheme}://localhost"

    def csrf_token(self, path):
        _status, _seconds, content, _headers = self.get(path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        return match.group(1).decode() if match else ""

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def posting_paths(base_url):
    """Posting pages from the sitemap."""
    _status, _seconds, content, _headers = Connection(base_url).get("/sitemap-postings.xml")
    return [urllib.parse.urlsplit(url.decode()).path for url in re.findall(rb"<loc>([^<]+)</loc>", content)]


def visitor_mix(base_url):
    postings = posting_paths(base_url) or ["/en/"]
    return [
        (25, "listing", LISTINGS),
        (25, "filters", FILTERS),
        (15, "search", SEARCHES),
        (25, "posting", postings),
        (5, "feed", ["/en/feed/", "/fr/feed/?workplace=remote"]),
        (5, "sitemap", ["/sitemap.xml", "/sitemap-postings.xml"]),
    ]


def choose(mix, rng):
    _weight, kind, paths = rng.choices(mix, weights=[weight for weight, _kind, _paths in mix])[0]
    return kind, rng.choice(paths)


class Load:
    """`clients` threads sending the mix to `base_url` until stopped (or `seconds` passed); every answer recorded."""

    def __init__(self, base_url, mix, clients, seconds=None, timeout=15):
        self.base_url = base_url
        self.mix = mix
        self.clients = clients
        self.seconds = seconds
        self.timeout = timeout
        self.results = []  # (monotonic time, kind, status, seconds)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def client(self, number):
        rng = random.Random(number)
        connection = Connection(self.base_url, self.timeout)
        deadline = time.monotonic() + self.seconds if self.seconds else None
        while not self.stopping.is_set() and (deadline is None or time.monotonic() < deadline):
            kind, path = choose(self.mix, rng)
            status, seconds, _content, _headers = connection.get(path)
            with self.lock:
                self.results.append((time.monotonic(), kind, status, seconds))
        connection.close()

    def start(self):
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def run(self):
        self.start()
        for thread in self.threads:
            thread.join()
        return self.results

    def between(self, start, end):
        with self.lock:
            return [result for result in self.results if start <= result[0] < end]


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def describe(results, seconds=None):
    """One line: count, statuses, throughput and latency percentiles in milliseconds."""
    latencies = [latency * 1000 for _at, _kind, _status, latency in results]
    statuses = Counter("failed" if status is None else status for _at, _kind, status, _latency in results)
    line = f"{len(results):6d} requests  " + " ".join(
        f"{status}:{count}" for status, count in sorted(statuses.items(), key=str)
    )
    if seconds:
        line += f"  {len(results) / seconds:6.1f}/s"
    if latencies:
        line += (
            f"  p50 {percentile(latencies, 0.5):7.1f}  p95 {percentile(latencies, 0.95):7.1f}"
            f"  p99 {percentile(latencies, 0.99):7.1f}  max {max(latencies):7.1f} ms"
        )
    return line
