// A large guest for the deploy benchmark: SQLite (the amalgamation, compiled in) answers a
// CGI request by running a small query on an in-memory database.
#include <stdio.h>
#include <stdlib.h>

#include "sqlite3.h"

static int print_row(void* unused, int columns, char** values, char** names) {
  for (int i = 0; i < columns; ++i) {
    printf("%s%s=%s", i ? " " : "", names[i], values[i] ? values[i] : "NULL");
  }
  printf("\n");
  return 0;
}

int main(void) {
  sqlite3* db = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
    printf("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nopen failed\n");
    return 0;
  }
  const char* query = getenv("QUERY_STRING");
  printf("Content-Type: text/plain\r\n\r\n");
  printf("query=%s\n", query ? query : "");
  const char* sql =
      "CREATE TABLE t(n INTEGER PRIMARY KEY, sq INTEGER);"
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100)"
      "  INSERT INTO t SELECT x, x * x FROM c;"
      "SELECT sqlite_version() AS version, count(*) AS rows, sum(sq) AS total FROM t;";
  char* error = NULL;
  if (sqlite3_exec(db, sql, print_row, NULL, &error) != SQLITE_OK) {
    printf("error=%s\n", error ? error : "unknown");
    sqlite3_free(error);
  }
  sqlite3_close(db);
  return 0;
}
