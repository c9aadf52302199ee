// Loads the extension's classic scripts (IIFEs that publish a global) into a fresh context, the way the
// browser does, with only the globals a test hands in (e.g. a fake `chrome`).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const ROOT = path.resolve(__dirname, "..", "..");

function load(files, globals = {}) {
  const context = vm.createContext({ URL, console, ...globals });
  for (const file of files) {
    vm.runInContext(fs.readFileSync(path.join(ROOT, file), "utf8"), context, { filename: file });
  }
  return context;
}

function readJson(rel) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, rel), "utf8"));
}

module.exports = { load, readJson };
