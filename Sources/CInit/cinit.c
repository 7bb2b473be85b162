#define _GNU_SOURCE
#include "cinit.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int pci_wifexited(int status) { return WIFEXITED(status); }
int pci_wexitstatus(int status) { return WEXITSTATUS(status); }
int pci_wifsignaled(int status) { return WIFSIGNALED(status); }
int pci_wtermsig(int status) { return WTERMSIG(status); }

int pci_signalfd(const sigset_t *mask) { return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC); }
int pci_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
int pci_accept4(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
int pci_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int pci_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int pci_close_range_from(unsigned int first) { return (int)syscall(SYS_close_range, first, ~0U, 0); }

int pci_set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int pci_pipe_capacity(int fd) { return fcntl(fd, F_GETPIPE_SZ); }

int pci_set_nonblock(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int pci_signal_is_ignored(int sig) {
    struct sigaction old;
    if (sigaction(sig, NULL, &old) != 0) return 0;
    return !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN;
}

int pci_ignore_signal(int sig) { return signal(sig, SIG_IGN) == SIG_ERR ? -1 : 0; }
int pci_default_signal(int sig) { return signal(sig, SIG_DFL) == SIG_ERR ? -1 : 0; }

int pci_sigrtmin(void) { return SIGRTMIN; }
int pci_sigrtmax(void) { return SIGRTMAX; }

int pci_spawn(const pci_spawn_request *r, pid_t *pid) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    int err = posix_spawnattr_init(&attr);
    if (err) return err;
    err = posix_spawn_file_actions_init(&actions);
    if (err) { posix_spawnattr_destroy(&attr); return err; }

    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (r->new_process_group) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&attr, 0);
    }
    posix_spawnattr_setflags(&attr, flags);
    posix_spawnattr_setsigmask(&attr, r->child_mask);
    // glibc's spawn child sets its internal signals (32, 33) to SIG_IGN unless they are in the default
    // set, and sigaddset refuses them; set their bits directly so the child matches fork+exec.
    sigset_t defaults = *r->default_signals;
    unsigned long *words = (unsigned long *)&defaults;
    const int bits = 8 * sizeof(unsigned long);
    for (int sig = 32; sig < SIGRTMIN; sig++) words[(sig - 1) / bits] |= 1UL << ((sig - 1) % bits);
    posix_spawnattr_setsigdefault(&attr, &defaults);

    if (r->stdin_fd >= 0) err = err ? err : posix_spawn_file_actions_adddup2(&actions, r->stdin_fd, 0);
    if (r->stdout_fd >= 0) err = err ? err : posix_spawn_file_actions_adddup2(&actions, r->stdout_fd, 1);
    if (r->stderr_fd >= 0) err = err ? err : posix_spawn_file_actions_adddup2(&actions, r->stderr_fd, 2);
    if (r->close_from > 0) err = err ? err : posix_spawn_file_actions_addclosefrom_np(&actions, r->close_from);
    if (r->working_dir) err = err ? err : posix_spawn_file_actions_addchdir_np(&actions, r->working_dir);
    if (r->tty_fd >= 0 && r->new_process_group)
        err = err ? err : posix_spawn_file_actions_addtcsetpgrp_np(&actions, r->tty_fd);

    if (!err) {
        err = r->search_path ? posix_spawnp(pid, r->path, &actions, &attr, r->argv, r->envp)
                             : posix_spawn(pid, r->path, &actions, &attr, r->argv, r->envp);
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return err;
}
