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
#include <sys/resource.h>

#include "pci_libc.h"

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
// struct ucred (SO_PEERCRED) needs _GNU_SOURCE: the pid at the other end of a unix socket, or -1.
int pci_peer_pid(int fd);
// fcntl is variadic, and F_GETPIPE_SZ needs _GNU_SOURCE.
int pci_pipe_capacity(int fd);
int pci_set_cloexec(int fd);
int pci_set_nonblock(int fd);
// prlimit-free wrappers: Swift sees `__rlimit_resource_t`, an enum it cannot build from RLIMIT_* ints.
int pci_get_rlimit(int resource, unsigned long long *soft, unsigned long long *hard);
int pci_set_rlimit(int resource, unsigned long long soft, unsigned long long hard);

// Starting a child: our own clone(CLONE_VM|CLONE_VFORK) + exec, because the child needs work between fork and
// exec that posix_spawn cannot express (resource limits, user and groups, umask, no_new_privs). The child runs
// only async-signal-safe calls on its own stack while the parent waits, as glibc's posix_spawn does.
typedef struct pci_rlimit_setting {
    int resource;                  // RLIMIT_NOFILE, ...
    unsigned long long soft, hard;
} pci_rlimit_setting;

typedef struct pci_spawn_request {
    const char *path;              // program; looked up on `search_path` unless it contains a slash
    char *const *argv;
    char *const *envp;
    const char *working_dir;       // NULL: inherit
    const char *search_path;       // NULL: no PATH search; else a PATH value (the caller's, as posix_spawnp)
    int new_process_group;         // setpgid(0, 0)
    int tty_fd;                    // >= 0: make the child the foreground group of this terminal
    int stdin_fd, stdout_fd, stderr_fd;  // -1: inherit
    int close_from;                // > 0: close every fd >= this in the child
    const sigset_t *child_mask;    // signal mask the child starts with
    const sigset_t *default_signals;  // signals reset to SIG_DFL in the child (caught ones always are)
    const pci_rlimit_setting *rlimits;  // applied in the child, in order
    int rlimit_count;
    int umask;                     // -1: inherit; else the child's umask (0...0777)
    int change_identity;           // 1: setgroups(groups), setresgid(gid), setresuid(uid), after the limits
    uid_t uid;
    gid_t gid;
    const gid_t *groups;           // supplementary groups (may be empty: drops the caller's)
    int group_count;
    int no_new_privileges;         // 1: prctl(PR_SET_NO_NEW_PRIVS): exec can never gain privileges
    int controlling_tty_fd;        // >= 0: setsid() (instead of setpgid) and make this terminal the controlling one
} pci_spawn_request;

// Which step of the child's set-up failed, so the error can name it.
enum {
    PCI_SPAWN_OK = 0,
    PCI_SPAWN_STEP_SETUP,          // clone itself, or the child's stack
    PCI_SPAWN_STEP_PROCESS_GROUP,
    PCI_SPAWN_STEP_TERMINAL,
    PCI_SPAWN_STEP_STDIO,
    PCI_SPAWN_STEP_WORKING_DIR,
    PCI_SPAWN_STEP_RLIMIT,
    PCI_SPAWN_STEP_EXEC,
    PCI_SPAWN_STEP_GROUPS,         // setgroups
    PCI_SPAWN_STEP_GROUP_ID,       // setresgid
    PCI_SPAWN_STEP_USER_ID,        // setresuid
    PCI_SPAWN_STEP_NO_NEW_PRIVS,
    PCI_SPAWN_STEP_SESSION,        // setsid or TIOCSCTTY for a controlling terminal
};

// Returns 0 and sets *pid, or an errno value and sets *failed_step (a failed child is already reaped) and
// *failed_item (for PCI_SPAWN_STEP_RLIMIT: the index of the limit that failed; else -1).
int pci_spawn(const pci_spawn_request *request, pid_t *pid, int *failed_step, int *failed_item);

// posix_openpt/grantpt/unlockpt/ptsname_r are hidden from Swift's Glibc (_XOPEN_SOURCE) and TIOCSWINSZ needs the
// variadic ioctl: opens a pseudo-terminal pair (both ends close-on-exec, the slave not our controlling terminal)
// with the given window size. Returns 0 and sets fds[0] (master) and fds[1] (slave), or an errno value.
int pci_open_pty(int fds[2], unsigned short rows, unsigned short columns);

// SIG_IGN/SIG_DFL are casts of integers to function pointers: macros Swift cannot import.
int pci_signal_is_ignored(int sig);
int pci_ignore_signal(int sig);
int pci_default_signal(int sig);

// sigset_t helpers: sigaddset and friends are fine in Swift, but the full-set constant is not.
int pci_sigrtmin(void);
int pci_sigrtmax(void);

// The command line, kept by a start-up constructor (Embedded Swift has no CommandLine).
int pci_argc(void);
char **pci_argv(void);

#endif
