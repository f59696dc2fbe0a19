// Runs the playground's JS rules (book/_static/playground/playground.js, loaded in Node
// without a DOM) on the cases of a fixture file written by tests/test_playground.py and
// prints the trajectories as JSON: node tests/playground_runner.js FIXTURES.json
"use strict";
const fs = require("fs");
const path = require("path");
const core = require(path.join(__dirname, "..", "book", "_static", "playground", "playground.js"));

const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = cases.map((c) => {
  const fn = core.makeFunction(c.fn, c.fn_params);
  const r = c.rule === "newton"
    ? core.newtonTrajectory(fn, c.x0, c.steps, c.hp.lr)
    : core.trajectory(c.rule, fn, c.x0, c.steps, c.hp);
  return {id: c.id, points: r.points, diverged: r.diverged};
});
process.stdout.write(JSON.stringify(out));
