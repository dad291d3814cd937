#ifndef DRIFTCHECK_CSQLITE_SHIM_H
#define DRIFTCHECK_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_db_config is variadic, which Swift cannot call: the integer-flag form.
static inline int driftcheck_sqlite3_config(sqlite3 *db, int option, int value) {
    return sqlite3_db_config(db, option, value, (int *)0);
}

// SQLITE_TRANSIENT is a cast macro Swift cannot import: SQLite copies the bound bytes before the call returns.
static inline sqlite3_destructor_type driftcheck_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}
#endif
