#ifndef DRIFTCHECK_CSQLITE_SHIM_H
#define DRIFTCHECK_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
