"""A probe target for the services tests: `toggle_server.py http|tcp PORT FLAGFILE`.

http: always listens on 127.0.0.1:PORT; GET /healthz answers 200 while FLAGFILE exists, else 503.
tcp:  listens on 127.0.0.1:PORT only while FLAGFILE exists (the listener is closed while it is missing).
Prints `listening` once the first listener is up; exits 0 on SIGTERM.
"""
import http.server
import os
import signal
import socket
import sys
import threading
import time

mode, port, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        healthy = os.path.exists(flag)
        body = b"ok\n" if healthy else b"unhealthy\n"
        self.send_response(200 if healthy else 503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if mode == "http":
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("listening", flush=True)
    server.serve_forever()
else:
    listener = None
    announced = False
    while True:
        if os.path.exists(flag) and listener is None:
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(16)
            listener.setblocking(False)
            if not announced:
                print("listening", flush=True)
                announced = True
        elif not os.path.exists(flag) and listener is not None:
            listener.close()
            listener = None
        if listener is not None:
            try:
                while True:
                    conn, _ = listener.accept()
                    conn.close()
            except BlockingIOError:
                pass
        time.sleep(0.02)
