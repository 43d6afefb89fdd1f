/* schema_sql — the SQL files of the schema directory compiled into the binary by
 * tools/embed-schema.sh (build/schema_sql.c).  Read by store.c only. */
#ifndef BEISHEN_SCHEMA_SQL_H
#define BEISHEN_SCHEMA_SQL_H

struct schema_migration {
    int version;          /* the file's numeric prefix: PRAGMA user_version after it */
    const char *file;     /* schema/NNN_name.sql, for error messages */
    const char *sql;
};

extern const struct schema_migration schema_migrations[];
extern const int schema_migration_count;

#endif
