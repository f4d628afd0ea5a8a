const express = require('express');
const session = require('express-session');
const crypto = require('crypto');
const libxmljs = require('libxmljs');
const nodemailer = require('nodemailer');
const escapeRegExp = require('lodash.escaperegexp');

const app = express();

app.use(session({
  secret: process.env.SESSION_SECRET,
  resave: false,
  saveUninitialized: false,
  cookie: { secure: false, maxAge: 3600000 }, // arbiter-expect: JS-COOKIE-001
}));

app.post('/login', (req, res) => {
  const token = crypto.randomBytes(32).toString('hex');
  res.cookie('auth', token, { httpOnly: false, sameSite: 'lax' }); // arbiter-expect: JS-COOKIE-001
  res.cookie('auth2', token, { httpOnly: true, secure: true, sameSite: 'strict' });
  res.sendStatus(204);
});

const mailer = nodemailer.createTransport({
  host: 'smtp.example.com',
  port: 587,
  secure: false,
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },
});

app.get('/search', (req, res) => {
  const re = new RegExp(req.query.q, 'i'); // arbiter-expect: JS-REDOS-001
  const safe = new RegExp(escapeRegExp(req.query.q), 'i');
  const fixed = new RegExp('^[a-z0-9-]+$');
  res.json({ re: String(re), safe: String(safe), fixed: fixed.test(req.query.q) });
});

app.post('/import', express.text({ type: 'application/xml' }), (req, res) => {
  const doc = libxmljs.parseXml(req.body, { noent: true }); // arbiter-expect: JS-XXE-001
  const safeDoc = libxmljs.parseXml(req.body, { noent: false, nonet: true });
  res.json({ root: doc.root().name(), safeRoot: safeDoc.root().name() });
});

function legacyNonce() {
  return crypto.pseudoRandomBytes(16).toString('hex'); // arbiter-expect: JS-RAND-001
}

function nonce() {
  return crypto.randomBytes(16).toString('hex');
}

module.exports = { app, mailer, legacyNonce, nonce };
