// Utility helpers used by the reporting jobs.

function isMissing(value) {
  return value === NaN; // arbiter-expect: JS-BUG-001
}

function isMissingSafe(value) {
  return Number.isNaN(value);
}

function sumAll(values) {
  let total = 0;
  for (const i in values) { // arbiter-expect: JS-BUG-002
    total += values[i];
  }
  return total;
}

function copyOptions(options) {
  const out = {};
  for (const key in options) {
    if (key === 'secure') out.tls = { rejectUnauthorized: options.strict ? !!options.rejectUnauthorized : true };
    if (Object.prototype.hasOwnProperty.call(options, key)) out[key] = options[key];
  }
  return out;
}

async function notifyAll(users, mailer) {
  users.forEach(async (user) => { // arbiter-expect: JS-BUG-003
    await mailer.send(user.email, 'Weekly digest');
  });
}

async function notifyAllSafe(users, mailer) {
  await Promise.all(users.map(async (user) => mailer.send(user.email, 'Weekly digest')));
  for (const user of users) {
    await mailer.log(user.id);
  }
}

function loadReport(db, id) {
  return new Promise(async (resolve, reject) => { // arbiter-expect: JS-BUG-004
    const row = await db.get(id);
    if (!row) reject(new Error('missing'));
    resolve(row);
  });
}

function loadReportSafe(db, id) {
  return new Promise((resolve, reject) => {
    db.get(id).then(resolve, reject);
  });
}

function checkRole(user) {
  if (user.role = 'admin') { // arbiter-expect: JS-BUG-005
    return true;
  }
  let match;
  if (match = user.email.match(/@(.+)$/)) {
    return match[1] === 'example.com';
  }
  if (user.role === 'owner') {
    return true;
  }
  return false;
}

function cloneState(state) {
  return JSON.parse(JSON.stringify(state)); // arbiter-expect: JS-PERF-001
}

function cloneStateSafe(state) {
  return structuredClone(state);
}

function hasOverdue(invoices) {
  return invoices.filter((inv) => inv.dueDate < Date.now()).length > 0; // arbiter-expect: JS-PERF-002
}

function firstOverdue(invoices) {
  return invoices.filter((inv) => inv.overdue)[0]; // arbiter-expect: JS-PERF-002
}

function overdueList(invoices) {
  const list = invoices.filter((inv) => inv.overdue);
  return list.length > 0 ? list : [];
}

function timestamp() {
  return new Date().getTime(); // arbiter-expect: JS-PERF-003
}

function timestampSafe() {
  const created = new Date(2020, 1, 1).getTime();
  return Date.now() - created;
}

function debugTotals(totals) {
  debugger; // arbiter-expect: JS-QUAL-001
  return totals;
}

function parseLine(line) {
  // the debugger; statement was removed here
  const parsed = JSON.parse(line);
  return parsed;
}

module.exports = {
  isMissing, isMissingSafe, sumAll, copyOptions, notifyAll, notifyAllSafe, loadReport,
  loadReportSafe, checkRole, cloneState, cloneStateSafe, hasOverdue, firstOverdue, overdueList,
  timestamp, timestampSafe, debugTotals, parseLine,
};
