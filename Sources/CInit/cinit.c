#define _GNU_SOURCE
#include "cinit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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

int pci_peer_pid(int fd) {
    struct ucred credentials;
    socklen_t size = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return -1;
    return credentials.pid;
}

int pci_set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int pci_pipe_capacity(int fd) { return fcntl(fd, F_GETPIPE_SZ); }

int pci_open_pty(int fds[2], unsigned short rows, unsigned short columns) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return errno;
    char name[128];
    int slave = -1;
    if (grantpt(master) == 0 && unlockpt(master) == 0 && ptsname_r(master, name, sizeof name) == 0)
        slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        int saved = errno ? errno : EIO;
        close(master);
        return saved;
    }
    struct winsize size = {.ws_row = rows, .ws_col = columns};
    ioctl(master, TIOCSWINSZ, &size);
    fds[0] = master;
    fds[1] = slave;
    return 0;
}

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

int pci_get_rlimit(int resource, unsigned long long *soft, unsigned long long *hard) {
    struct rlimit limit;
    if (getrlimit(resource, &limit) != 0) return -1;
    *soft = limit.rlim_cur;
    *hard = limit.rlim_max;
    return 0;
}

int pci_set_rlimit(int resource, unsigned long long soft, unsigned long long hard) {
    struct rlimit limit = {.rlim_cur = soft, .rlim_max = hard};
    return setrlimit(resource, &limit);
}

// The child runs on its own small stack in the parent's memory: AddressSanitizer's shadow bookkeeping for that
// stack would be wrong (and it warns about the stack switch at _exit), so sanitizer builds leave these alone.
#if defined(__has_attribute) && __has_attribute(no_sanitize)
#define PCI_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))
#else
#define PCI_CHILD_CODE
#endif

// What the child reports back through shared memory (CLONE_VM) before the parent resumes (CLONE_VFORK).
struct spawn_child {
    const pci_spawn_request *request;
    int error;
    int step;
    int item;
};

PCI_CHILD_CODE static int child_fail(struct spawn_child *child, int step) {
    child->error = errno ? errno : EINVAL;
    child->step = step;
    _exit(127);
}

// Credentials by raw system call: glibc's setuid/setgid/setgroups wrappers broadcast the change to every thread
// of the process (POSIX semantics), and this child shares the parent's memory and thread list.
PCI_CHILD_CODE static int change_identity(struct spawn_child *child, const pci_spawn_request *r) {
    if (syscall(SYS_setgroups, (size_t)r->group_count, r->groups) != 0)
        return child_fail(child, PCI_SPAWN_STEP_GROUPS);
    if (syscall(SYS_setresgid, r->gid, r->gid, r->gid) != 0) return child_fail(child, PCI_SPAWN_STEP_GROUP_ID);
    if (syscall(SYS_setresuid, r->uid, r->uid, r->uid) != 0) return child_fail(child, PCI_SPAWN_STEP_USER_ID);
    return 0;
}

// dup2 keeps FD_CLOEXEC off the copy, but dup2(fd, fd) is a no-op: then clear the flag by hand.
PCI_CHILD_CODE static int move_fd(int from, int to) {
    if (from < 0) return 0;
    if (from == to) return fcntl(to, F_SETFD, 0);
    return dup2(from, to) < 0 ? -1 : 0;
}

// execvp's rule, on the caller's PATH: try each directory; remember EACCES; stop at other real errors.
PCI_CHILD_CODE static void exec_searching(const pci_spawn_request *r) {
    if (!r->search_path || strchr(r->path, '/')) {
        execve(r->path, r->argv, r->envp);
        return;
    }
    size_t name_length = strlen(r->path);
    char candidate[4096];
    int saw_eacces = 0;
    const char *dir = r->search_path;
    for (;;) {
        const char *end = strchr(dir, ':');
        size_t dir_length = end ? (size_t)(end - dir) : strlen(dir);
        // An empty entry means the current directory.
        if (dir_length + name_length + 2 <= sizeof candidate) {
            size_t at = 0;
            if (dir_length == 0) candidate[at++] = '.';
            memcpy(candidate + at, dir, dir_length);
            at += dir_length;
            candidate[at++] = '/';
            memcpy(candidate + at, r->path, name_length + 1);
            execve(candidate, r->argv, r->envp);
            switch (errno) {
            case EACCES: saw_eacces = 1; break;
            case ENOENT: case ENOTDIR: case ESTALE: case ENODEV: case ETIMEDOUT: break;
            default: return;
            }
        }
        if (!end) break;
        dir = end + 1;
    }
    errno = saw_eacces ? EACCES : ENOENT;
}

