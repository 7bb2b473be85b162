# pcinit: a static PID 1 for containers. Two stages:
#   build   – the official Swift image makes the fully static Embedded Swift binary (the same command as
#             README and CI);
#             it also provides busybox-static so the example services have a shell.
#   runtime – FROM scratch: /pcinit, busybox for /bin/sh, and an example process-compose.yml.
# Build:  docker build -t pcinit .        Run:  docker run --rm -p 8558:8558 pcinit
# Your own image only needs:  COPY --from=build /pcinit /pcinit  and  ENTRYPOINT ["/pcinit"]  (stage `build`, as here).

FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends busybox-static && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product pcinit \
    && cp .build/release/pcinit /pcinit \
    && strip /pcinit \
    && cp /bin/busybox /busybox

FROM scratch
COPY --from=build /busybox /bin/busybox
# Exec form: there is no shell until busybox has installed its applets (sh, sleep, touch, test…).
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/mkdir", "-p", "/tmp", "/run"]
COPY --from=build /pcinit /pcinit
COPY examples/quickstart/process-compose.yml /process-compose.yml
ENV PATH=/bin
WORKDIR /
EXPOSE 8558
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=2s --start-period=5s --retries=3 CMD ["/pcinit", "--check"]
ENTRYPOINT ["/pcinit"]
