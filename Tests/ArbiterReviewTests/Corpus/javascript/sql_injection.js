'use strict';

const mysql = require('mysql2/promise');
const { Pool } = require('pg');
const knex = require('knex')({ client: 'pg' });
const { sequelize } = require('./models');

const pool = new Pool();

// Vulnerable: values interpolated or concatenated into SQL text.
async function findUserByName(conn, name) {
  const [rows] = await conn.query(`SELECT * FROM users WHERE name = '${name}'`); // arbiter-expect: JS-SQLI-001
  return rows[0];
}

async function deleteOrder(req, res) {
  await pool.query("DELETE FROM orders WHERE id = " + req.params.id); // arbiter-expect: JS-SQLI-002
  res.sendStatus(204);
}

async function searchProducts(term, sort) {
  const sql = "SELECT id, title FROM products WHERE title LIKE '%" + term + "%'"; // arbiter-expect: JS-SQLI-003
  const ordered = sql + ' ORDER BY ' + sort;
  return pool.query(ordered);
}

async function updateEmail(userId, email) {
  const stmt = `UPDATE users SET email = '${email}' WHERE id = ${userId}`; // arbiter-expect: JS-SQLI-003
  return pool.query(stmt);
}

async function rawReport(from) {
  return sequelize.query(`SELECT * FROM audit WHERE created_at > '${from}'`, { type: 'SELECT' }); // arbiter-expect: JS-SQLI-001
}

function filterByStatus(status) {
  return knex('tickets').whereRaw(`status = '${status}'`); // arbiter-expect: JS-SQLI-001
}

async function legacyLookup(conn, login) {
  let q = 'SELECT id FROM accounts';
  q += " WHERE login = '" + login + "'"; // arbiter-expect: JS-SQLI-003
  return conn.execute(q);
}

async function prismaLookup(prisma, email) {
  return prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE email = '${email}'`); // arbiter-expect: JS-SQLI-001
}

async function countBy(conn, column) {
  return conn.query('SELECT COUNT(*) FROM events GROUP BY ' + column); // arbiter-expect: JS-SQLI-002
}

// Safe: placeholders, constant SQL, tagged templates that parameterize.
async function findUserSafe(conn, name) {
  const [rows] = await conn.query('SELECT * FROM users WHERE name = ?', [name]);
  return rows[0];
}

async function deleteOrderSafe(req, res) {
  await pool.query('DELETE FROM orders WHERE id = $1', [req.params.id]);
  res.sendStatus(204);
}

async function prismaSafe(prisma, email) {
  return prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`;
}

async function reportSafe(from) {
  return sequelize.query('SELECT * FROM audit WHERE created_at > :from', {
    replacements: { from },
    type: 'SELECT',
  });
}

function filterSafe(status) {
  return knex('tickets').whereRaw('status = ?', [status]);
}

async function listTables(conn) {
  // Old code used: conn.query(`SELECT * FROM ${table}`) -- removed.
  const tableSql = `SELECT table_name FROM information_schema.tables`;
  return conn.query(tableSql);
}

function describe() {
  const help = 'Please select an option from the menu: ' + menuName();
  return help;
}

function menuName() {
  return 'main';
}

module.exports = {
  findUserByName, deleteOrder, searchProducts, updateEmail, rawReport, filterByStatus,
  legacyLookup, prismaLookup, countBy, findUserSafe, deleteOrderSafe, prismaSafe, reportSafe,
  filterSafe, listTables, describe,
};
