#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro cast that Swift cannot import.
static inline sqlite3_destructor_type shim_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. Without memory
// statistics SQLite's malloc and free skip a global mutex; nothing here reads
// them. Must run before the first connection opens (then SQLITE_MISUSE).
static inline int shim_sqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
