#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mysql/mysql.h>
#include <sqlite3.h>
#include <libpq-fe.h>
#include "db_config.h"

/* Vulnerable: hard-coded credentials. */
MYSQL *connect_reporting(void)
{
    const char *password = "hunter22";  // arbiter-expect: C-SECRET-001
    MYSQL *conn = mysql_init(NULL);
    return mysql_real_connect(conn, DB_HOST, DB_USER, "R3p0rt!ng2023", "reports", 3306, NULL, 0);  // arbiter-expect: C-SECRET-001
}

PGconn *connect_analytics(void)
{
    return PQconnectdb("host=db.internal dbname=analytics user=etl password=Etl#2023");  // arbiter-expect: C-SECRET-001
}

PGconn *connect_analytics_safely(const char *conninfo)
{
    /* The password comes from PGPASSFILE / PGPASSWORD, never from the source. */
    return PQconnectdb(conninfo);
}

/* Vulnerable: SQL built with sprintf and executed as text. */
int delete_user(sqlite3 *db, const char *name)
{
    char sql[256];
    char *err = NULL;
    snprintf(sql, sizeof sql, "DELETE FROM users WHERE name = '%s'", name);  // arbiter-expect: C-SQLI-001
    return sqlite3_exec(db, sql, NULL, NULL, &err);  // arbiter-expect: C-SQLI-002
}

int find_orders(MYSQL *conn, const char *customer)
{
    char query[512];
    sprintf(query, "SELECT id, total FROM orders WHERE customer = '%s'", customer);  // arbiter-expect: C-BOF-003, C-SQLI-001
    return mysql_query(conn, query);  // arbiter-expect: C-SQLI-002
}

/* Safe: credentials from the environment, prepared statements. */
MYSQL *connect_reporting_safely(void)
{
    const char *password = getenv(DB_PASSWORD_ENV);
    MYSQL *conn = mysql_init(NULL);
    return mysql_real_connect(conn, DB_HOST, DB_USER, password, "reports", 3306, NULL, 0);
}

int delete_user_safely(sqlite3 *db, const char *name)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, "DELETE FROM users WHERE name = ?", -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc;
}

int create_schema(sqlite3 *db)
{
    return sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)", NULL, NULL, NULL);
}

char *quoted_lookup(const char *name)
{
    /* %q escapes quotes, so this is safe. */
    return sqlite3_mprintf("SELECT id FROM users WHERE name = %Q", name);
}

void page_query(char *out, size_t n, int limit, int offset)
{
    snprintf(out, n, "SELECT id FROM users ORDER BY id LIMIT %d OFFSET %d", limit, offset);
}
