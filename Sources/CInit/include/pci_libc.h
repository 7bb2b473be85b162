// The C library as pcinit's Swift sees it, in both build modes. Embedded Swift has no `Glibc` module, so every
// Swift file imports CInit instead, and this header brings in the glibc headers those files use, plus what the
// Glibc overlay used to add on top of them: `errno` (a macro), the variadic open and ioctl, `environ`.
// Every symbol is prefixed `pci_`.
#ifndef PCI_LIBC_H
#define PCI_LIBC_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

// errno is a macro over a thread-local location.
static inline int pci_errno(void) { return errno; }
static inline void pci_set_errno(int value) { errno = value; }

// Variadic in C, so not callable from Swift; each takes exactly the arguments pcinit passes.
static inline int pci_open(const char *path, int flags, mode_t mode) { return open(path, flags, mode); }
static inline int pci_ioctl_pointer(int fd, unsigned long request, void *argument) {
    return ioctl(fd, request, argument);
}

// Where sun_path starts in a sockaddr_un: the length of a unix socket address is that plus the path's bytes
// (Swift's MemoryLayout.offset(of:) takes a key path, which Embedded Swift has no support for).
static inline int pci_sun_path_offset(void) { return (int)offsetof(struct sockaddr_un, sun_path); }

// The process environment (a global Swift cannot name without the overlay).
static inline char **pci_environ(void) { return __environ; }

#endif
