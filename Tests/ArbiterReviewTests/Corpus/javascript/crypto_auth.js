const crypto = require('crypto');
const https = require('https');
const jwt = require('jsonwebtoken');
const mongoose = require('mongoose');
const logger = require('./logger');

// ---- hashing
function hashPassword(password) {
  return crypto.createHash('md5').update(password).digest('hex'); // arbiter-expect: JS-CRYPTO-001
}

function legacySignature(body) {
  return crypto.createHash('SHA1').update(body).digest('base64'); // arbiter-expect: JS-CRYPTO-001
}

function fingerprint(body) {
  return crypto.createHash('sha256').update(body).digest('hex');
}

function hashPasswordSafe(password, salt) {
  return crypto.scryptSync(password, salt, 64).toString('hex');
}

// ---- ciphers
function encryptLegacy(text, passphrase) {
  const cipher = crypto.createCipher('aes-256-cbc', passphrase); // arbiter-expect: JS-CRYPTO-002
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function encryptDes(text, key, iv) {
  const cipher = crypto.createCipheriv('des-ede3-cbc', key, iv); // arbiter-expect: JS-CRYPTO-003
  return cipher.update(text, 'utf8', 'hex') + cipher.final('hex');
}

function encryptEcb(text, key) {
  const cipher = crypto.createCipheriv('aes-128-ecb', key, null); // arbiter-expect: JS-CRYPTO-003
  return Buffer.concat([cipher.update(text), cipher.final()]);
}

function encryptGcm(text, key) {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return { iv, data, tag: cipher.getAuthTag() };
}

// ---- randomness
function newResetToken() {
  const resetToken = Math.random().toString(36).slice(2); // arbiter-expect: JS-RAND-001
  return resetToken;
}

function issueSession(user) {
  return { user: user.id, sessionId: Math.floor(Math.random() * 1e12).toString(16) }; // arbiter-expect: JS-RAND-001
}

function newResetTokenSafe() {
  const resetToken = crypto.randomBytes(32).toString('hex');
  return resetToken;
}

function jitterMs() {
  const delay = Math.random() * 250;
  return delay;
}

// ---- TLS
const insecureAgent = new https.Agent({ rejectUnauthorized: false }); // arbiter-expect: JS-TLS-001
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // arbiter-expect: JS-TLS-001
const strictAgent = new https.Agent({ rejectUnauthorized: true, ca: process.env.CA_BUNDLE });

// ---- hard-coded secrets
const config = {
  dbUser: 'app',
  dbPassword: 'S3cure!Passw0rd', // arbiter-expect: JS-SECRET-001
  stripeApiKey: process.env.STRIPE_API_KEY,
  passwordMinLength: 12,
};
const API_KEY = 'sk_live_51HxYzAbCdEf0123456789'; // arbiter-expect: SEC-STRIPE-001
const messages = { password: 'Password is required', passwordHint: 'Use 12 characters' };
const form = { type: 'password', password: '' };

mongoose.connect('mongodb://admin:hunter22@db.internal:27017/app'); // arbiter-expect: SEC-DBURL-001
mongoose.connect(process.env.MONGO_URL || 'mongodb://localhost:27017/app');

// ---- JWT
function issueToken(user) {
  return jwt.sign({ sub: user.id }, 'my-super-secret', { expiresIn: '1h' }); // arbiter-expect: JS-SECRET-002
}

function readToken(token) {
  return jwt.verify(token, process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256', 'none'] }); // arbiter-expect: JS-JWT-001
}

function currentUser(req) {
  const claims = jwt.decode(req.headers.authorization.split(' ')[1]); // arbiter-expect: JS-JWT-002
  return claims.sub;
}

function readTokenSafe(token) {
  return jwt.verify(token, process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256'] });
}

function issueTokenSafe(user) {
  return jwt.sign({ sub: user.id, role: 'member' }, process.env.JWT_SECRET, { expiresIn: '1h' });
}

// ---- logging secrets
function onLogin(user, password) {
  logger.info('login attempt', user.email, password); // arbiter-expect: JS-LOG-001
  console.log('login for', user.email);
  console.log('Invalid password for user', user.id);
}

module.exports = {
  hashPassword, legacySignature, fingerprint, hashPasswordSafe, encryptLegacy, encryptDes,
  encryptEcb, encryptGcm, newResetToken, issueSession, newResetTokenSafe, jitterMs, insecureAgent,
  strictAgent, config, API_KEY, messages, form, issueToken, readToken, currentUser, readTokenSafe,
  issueTokenSafe, onLogin,
};
