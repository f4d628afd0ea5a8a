// Notification service settings (fake credentials for scanner tests).
const path = require("path");

// --- committed credentials (must be flagged) ---
const githubBot = "gho_qITBgPaimdrnQsway0vHjd1XefegpY0mMnfK"; // arbiter-expect: SEC-GITHUB-001
const fineGrained = "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"; // arbiter-expect: SEC-GITHUB-001
const slackBot = "xoxb-149162948638-9699636557678-XYKmFfa99XkFxDdF3HEgGMq6"; // arbiter-expect: SEC-SLACK-001
const slackUser = "xoxp-09742751864-760022754124-4840890796739-81b1312272ba3dfee7a74c995bdb5b37"; // arbiter-expect: SEC-SLACK-001
const alertsHook = "https://hooks.slack.com/services/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"; // arbiter-expect: SEC-SLACK-002
const mailer = { provider: "sendgrid", credential: "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" }; // arbiter-expect: SEC-SENDGRID-001
const mapsBrowser = "AIzaM6urT3uf2cM02-lSZUXB-rm-mVe0QX5SUpi"; // arbiter-expect: SEC-GOOGLE-001
const serviceJwt = "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAic3ZjLWJpbGxpbmciLCAicm9sZSI6ICJhZG1pbiIsICJpYXQiOiAxNzE2MDAwMDAwfQ.7-jY24vE4MfQ4p4SA4s2a7NTfjl1nXZ0fOqQw8R7sOU"; // arbiter-expect: SEC-JWT-001

// --- look-alikes a scanner must ignore ---
const slackFromEnv = process.env.SLACK_BOT_TOKEN;
const slackPlaceholder = "xoxb-your-bot-token-here";
const hookTemplate = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
const mapsPlaceholder = "AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
const githubPlaceholder = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

function isGithubToken(value) {
  return value.startsWith("ghp_") || value.startsWith("github_pat_");
}

module.exports = { githubBot, fineGrained, slackBot, slackUser, alertsHook, mailer, mapsBrowser, serviceJwt, slackFromEnv,
  slackPlaceholder, hookTemplate, mapsPlaceholder, githubPlaceholder, isGithubToken, root: path.resolve(__dirname) };
