#!/usr/bin/env node
'use strict';
/**
 * The example shop database for the `sql` collector block in examples/workload.yaml: a SQLite
 * file with an `orders` table (id, country, amount, created_at in Unix seconds). `npm start`
 * runs this first; it creates the file when it is missing and tops it up when its orders run
 * out within a week, then exits. Nothing here runs while Pillarboard runs.
 *
 * The orders are a simulated stream: from 7 days before the file was made to 30 days after,
 * 10–60 an hour with a daily rhythm, so "orders in the last hour" moves as time passes.
 *
 *   node examples/shop-db.js [FILE]      (default: data/example-shop.db, from the current directory)
 */
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');

const HOUR = 3600;
const DAY = 24 * HOUR;
const COUNTRIES = ['FR', 'DE', 'NL', 'ES'];

/** Deterministic pseudo-random numbers (mulberry32), so two files made at the same time match. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Adds simulated orders for every hour in [fromS, toS). */
function addOrders(db, fromS, toS) {
  const insert = db.prepare('INSERT INTO orders (country, amount, created_at) VALUES (?, ?, ?)');
  const rand = random(fromS);
  db.transaction(() => {
    for (let hour = fromS - (fromS % HOUR); hour < toS; hour += HOUR) {
      const hourOfDay = (hour % DAY) / HOUR;
      const perHour = Math.round(35 + 25 * Math.sin(((hourOfDay - 8) / 24) * 2 * Math.PI) * (0.6 + 0.4 * rand()));
      for (let i = 0; i < perHour; i++) {
        const at = hour + Math.floor(rand() * HOUR);
        if (at < fromS || at >= toS) continue;
        insert.run(COUNTRIES[Math.floor(rand() * COUNTRIES.length)], Math.round((5 + rand() * 120) * 100) / 100, at);
      }
    }
  })();
}

function ensureShopDb(file, nowS = Math.floor(Date.now() / 1000)) {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS orders (
      id INTEGER PRIMARY KEY,
      country TEXT NOT NULL,
      amount REAL NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS orders_created_at ON orders (created_at);`);
    const last = db.prepare('SELECT max(created_at) AS t FROM orders').get().t;
    if (last === null) addOrders(db, nowS - 7 * DAY, nowS + 30 * DAY);
    else if (last < nowS + 7 * DAY) addOrders(db, Math.max(last + 1, nowS - 7 * DAY), nowS + 30 * DAY);
    return db.prepare('SELECT count(*) AS n FROM orders').get().n;
  } finally {
    db.close();
  }
}

module.exports = { ensureShopDb };

if (require.main === module) {
  const file = process.argv[2] || path.join('data', 'example-shop.db');
  try {
    ensureShopDb(file);
  } catch (err) {
    // The example must start even where the file cannot be made; only the commented sql block needs it.
    process.stderr.write(`examples/shop-db.js: could not prepare ${file}: ${err.message}\n`);
  }
}
