#!/bin/sh
# Turn schema/NNN_name.sql files into a C array of {version, sql} so the
# binary carries its own schema.  The version is the file's numeric prefix.
echo '/* Generated from the schema directory by tools/embed-schema.sh: do not edit. */'
echo '#include "store/schema_sql.h"'
echo 'const struct schema_migration schema_migrations[] = {'
for f in "$@"; do
  v=$(basename "$f" | sed 's/^0*\([0-9][0-9]*\)_.*/\1/')
  echo "  { $v, \"$f\","
  sed 's/\\/\\\\/g; s/"/\\"/g; s/^/    "/; s/$/\\n"/' "$f"
  echo '  },'
done
echo '};'
echo "const int schema_migration_count = $#;"
