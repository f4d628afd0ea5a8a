const { exec, execSync, execFile, spawn } = require('child_process');
const childProcess = require('child_process');
const vm = require('vm');

// ---- command injection
function convertImage(req, res) {
  const { file, width } = req.query;
  exec(`convert uploads/${file} -resize ${width} out.png`, (err) => { // arbiter-expect: JS-CMDI-001
    if (err) return res.status(500).end();
    res.sendFile('out.png', { root: __dirname });
  });
}

function pingHost(host) {
  return execSync('ping -c 1 ' + host).toString(); // arbiter-expect: JS-CMDI-001
}

function archive(dir) {
  const cmd = 'tar czf backup.tgz ' + dir;
  childProcess.exec(cmd, () => {}); // arbiter-expect: JS-CMDI-002
}

function runUserCommand(req) {
  return execSync(req.body.command); // arbiter-expect: JS-CMDI-002
}

function gitLog(branch) {
  return spawn('git', ['log', branch], { shell: true }); // arbiter-expect: JS-CMDI-003
}

// Safe: fixed commands, argument arrays without a shell, regex exec.
function pingHostSafe(host) {
  return execFile('ping', ['-c', '1', host]);
}

function diskUsage() {
  return execSync('df -h').toString();
}

function gitLogSafe(branch) {
  return spawn('git', ['log', '--', branch], { shell: false });
}

function parseVersion(line) {
  const match = /v(\d+)\.(\d+)/.exec(line);
  const again = versionPattern.exec(line);
  return match || again;
}
const versionPattern = /release-(\d+)/;

class LifecycleCommand {
  async exec (args) {
    return this.run(args);
  }

  async #exec (cmd, args) {
    return this.exec(cmd, args);
  }
}

function wrapLines(lines, columns, exec) {
  return lines.map((line) => exec(line, columns));
}

// ---- eval and friends
function calculate(expr) {
  return eval(expr); // arbiter-expect: JS-EVAL-001
}

function buildPredicate(body) {
  return new Function('row', body); // arbiter-expect: JS-EVAL-002
}

function scheduleRefresh(widgetId) {
  setTimeout('refreshWidget(' + widgetId + ')', 1000); // arbiter-expect: JS-EVAL-003
}

function runPlugin(source, sandbox) {
  return vm.runInNewContext(source, sandbox); // arbiter-expect: JS-EVAL-004
}

// Safe look-alikes
function scheduleRefreshSafe(widgetId) {
  setTimeout(() => refreshWidget(widgetId), 1000);
}

function constantFn() {
  return new Function('a', 'b', 'return a + b');
}

async function runLua(redis, key) {
  return redis.eval('return redis.call("GET", KEYS[1])', 1, key);
}

function describeEval() {
  // Never call eval(userInput) here; see docs.
  return 'eval(input) is dangerous';
}

function refreshWidget(id) {
  return id;
}

module.exports = {
  convertImage, pingHost, archive, runUserCommand, gitLog, pingHostSafe, diskUsage, gitLogSafe,
  parseVersion, LifecycleCommand, wrapLines, calculate, buildPredicate, scheduleRefresh, runPlugin,
  scheduleRefreshSafe, constantFn, runLua, describeEval,
};
