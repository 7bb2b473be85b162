"""A small web app for the pcinit web-stack example: counts hits in Redis (raw RESP, no client library)."""
import http.server
import os
import socket
import sys

REDIS_PORT = int(os.environ.get("REDIS_PORT", "16379"))
APP_PORT = int(os.environ.get("APP_PORT", "18081"))


def redis(*args):
    with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2) as conn:
        command = f"*{len(args)}\r\n" + "".join(f"${len(a)}\r\n{a}\r\n" for a in args)
        conn.sendall(command.encode())
        reply = conn.recv(4096).decode()
    if reply.startswith(("+", ":")):
        return reply[1:].strip()
    raise RuntimeError(f"redis said {reply.strip()}")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            body = "ok\n" if self.path == "/healthz" and redis("PING") == "PONG" else f"hits: {redis('INCR', 'hits')}\n"
            status = 200
        except Exception as error:  # report, don't crash: the readiness probe sees 503
            body, status = f"redis unavailable: {error}\n", 503
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, fmt, *args):
        # One write per line: print() writes the text and the newline separately, which threads interleave.
        sys.stdout.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else '?'}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    print(f"app listening on 127.0.0.1:{APP_PORT}", flush=True)
    http.server.ThreadingHTTPServer(("127.0.0.1", APP_PORT), Handler).serve_forever()
