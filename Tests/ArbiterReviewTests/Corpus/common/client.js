'use strict';

const API_BASE = 'http://billing.acme-corp.io/api';  // arbiter-expect: GEN-NET-001
const SECURE_BASE = 'https://billing.acme-corp.io/api';
const DEV_BASE = `http://localhost:${process.env.PORT || 3000}`;

const defaultHeaders = {
  Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiaWxsaW5nIn0.c2lnbmF0dXJl',  // arbiter-expect: GEN-AUTH-001
  'Content-Type': 'application/json',
};

function headersFor(token) {
  return { Authorization: `Bearer ${token}` };
}

function normalize(url) {
  // Upgrade anything that still starts with http:// to HTTPS.
  return url.replace(/^http:\/\//, 'https://');
}

// XXX: sanitize the invoice note before rendering it  // arbiter-expect: GEN-TODO-001
function renderNote(note) {
  // TODO: handle empty notes
  return String(note);
}

module.exports = { API_BASE, SECURE_BASE, DEV_BASE, defaultHeaders, headersFor, normalize, renderNote };
