const serialize = require('node-serialize');
const yaml = require('js-yaml');
const User = require('../models/user');

// ---- NoSQL injection
async function login(req, res) {
  const user = await User.findOne({ email: req.body.email, password: req.body.password }); // arbiter-expect: JS-NOSQLI-002
  if (!user) return res.status(401).end();
  return res.json({ id: user.id });
}

async function search(req, res) {
  const docs = await User.find(req.query); // arbiter-expect: JS-NOSQLI-002
  res.json(docs);
}

async function byAge(minAge) {
  return User.find({ $where: 'this.age > ' + minAge }); // arbiter-expect: JS-NOSQLI-001
}

async function loginSafe(req, res) {
  const email = String(req.body.email);
  const user = await User.findOne({ email });
  return res.json({ ok: Boolean(user) });
}

async function byAgeSafe(minAge) {
  return User.find({ age: { $gt: Number(minAge) } });
}

// ---- deserialization
function restoreSession(req) {
  const raw = Buffer.from(req.cookies.profile, 'base64').toString();
  return serialize.unserialize(raw); // arbiter-expect: JS-DESER-001
}

function loadConfig(text) {
  return yaml.load(text); // arbiter-expect: JS-DESER-002
}

function loadConfigSafe(text) {
  return yaml.load(text, { schema: yaml.JSON_SCHEMA });
}

function restoreSafe(req) {
  return JSON.parse(req.cookies.profile);
}

module.exports = {
  login, search, byAge, loginSafe, byAgeSafe, restoreSession, loadConfig, loadConfigSafe, restoreSafe,
};
