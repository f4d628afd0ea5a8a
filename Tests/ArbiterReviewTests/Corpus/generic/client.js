// Generic secret detection in JavaScript objects and assignments.
const config = {
  accessKey: "v7Hq2Zp9Lw4Xk8Nr3Tb6Yc1Md5Fj0Gs",  // arbiter-expect: GENERIC-SECRET-001
  region: "eu-west-1",
};

const apiKey = process.env.API_KEY;
const authHeader = `Bearer ${apiKey}`;
const tokenName = "session-token-cookie-name";
module.exports = { config, authHeader, tokenName };
