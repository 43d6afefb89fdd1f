// harness.js — what the browser tests share: Debian's headless Chromium,
// one line per check, the login form, and the "N passed, N failed" line.
'use strict';
const { chromium } = require('playwright-core');

const counts = { passed: 0, failed: 0 };

function check(name, ok, detail) {
  if (ok) { counts.passed++; console.log('ok   ' + name); }
  else { counts.failed++; console.log('FAIL ' + name + (detail !== undefined ? '\n     ' + JSON.stringify(detail) : '')); }
}

function equal(name, expected, actual) { check(name, expected === actual, { expected, actual }); }

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/* Logs in through the form and waits until the login view is gone. */
async function login(page, base, user, password) {
  await page.goto(base + '/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-user', user);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForFunction(() => document.getElementById('login-view').hidden);
}

/* Prints the summary line and exits with the tests' status. */
function finish() {
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  process.exit(counts.failed ? 1 : 0);
}

module.exports = { check, equal, launch, login, finish };
