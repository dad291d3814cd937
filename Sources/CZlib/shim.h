#ifndef DRIFTCHECK_CZLIB_SHIM_H
#define DRIFTCHECK_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 and deflateInit2 are macros, which Swift cannot call.
// gzip decoding (window 15, gzip header: 16 + MAX_WBITS).
static inline int driftcheck_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}

// gzip encoding at `level`, window 15, default memory, no file name or time in the header, so the same bytes always
// give the same output.
static inline int driftcheck_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
#endif
