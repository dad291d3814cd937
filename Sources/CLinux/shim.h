#ifndef DRIFTCHECK_CLINUX_SHIM_H
#define DRIFTCHECK_CLINUX_SHIM_H

// Linux calls that Swift's Glibc module does not export: extended attributes and statfs.
#include <sys/types.h>
#include <sys/xattr.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <unistd.h>

// Lowers this process's CPU and I/O priority for scans on production hosts: nice 19 and the idle I/O class
// (ioprio_set has no glibc wrapper). Threads started afterwards inherit both.
static inline int driftcheck_be_nice(void) {
    int failed = setpriority(PRIO_PROCESS, 0, 19);
    // IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_IDLE = 3 << IOPRIO_CLASS_SHIFT (13)
    if (syscall(SYS_ioprio_set, 1, 0, 3 << 13) != 0) failed = -1;
    return failed;
}

// A process holding a private key never dumps core: the key would land in the core file.
static inline int driftcheck_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_CORE, &none);
}

// lseek's SEEK_DATA and SEEK_HOLE (Linux 3.1) are declared only under _GNU_SOURCE, which this module cannot set.
enum { DRIFTCHECK_SEEK_DATA = 3, DRIFTCHECK_SEEK_HOLE = 4 };

// open's O_NOATIME (Linux 2.6.8), likewise declared only under _GNU_SOURCE: 01000000 on every Linux architecture
// but alpha, parisc and sparc, which Swift does not target.
enum { DRIFTCHECK_O_NOATIME = 01000000 };

static inline ssize_t driftcheck_fgetxattr(int fd, const char *name, void *value, size_t size) {
    return fgetxattr(fd, name, value, size);
}

static inline int driftcheck_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags) {
    return fsetxattr(fd, name, value, size, flags);
}

static inline long driftcheck_fstatfs_type(int fd, int *failed) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) { *failed = 1; return 0; }
    *failed = 0;
    return (long)info.f_type;
}

#endif
