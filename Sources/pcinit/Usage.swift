enum Usage {
    static let text = """
        pcinit: a PID 1 for containers that runs the services of a process-compose.yml

        Usage:
          pcinit [OPTIONS] [SERVICE...]          run the config's services (or the named ones and their dependencies)
          pcinit [OPTIONS] -- COMMAND [ARG...]   run COMMAND as the main process (with the config's services, if any)
          pcinit COMMAND [ARG...]                with no config file: same as `pcinit -- COMMAND` (like tini)
          pcinit --check                         exit 0 if ready, 1 if not (for HEALTHCHECK / exec probes)
          pcinit config [-f FILE]... [--raw]     print the effective config as JSON, or the errors
          pcinit status [--json]                 show services of the running pcinit
          pcinit start|stop|restart NAME...      control services of the running pcinit
          pcinit logs [-f] [-n N] [NAME...]      recent (and, with -f, live) service output
          pcinit --version | --help

        Options:
          -f, --config FILE      config file (repeatable; later files override earlier ones)
          -e, --env FILE         dotenv file for ${VAR} in the config, instead of its .env (repeatable)
              --health-addr ADDR health listener address, e.g. [::]:8558, 127.0.0.1:9000, or off
              --socket PATH      control socket path (default /run/pcinit.sock)

        Environment:
          PCINIT_LOG_LEVEL   error, warn, info (default) or debug
          PCINIT_LOG_FORMAT  text (default) or json (one JSON object per line)
          PCINIT_LOG_TIMESTAMPS  true: text lines start with the time
          PCINIT_GRACE       time between SIGTERM and SIGKILL for leftovers after the command ends (default 5s)
          PCINIT_CONFIG, PCINIT_HEALTH_ADDR, PCINIT_SOCKET, PCINIT_STOP_TIMEOUT: see README

        Exit status: the command's code, 128+N if it died of signal N, 127 not found, 126 not executable,
        2 for usage or config errors.

        """
}
