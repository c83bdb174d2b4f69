"""Slow clients (one header byte every 5 s) against gunicorn alone and behind nginx: does the site keep answering?

Starts its own stack (PostgreSQL, Redis, gunicorn with 2 workers x 4 threads, nginx in front). About 1 minute:

    uv run python -m ops.slowclients
"""

import socket
import ssl
import threading
import time

from ops.http import Load, describe, visitor_mix
from ops.services import Stack

SLOW_CLIENTS = 16
PHASE_SECONDS = 20


def slow_client(port, use_tls, stopping):
    """Opens a connection and sends a request's headers one byte every 5 seconds, never finishing."""
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        if use_tls:
            connection = ssl._create_unverified_context().wrap_socket(connection, server_hostname="localhost")
        request = b"GET /en/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 1000
        for byte in request:
            connection.send(bytes([byte]))
            if stopping.wait(5):
                break
        connection.close()
    except OSError:
        pass


def main():
    with Stack(nginx=True) as stack:
        gunicorn_port = stack.instances[0].port
        targets = {
            "gunicorn alone": (f"http://127.0.0.1:{gunicorn_port}", gunicorn_port, False),
            "behind nginx": (stack.base_url, stack.nginx.https_port, True),
        }
        print(f"{SLOW_CLIENTS} slow clients, 4 visitors with a 10-second timeout\n")
        for name, (base_url, port, use_tls) in targets.items():
            visitors = Load(base_url, visitor_mix(base_url), clients=4, timeout=10).start()
            time.sleep(PHASE_SECONDS / 2)
            visitors.stop()
            print(f"{name + ', no slow clients':<38} {describe(visitors.results, PHASE_SECONDS / 2)}")

            stopping = threading.Event()
            slow = [threading.Thread(target=slow_client, args=(port, use_tls, stopping)) for _ in range(SLOW_CLIENTS)]
            for thread in slow:
                thread.start()
            time.sleep(1)
            visitors = Load(base_url, visitor_mix(base_url), clients=4, timeout=10).start()
            time.sleep(PHASE_SECONDS)
            visitors.stop()
            stopping.set()
            for thread in slow:
                thread.join()
            print(f"{name + f', {SLOW_CLIENTS} slow clients':<38} {describe(visitors.results, PHASE_SECONDS)}")


if __name__ == "__main__":
    main()
