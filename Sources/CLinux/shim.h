#ifndef DRIFTCHECK_CLINUX_SHIM_H
#define DRIFTCHECK_CLINUX_SHIM_H

// Linux calls that Swift's Glibc module does not export: extended attributes and statfs.
#include <sys/types.h>
#include <sys/xattr.h>
#include <sys/vfs.h>

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
