"""`lines.py COUNT`: writes `line-1` .. `line-COUNT` to stdout as fast as it can through a big buffer (so
lines straddle the pipe's writes); every 97th line is long: `line-N-` followed by 8000 `x`. Every 500th
line also goes to stderr as `err-N`."""
import sys

count = int(sys.argv[1])
out = open(sys.stdout.fileno(), "w", buffering=1 << 16, closefd=False)
for n in range(1, count + 1):
    if n % 97 == 0:
        out.write(f"line-{n}-" + "x" * 8000 + "\n")
    else:
        out.write(f"line-{n}\n")
    if n % 500 == 0:
        sys.stderr.write(f"err-{n}\n")
        sys.stderr.flush()
out.flush()