PCI_CHILD_CODE static int spawn_child_main(void *argument) {
    struct spawn_child *child = argument;
    const pci_spawn_request *r = child->request;
    errno = 0;
    // Every signal is blocked here (the caller blocks them all), so nothing runs the parent's handlers on
    // this shared memory. Caught signals go back to SIG_DFL (exec would do it, but a signal arriving between
    // unblocking and exec must not run a handler here), and so do the ones asked for. glibc keeps 32 and 33
    // for itself and refuses them; they are SIG_DFL in pcinit anyway.
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33) continue;
        struct sigaction old;
        if (sigaction(sig, NULL, &old) != 0) continue;
        int caught = (old.sa_flags & SA_SIGINFO) || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN);
        if (caught || sigismember(r->default_signals, sig) == 1) {
            struct sigaction dfl;
            memset(&dfl, 0, sizeof dfl);
            dfl.sa_handler = SIG_DFL;
            sigaction(sig, &dfl, NULL);
        }
    }
    if (r->controlling_tty_fd >= 0) {
        // A session of its own (which is also a process group it leads) with the terminal as its controlling one.
        if (setsid() < 0 || ioctl(r->controlling_tty_fd, TIOCSCTTY, 0) != 0)
            return child_fail(child, PCI_SPAWN_STEP_SESSION);
    } else if (r->new_process_group && setpgid(0, 0) != 0) {
        return child_fail(child, PCI_SPAWN_STEP_PROCESS_GROUP);
    }
    // SIGTTOU is blocked, so a background group may take the terminal.
    if (r->tty_fd >= 0 && r->new_process_group && tcsetpgrp(r->tty_fd, getpid()) != 0)
        return child_fail(child, PCI_SPAWN_STEP_TERMINAL);
    if (move_fd(r->stdin_fd, 0) != 0 || move_fd(r->stdout_fd, 1) != 0 || move_fd(r->stderr_fd, 2) != 0)
        return child_fail(child, PCI_SPAWN_STEP_STDIO);
    if (r->close_from > 0) syscall(SYS_close_range, (unsigned int)r->close_from, ~0U, 0);
    // Limits while still privileged (raising a hard limit needs CAP_SYS_RESOURCE); the identity change last of
    // what needs privileges; the working directory after it, so it is entered with the service's permissions.
    for (int i = 0; i < r->rlimit_count; i++) {
        struct rlimit limit = {.rlim_cur = r->rlimits[i].soft, .rlim_max = r->rlimits[i].hard};
        child->item = i;
        if (setrlimit(r->rlimits[i].resource, &limit) != 0) return child_fail(child, PCI_SPAWN_STEP_RLIMIT);
    }
    child->item = -1;
    if (r->umask >= 0) umask((mode_t)r->umask);
    if (r->change_identity) change_identity(child, r);
    if (r->working_dir && chdir(r->working_dir) != 0) return child_fail(child, PCI_SPAWN_STEP_WORKING_DIR);
    if (r->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return child_fail(child, PCI_SPAWN_STEP_NO_NEW_PRIVS);
    sigprocmask(SIG_SETMASK, r->child_mask, NULL);
    exec_searching(r);
    // exec failed: block again so nothing runs before _exit.
    sigset_t all;
    sigfillset(&all);
    int saved = errno;
    sigprocmask(SIG_SETMASK, &all, NULL);
    errno = saved;
    return child_fail(child, PCI_SPAWN_STEP_EXEC);
}

int pci_spawn(const pci_spawn_request *r, pid_t *pid, int *failed_step, int *failed_item) {
    *failed_step = PCI_SPAWN_OK;
    *failed_item = -1;
    // The child's own stack: it must not touch the parent's frames while the parent is suspended in clone.
    // 64 KiB covers exec_searching's path buffer with room to spare; pages are committed only when touched.
    const size_t stack_size = 64 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        *failed_step = PCI_SPAWN_STEP_SETUP;
        return errno;
    }
    struct spawn_child child = {.request = r, .error = 0, .step = PCI_SPAWN_OK, .item = -1};
    pid_t new_pid = clone(spawn_child_main, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
    int clone_errno = errno;
    munmap(stack, stack_size);
    if (new_pid < 0) {
        *failed_step = PCI_SPAWN_STEP_SETUP;
        return clone_errno;
    }
    if (child.error) {
        // The child already _exit(127)ed: reap this one pid here so no failed spawn looks like a service exit.
        int status;
        while (waitpid(new_pid, &status, 0) < 0 && errno == EINTR) {}
        *failed_step = child.step;
        *failed_item = child.step == PCI_SPAWN_STEP_RLIMIT ? child.item : -1;
        return child.error;
    }
    *pid = new_pid;
    return 0;
}

// glibc calls every .init_array function with main's argc, argv and envp (static binaries too): the one way to
// read the command line without Swift's CommandLine, which Embedded Swift lacks.
static int pci_saved_argc;
static char **pci_saved_argv;
__attribute__((constructor)) static void pci_save_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    pci_saved_argc = argc;
    pci_saved_argv = argv;
}
int pci_argc(void) { return pci_saved_argc; }
char **pci_argv(void) { return pci_saved_argv; }

#ifdef PCI_EMBEDDED
// Double(String) in Embedded Swift calls this runtime function, which only the full Swift runtime provides.
// Same contract as that one: parse with the C locale (pcinit never calls setlocale, so strtod's is "C"), store
// the value, return where parsing stopped. Out of range gives what strtod gives (inf, 0), as in normal Swift.
const char *_swift_stdlib_strtod_clocale(const char *text, double *result) {
    char *end;
    *result = strtod(text, &end);
    return end;
}
#endif
