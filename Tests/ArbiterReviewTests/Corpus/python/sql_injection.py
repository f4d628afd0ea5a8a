"""Data access helpers for the orders service (mix of unsafe and safe query building)."""
import sqlite3

import pandas as pd
from django.db import connection
from sqlalchemy import text

from .models import Customer


def find_user_fstring(cursor, user_id):
    cursor.execute(f"SELECT * FROM users WHERE id = {user_id}")  # arbiter-expect: PY-SQLI-001
    return cursor.fetchone()


def find_user_percent(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)  # arbiter-expect: PY-SQLI-002
    return cursor.fetchall()


def find_user_concat(cursor, email):
    cursor.execute("SELECT id FROM users WHERE email = '" + email + "'")  # arbiter-expect: PY-SQLI-002
    return cursor.fetchone()


def find_user_format(cursor, status):
    cursor.execute("SELECT id FROM orders WHERE status = '{}'".format(status))  # arbiter-expect: PY-SQLI-002
    return cursor.fetchall()


def search_orders(conn, term, limit):
    query = f"SELECT id, total FROM orders WHERE note LIKE '%{term}%' LIMIT {limit}"  # arbiter-expect: PY-SQLI-003
    cur = conn.cursor()
    cur.execute(query)
    return cur.fetchall()


def delete_order(conn, order_id):
    sql = "DELETE FROM orders WHERE id = %s" % order_id  # arbiter-expect: PY-SQLI-003
    conn.execute(sql)


def rename_customer(conn, cid, new_name):
    stmt = "UPDATE customers SET name = '" + new_name + "' WHERE id = " + str(cid)  # arbiter-expect: PY-SQLI-003
    conn.execute(stmt)


def filter_clause(column, value):
    where = " WHERE " + column + " = '%s'" % value  # arbiter-expect: PY-SQLI-003
    return where


def run_report(conn, table):
    cur = conn.cursor()
    cur.execute(query_template % table)  # arbiter-expect: PY-SQLI-002
    return cur.fetchall()


def raw_customers(region):
    return Customer.objects.raw(f"SELECT * FROM shop_customer WHERE region = '{region}'")  # arbiter-expect: PY-SQLI-001


def sqlalchemy_lookup(session, sku):
    return session.execute(text(f"SELECT * FROM products WHERE sku = '{sku}'"))  # arbiter-expect: PY-SQLI-001


def pandas_export(engine, day):
    return pd.read_sql(f"SELECT * FROM sales WHERE day = '{day}'", engine)  # arbiter-expect: PY-SQLI-001


query_template = "SELECT * FROM %s"


# ---------------------------------------------------------------- safe look-alikes

def find_user_safe(cursor, user_id):
    cursor.execute("SELECT * FROM users WHERE id = %s", (user_id,))
    return cursor.fetchone()


def find_user_named(cursor, name):
    cursor.execute("SELECT * FROM users WHERE name = %(name)s", {"name": name})
    return cursor.fetchone()


def sqlite_safe(path, email):
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchall()
    conn.close()
    return rows


def sqlalchemy_safe(session, sku):
    return session.execute(text("SELECT * FROM products WHERE sku = :sku"), {"sku": sku})


def django_safe(region):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM shop_customer WHERE region = %s", [region])
        return cursor.fetchall()


def static_query(cursor):
    # cursor.execute(f"SELECT * FROM users WHERE id = {uid}") was the old, unsafe version
    cursor.execute("SELECT COUNT(*) FROM users")
    sql = "SELECT id, name FROM users WHERE active = %s"
    cursor.execute(sql, (True,))
    return cursor.fetchone()


def build_message(count):
    note = f"Selected {count} rows from the report"
    label = "Update %s items" % count
    return note + label


def pandas_safe(engine, day):
    return pd.read_sql("SELECT * FROM sales WHERE day = %(day)s", engine, params={"day": day})
