#ifndef DRIFTCHECK_CZLIB_SHIM_H
#define DRIFTCHECK_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro, which Swift cannot call: gzip decoding (window 15, gzip header: 16 + MAX_WBITS).
static inline int driftcheck_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
