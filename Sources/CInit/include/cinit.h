// C shim for pcinit: only what Swift cannot call directly (macros, _GNU_SOURCE and _np functions,
// variadic or inline-only APIs). Every symbol is prefixed `pci_`; each says why it exists.
#ifndef CINIT_H
#define CINIT_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

// Wait-status macros are macros, invisible to Swift.
int pci_wifexited(int status);
int pci_wexitstatus(int status);
int pci_wifsignaled(int status);
int pci_wtermsig(int status);

// signalfd, epoll, accept4, pipe2, prctl need _GNU_SOURCE or are variadic.
int pci_signalfd(const sigset_t *mask);
int pci_epoll_create(void);
int pci_accept4(int fd, struct sockaddr *addr, socklen_t *len);
int pci_pipe2(int fds[2], int flags);
int pci_set_child_subreaper(void);
int pci_close_range_from(unsigned int first);
// fcntl is variadic, and F_GETPIPE_SZ needs _GNU_SOURCE.
int pci_pipe_capacity(int fd);
int pci_set_cloexec(int fd);
int pci_set_nonblock(int fd);

// posix_spawn `_np` extensions (chdir, tcsetpgrp, closefrom) need _GNU_SOURCE; the attr/actions
// types are opaque handles so Swift never sees glibc's private layout.
typedef struct pci_spawn_request {
    const char *path;              // program; looked up on PATH when `search_path` is set
    char *const *argv;
    char *const *envp;
    const char *working_dir;       // NULL: inherit
    int search_path;
    int new_process_group;         // setpgid(0, 0)
    int tty_fd;                    // >= 0: make the child the foreground group of this terminal
    int stdin_fd, stdout_fd, stderr_fd;  // -1: inherit
    int close_from;                // > 0: close every fd >= this in the child
    const sigset_t *child_mask;    // signal mask the child starts with
    const sigset_t *default_signals;  // signals reset to SIG_DFL in the child
} pci_spawn_request;

// Returns 0 and sets *pid, or an errno value (ENOENT/EACCES from exec are reported synchronously).
int pci_spawn(const pci_spawn_request *request, pid_t *pid);

// SIG_IGN/SIG_DFL are casts of integers to function pointers: macros Swift cannot import.
int pci_signal_is_ignored(int sig);
int pci_ignore_signal(int sig);
int pci_default_signal(int sig);

// sigset_t helpers: sigaddset and friends are fine in Swift, but the full-set constant is not.
int pci_sigrtmin(void);
int pci_sigrtmax(void);

#endif
