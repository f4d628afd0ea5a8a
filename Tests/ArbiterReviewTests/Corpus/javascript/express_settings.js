const express = require('express');
const cors = require('cors');
const _ = require('lodash');

const app = express();
app.use(express.json());

// ---- prototype pollution
app.post('/settings', (req, res) => {
  const settings = _.merge({}, req.session.settings, req.body); // arbiter-expect: JS-PROTO-001
  req.session.settings = settings;
  res.json(settings);
});

app.post('/prefs', (req, res) => {
  const prefs = {};
  prefs[req.body.key] = req.body.value; // arbiter-expect: JS-PROTO-001
  res.json(prefs);
});

app.post('/profile', (req, res) => {
  const picked = _.pick(req.body, ['displayName', 'bio']);
  res.json(Object.assign({}, picked));
});

function deepMerge(target, source) {
  for (const key of Object.keys(source)) {
    if (typeof source[key] === 'object') {
      target[key] = deepMerge(target[key] || {}, source[key]); // arbiter-expect: JS-PROTO-002
    } else {
      target[key] = source[key];
    }
  }
  return target;
}

function safeMerge(target, source) {
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor') continue;
    if (Object.hasOwn(source, key)) target[key] = source[key];
  }
  return target;
}

// ---- CORS header reflection
app.use('/api', (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin); // arbiter-expect: JS-CORS-001
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  next();
});

app.use('/public', cors({ origin: 'https://app.example.com', credentials: true }));

module.exports = { app, deepMerge, safeMerge };
