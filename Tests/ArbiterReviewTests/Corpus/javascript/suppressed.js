const { execSync } = require('child_process');
const crypto = require('crypto');

// Build tooling only: the argument is a constant list of package names from package.json.
function installPeers(names) {
  // arbiter:ignore JS-CMDI-001 names come from our own package.json, never from users
  return execSync('npm install --no-save ' + names.join(' '));
}

function etag(body) {
  return crypto.createHash('md5').update(body).digest('hex'); // arbiter:ignore JS-CRYPTO-001 cache key, not security
}

function etagReported(body) {
  return crypto.createHash('md5').update(body).digest('hex'); // arbiter-expect: JS-CRYPTO-001
}

module.exports = { installPeers, etag, etagReported };
