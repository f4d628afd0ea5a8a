const express = require('express');
const fs = require('fs');
const path = require('path');
const axios = require('axios');
const cors = require('cors');
const escapeHtml = require('escape-html');

const app = express();
const UPLOADS = path.join(__dirname, 'uploads');
const ALLOWED_REDIRECTS = new Set(['/home', '/account']);

app.use(cors({ origin: true, credentials: true })); // arbiter-expect: JS-CORS-001
app.use(express.json());

// ---- open redirect
app.get('/login/callback', (req, res) => {
  res.redirect(req.query.next); // arbiter-expect: JS-REDIRECT-001
});

app.get('/logout', (req, res) => {
  const next = ALLOWED_REDIRECTS.has(req.query.next) ? req.query.next : '/home';
  res.redirect(next);
});

app.get('/go', (req, res) => {
  res.redirect(302, '/dashboard');
});

// ---- path traversal
app.get('/files/:name', (req, res) => {
  fs.readFile(path.join(UPLOADS, req.params.name), (err, data) => { // arbiter-expect: JS-PATH-001
    if (err) return res.sendStatus(404);
    res.type('application/octet-stream').send(data);
  });
});

app.get('/download', (req, res) => {
  res.download(UPLOADS + '/' + req.query.file); // arbiter-expect: JS-PATH-001
});

app.get('/avatar/:user', (req, res) => {
  const file = path.join(UPLOADS, 'avatars', req.params.user + '.png'); // arbiter-expect: JS-PATH-001
  res.sendFile(file);
});

app.get('/static/:name', (req, res) => {
  res.sendFile(req.params.name, { root: UPLOADS });
});

app.get('/thumb/:name', (req, res) => {
  const safeName = path.basename(req.params.name);
  fs.createReadStream(path.join(UPLOADS, safeName)).pipe(res);
});

app.get('/doc/:name', (req, res) => {
  const target = path.join(UPLOADS, path.basename(req.params.name));
  res.sendFile(target);
});

// ---- SSRF
app.get('/proxy', async (req, res) => {
  const upstream = await axios.get(req.query.url); // arbiter-expect: JS-SSRF-001
  res.send(upstream.data);
});

app.post('/webhook/test', async (req, res) => {
  const r = await fetch(`http://${req.body.host}/health`); // arbiter-expect: JS-SSRF-001
  res.json({ status: r.status });
});

app.get('/weather', async (req, res) => {
  const city = encodeURIComponent(req.query.city);
  const r = await axios.get(`https://api.weather.example/v1?q=${city}`);
  res.json(r.data);
});

// ---- reflected XSS
app.get('/hello', (req, res) => {
  res.send(`<h1>Hello ${req.query.name}</h1>`); // arbiter-expect: JS-XSS-005
});

app.get('/search', (req, res) => {
  res.status(200).send('<p>No results for ' + req.query.q + '</p>'); // arbiter-expect: JS-XSS-005
});

app.get('/hello-safe', (req, res) => {
  res.send(`<h1>Hello ${escapeHtml(req.query.name)}</h1>`);
});

app.get('/echo', (req, res) => {
  res.json({ query: req.query });
});

module.exports = { app };
