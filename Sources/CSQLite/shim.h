#ifndef DRIFTCHECK_CSQLITE_SHIM_H
#define DRIFTCHECK_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call: the integer-flag form.
static inline int driftcheck_sqlite3_config(sqlite3 *db, int option, int value) {
    return sqlite3_db_config(db, option, value, (int *)0);
}
#endif
